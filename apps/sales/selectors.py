"""Reads of orders, with who may see what decided by apps.accounts.permissions."""

from django.db.models import Q, QuerySet

from apps.accounts.permissions import distributions_sellable_by, is_operator, organizers_configurable_by
from apps.events.models import TicketType
from apps.sales.models import Order, Ticket


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


def organizer_base_url(organizer) -> str:
    """Where an organizer's storefront is: its verified own domain, else its platform host."""
    from django.conf import settings
    from django.db import connection

    from apps.tenancy.models import Domain

    domains = Domain.objects.filter(
        tenant__schema_name=connection.schema_name, organizer_slug=organizer.slug
    ).exclude(is_custom=True, verified_at__isnull=True)
    domain = domains.order_by("-is_custom", "-is_primary", "pk").values_list("domain", flat=True).first()
    if domain is None:
        domain = (
            Domain.objects.filter(tenant__schema_name=connection.schema_name, is_primary=True)
            .values_list("domain", flat=True)
            .first()
        )
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
    return f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{domain}{port}"


def order_by_secret(code: str, secret: str) -> Order | None:
    """The order behind a public order link, if code and secret match (compared in constant time)."""
    import hmac

    order = Order.objects.select_related("organizer").filter(code=code).first()
    if order is None or not hmac.compare_digest(order.secret, secret):
        return None
    return order


def tickets_checkable_by(user):
    """Tickets of the events one may see: their configurers and their channels' sellers."""
    from apps.events.selectors import events_visible_to

    return Ticket.objects.filter(ticket_type__event__in=events_visible_to(user))


def event_dates_at_gate(user):
    """Dates one may check tickets in for, from today on (soonest first, at most 200)."""
    from django.utils import timezone

    from apps.events.selectors import event_dates_visible_to

    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return event_dates_visible_to(user).filter(end__gte=today).select_related("event").order_by("start")[:200]
