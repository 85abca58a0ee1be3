"""Templates ask the permission module too: {% can "configure" organizer as may_configure %}."""

from django import template

from apps.operators.permissions import can as permission_can

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action: str, obj=None) -> bool:
    # Pages rendered before authentication (an unknown host) have no user: they may nothing.
    return permission_can(getattr(context["request"], "user", None), action, obj)
