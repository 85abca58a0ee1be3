"""Orders a season pass makes: booking a date (booking mode): the holder picks a date of an
event the pass covers and gets a ticket for it at the pass's booking price, through the
normal order (apps.sales.services.orders), so the date's capacity counts it like any ticket;
and renewing it: next season's pass type, on sale to holders from its `holders_from`, before
everyone (its ticket type's sale start), once per pass.

In one transaction: the pass's use is counted first (its row's lock orders two bookings of
one pass), the booking's row is written (a partial unique index: one booking of a date per
pass), then the order takes the date's capacity last. A refusal anywhere undoes it all.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.audit import Actor, audit_log
from apps.events.models import TicketType
from apps.organizers.models import Distribution
from apps.sales.exceptions import PassRejected
from apps.sales.holds import Holder
from apps.sales.models import Order, Pass, PassBooking, PassType, Ticket
from apps.sales.services.orders import SYSTEM, OrderLine, order_create
from apps.sales.services.passes import pass_check_covers, pass_check_valid, pass_use


@transaction.atomic
def pass_book(
    *,
    season_pass: Pass,
    ticket_type: TicketType,
    distribution: Distribution,
    customer: User | None,
    email: str,
    language: str = "",
    actor: Actor = SYSTEM,
) -> PassBooking:
    """Book `ticket_type`'s date with the pass. A free booking is paid at once (its ticket
    e-mailed); a priced one is a cart awaiting payment, whose expiry or cancellation gives
    the use back. Raises PassRejected (or SoldOut, OrderRejected) with nothing taken."""
    pass_type = season_pass.pass_type
    if pass_type.mode != PassType.Mode.BOOKING:
        raise PassRejected(_("This pass is shown at the gate on every date: no booking is needed."))
    pass_check_valid(season_pass)
    event_date = ticket_type.event_date
    if event_date is None:
        raise PassRejected(_("Choose a ticket for one date."))
    if event_date.end <= timezone.now():
        raise PassRejected(_("This date is over."))
    pass_check_covers(season_pass, event_date)
    pass_use(season_pass=season_pass)
    try:
        with transaction.atomic():
            booking = PassBooking.objects.create(season_pass=season_pass, event_date=event_date)
    except IntegrityError:
        raise PassRejected(_("This pass has already booked that date.")) from None
    price = pass_type.booking_price
    order = order_create(
        distribution=distribution,
        lines=[OrderLine(ticket_type=ticket_type, quantity=1, price=price)],
        email=email,
        buyer_name=season_pass.holder_name,
        customer=customer,
        payment_method=Order.PaymentMethod.STRIPE,
        language=language,
        hold=price > 0,
        actor=actor,
    )
    ticket = order.tickets.all()[0]
    ticket.attendee_name = season_pass.holder_name  # the gate shows who booked it
    ticket.save(update_fields=["attendee_name"])
    booking.ticket = ticket
    booking.save(update_fields=["ticket"])
    audit_log(actor=actor, action="pass.booked", target=season_pass, event_date=event_date.pk, order=order.pk)
    return booking


@transaction.atomic
def pass_renew(
    *,
    season_pass: Pass,
    renewal: PassType,
    distribution: Distribution,
    customer: User | None,
    email: str = "",
    holder: Holder | None = None,
    language: str = "",
    now: datetime | None = None,
    actor: Actor = SYSTEM,
) -> Order:
    """A shop cart of one `renewal` pass for the holder of `season_pass` (a pass of the type it
    renews), from the renewal's `holders_from` on, even before its sale opens to everyone;
    once per pass (a conditional UPDATE of the pass: a second renewal at once is refused and
    its cart undone). The cart is checked out and paid like any; the renewal pass is issued
    to the same holder when it is paid."""
    now = now or timezone.now()
    if (
        renewal.renewal_of_id != season_pass.pass_type_id
        or renewal.holders_from is None
        or now < renewal.holders_from
    ):
        raise PassRejected(_("This pass cannot be renewed with “%(name)s” now.") % {"name": renewal.name})
    pass_check_valid(season_pass)
    earlier = Pass.objects.values_list("renewed_with_id", flat=True).get(pk=season_pass.pk)
    if earlier is not None and not _renewal_cart_abandon(earlier):
        raise PassRejected(_("This pass was renewed already."))
    order = order_create(
        distribution=distribution,
        lines=[OrderLine(ticket_type=renewal.ticket_type, quantity=1, before_sale_start=True)],
        email=email,
        buyer_name=season_pass.holder_name,
        customer=customer,
        payment_method=Order.PaymentMethod.STRIPE,
        language=language,
        hold=True,
        holder=holder,
        actor=actor,
    )
    ticket = order.tickets.all()[0]
    ticket.attendee_name = season_pass.holder_name  # the renewal's pass goes to the same holder
    ticket.save(update_fields=["attendee_name"])
    # Compare and set on the pass's own row: of renewals at once, one wins.
    if not Pass.objects.filter(pk=season_pass.pk, renewed_with_id=earlier).update(renewed_with=ticket):
        raise PassRejected(_("This pass was renewed already."))
    season_pass.renewed_with = ticket
    audit_log(actor=actor, action="pass.renewed", target=season_pass, renewal=renewal.pk, order=order.pk)
    return order


def _renewal_cart_abandon(ticket_id: int) -> bool:
    """Whether the pass may renew again over its earlier renewal `ticket_id`: yes when that
    ticket's cart expired, which is then cancelled (a payment arriving for it later is refused
    and refunded, so one pass never buys two renewals); no while it is held or paid."""
    order_id = Ticket.objects.values_list("order_id", flat=True).get(pk=ticket_id)
    return bool(
        Order.objects.filter(pk=order_id, status=Order.Status.EXPIRED).update(status=Order.Status.CANCELLED)
    )
