"""Template tags of add-ons: those an event's page announces (added in the cart)."""

from django import template

from apps.events.models import Event
from apps.sales.models import AddOn
from apps.sales.selectors.addons import add_ons_of_event

register = template.Library()


@register.simple_tag
def event_add_ons(event: Event) -> list[AddOn]:
    """`{% event_add_ons event as add_ons %}`: the add-ons on sale with the event (one query)."""
    return add_ons_of_event(event)
