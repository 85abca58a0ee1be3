"""Booking a date with a season pass (booking mode): the holder picks a date of an event the
pass covers and gets a ticket for it at the pass's booking price, through the normal order
(apps.sales.services.orders), so the date's capacity counts it like any ticket.

In one transaction: the pass's use is counted first (its row's lock orders two bookings of
one pass), the booking's row is written (a partial unique index: one booking of a date per
pass), then the order takes the date's capacity last. A refusal anywhere undoes it all.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.audit import Actor, audit_log
from apps.events.models import TicketType
from apps.organizers.models import Distribution
from apps.sales.exceptions import PassRejected
from apps.sales.models import Order, Pass, PassBooking, PassType
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
