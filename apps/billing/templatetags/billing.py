from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value) -> str:
    if value is None:
        return ""
    return f"{number_format(Decimal(value).normalize(), use_l10n=True)} %"
