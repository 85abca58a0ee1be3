"""The control panel's menu in templates: {% control_menu as menu %} (apps.operators.menu)."""

from django import template

from apps.operators.menu import Group
from apps.operators.menu import control_menu as menu_of

register = template.Library()


@register.simple_tag(takes_context=True)
def control_menu(context: template.Context) -> list[Group]:
    request = context["request"]
    return menu_of(getattr(request, "user", None), request.path)
