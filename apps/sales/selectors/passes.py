"""Reads of season passes: the pass types and passes an operator sees, a customer's passes,
and the dates a pass may book."""

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.core.cache import cached_one, entry_key
from apps.core.schemas import current_schema
from apps.core.timezones import localdate_in
from apps.events.models import Event, TicketType
from apps.operators.permissions import Someone, organizers_configurable_by
from apps.organizers.catalog import CATALOG
from apps.sales.models import Order, Pass, PassBooking, PassType, Ticket
from apps.sales.selectors import orders_of_customer

BOOKABLE_MAX = 200


def pass_types_by_ticket_type() -> dict[int, int]:
    """{ticket type id: id of the pass type it sells} in this schema. Every paid order asks:
    from the cached catalog (the pass-type services drop it)."""
    schema_name = current_schema()
    sold_as: dict[int, int] = cached_one(
        schema_name=schema_name,
        name=CATALOG,
        key=entry_key(schema_name, CATALOG, "pass-types-by-ticket-type"),
        load=lambda: dict(PassType.objects.values_list("ticket_type_id", "pk")),
    )
    return sold_as


def pass_types_visible_to(user: Someone) -> QuerySet[PassType]:
    """Pass types of the organizers one configures (an organization admin: all)."""
    return (
        PassType.objects.filter(organizer__in=organizers_configurable_by(user))
        .select_related("organizer", "ticket_type__event", "renewal_of")
        .annotate(sold=Count("passes", distinct=True))
        .order_by("organizer__name", "-valid_from", "name", "pk")
    )


def passes_visible_to(user: Someone) -> QuerySet[Pass]:
    """Passes of the pass types one sees, with their holder's bookings counted."""
    return (
        Pass.objects.filter(pass_type__organizer__in=organizers_configurable_by(user))
        .select_related("pass_type__organizer", "ticket__order")
        .annotate(
            booked=Count("bookings", filter=Q(bookings__status=PassBooking.Status.BOOKED), distinct=True)
        )
        .order_by("-created_at", "-pk")
    )


def passes_of_customer(user: User) -> QuerySet[Pass]:
    """A customer's passes: bought while logged in, or with the account's verified address."""
    return (
        Pass.objects.filter(Q(customer=user) | Q(ticket__order__in=orders_of_customer(user).values("pk")))
        .select_related(
            "pass_type__organizer", "ticket__order", "ticket__ticket_type__event", "renewal_voucher"
        )
        .order_by("-pass_type__valid_from", "-pk")
    )


def pass_bookings_of(season_pass: Pass) -> QuerySet[PassBooking]:
    return (
        PassBooking.objects.filter(season_pass=season_pass, status=PassBooking.Status.BOOKED)
        .select_related("event_date__event__location", "event_date__event__organizer", "ticket__order")
        .order_by("event_date__start")
    )


def pass_bookable(season_pass: Pass) -> list[TicketType]:
    """The dated ticket types on sale now (not hidden, not selling a pass), of dates to come
    of published events the pass covers, on days within its validity (in each event's zone),
    soonest first."""
    pass_type = season_pass.pass_type
    now = timezone.now()
    booked = PassBooking.objects.filter(season_pass=season_pass, status=PassBooking.Status.BOOKED)
    candidates = (
        TicketType.objects.filter(
            event__in=pass_type.events.filter(status=Event.Status.PUBLISHED),
            event_date__isnull=False,
            event_date__end__gt=now,
            # A day's margin each side for the zones; the days are checked below.
            event_date__start__gte=max(now, _day_start(pass_type.valid_from)) - timedelta(days=1),
            event_date__start__lt=_day_start(pass_type.valid_until) + timedelta(days=2),
        )
        .filter(Q(sale_start__isnull=True) | Q(sale_start__lte=now))
        .filter(Q(sale_end__isnull=True) | Q(sale_end__gt=now))
        .exclude(event_date__in=booked.values("event_date"))
        .exclude(pass_type__isnull=False)
        .exclude(hidden=True)  # sold only with an access code (apps.sales.models.vouchers)
        .select_related("event_date__event__location", "event_date__event__organizer", "event")
        .order_by("event_date__start", "price", "pk")
    )
    return [
        ticket_type
        for ticket_type in candidates[: BOOKABLE_MAX * 2]
        if ticket_type.event_date is not None
        and pass_type.valid_from
        <= localdate_in(ticket_type.event_date.start, ticket_type.event_date.time_zone)
        <= pass_type.valid_until
    ][:BOOKABLE_MAX]


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def pass_renewals_open(season_pass: Pass) -> list[PassType]:
    """The pass types renewing the pass's type whose holders' window is open now (and whose
    sale has not ended), unless the pass was renewed already."""
    if season_pass.renewed_with_id is not None and not _renewal_expired(season_pass.renewed_with_id):
        return []
    now = timezone.now()
    return list(
        PassType.objects.filter(renewal_of_id=season_pass.pass_type_id, holders_from__lte=now)
        .filter(Q(ticket_type__sale_end__isnull=True) | Q(ticket_type__sale_end__gt=now))
        .select_related("ticket_type", "organizer")
        .order_by("valid_from", "pk")
    )


def _renewal_expired(ticket_id: int) -> bool:
    """Whether the renewal bought with this ticket sits in an expired cart (the pass may renew
    again: renewing cancels that cart)."""
    return Ticket.objects.filter(pk=ticket_id, order__status=Order.Status.EXPIRED).exists()
