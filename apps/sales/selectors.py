"""Reads of orders, with who may see what decided by apps.accounts.permissions."""

from django.db.models import Q, QuerySet

from apps.accounts.permissions import distributions_sellable_by, is_operator, organizers_configurable_by
from apps.events.models import TicketType
from apps.sales.models import Order


def orders_visible_to(user) -> QuerySet[Order]:
    """Orders of the organizers one configures, or sold through a distribution one sells in."""
    if not is_operator(user):
        return Order.objects.none()
    if user.is_admin:
        return Order.objects.all()
    return Order.objects.filter(
        Q(organizer__in=organizers_configurable_by(user))
        | Q(distribution__in=distributions_sellable_by(user))
    )


def ticket_types_for_sale(ids) -> dict[int, TicketType]:
    """The ticket types an order asks for, with what checking and pricing them reads."""
    ticket_types = (
        TicketType.objects.filter(pk__in=ids)
        .select_related("event", "event_date")
        .prefetch_related("event__distributions")
    )
    return {ticket_type.pk: ticket_type for ticket_type in ticket_types}
