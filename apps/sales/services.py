"""Selling: orders and their tickets, with capacity taken through apps.sales.inventory."""

import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core import hooks
from apps.core.audit import Actor, audit_log
from apps.core.hooks import FeeableSale
from apps.core.money import quantize
from apps.events.models import Event, EventDate, TicketType
from apps.organizers.catalog import catalog_changed
from apps.organizers.models import Distribution
from apps.organizers.services import organizer_lock_currency
from apps.payments.exceptions import PaymentsUnavailable
from apps.sales import inventory
from apps.sales.exceptions import CheckInRefused, OrderRejected, SoldOut
from apps.sales.holds import Holder, holds_reserve
from apps.sales.models import Order, OrderRequest, Ticket
from apps.sales.selectors import order_of_request

SYSTEM = Actor(user=None)
logger = logging.getLogger(__name__)


def reservation_minutes() -> int:
    return settings.SALES_RESERVATION_MINUTES


@dataclass(frozen=True)
class OrderLine:
    """Tickets asked for: `quantity` of `ticket_type`, for `event_date` (None for a pass, or
    to mean the ticket type's own date)."""

    ticket_type: TicketType
    quantity: int
    event_date: EventDate | None = None


def _check_line(line: OrderLine, distribution: Distribution, now) -> EventDate | None:
    """The date the line's tickets are for (None: a pass); raises OrderRejected when the
    line cannot be sold in this distribution now."""
    ticket_type = line.ticket_type
    event = ticket_type.event
    if event.organizer_id != distribution.organizer_id:
        raise OrderRejected(_("“%(name)s” is not sold by this organizer.") % {"name": ticket_type.name})
    if event.status != Event.Status.PUBLISHED:
        raise OrderRejected(_("“%(event)s” is not on sale.") % {"event": event.name})
    if not any(d.pk == distribution.pk for d in event.distributions.all()):
        raise OrderRejected(
            _("“%(event)s” is not sold through %(channel)s.")
            % {"event": event.name, "channel": distribution.name}
        )
    if line.quantity < 1:
        raise OrderRejected(_("Choose at least one ticket."))
    if (ticket_type.sale_start and now < ticket_type.sale_start) or (
        ticket_type.sale_end and now >= ticket_type.sale_end
    ):
        raise OrderRejected(_("“%(name)s” is not on sale now.") % {"name": ticket_type.name})
    if ticket_type.is_pass:
        if line.event_date is not None:
            raise OrderRejected(
                _("“%(name)s” is a pass for every date; choose no date.") % {"name": ticket_type.name}
            )
        return None
    event_date = ticket_type.event_date
    if line.event_date is not None and line.event_date.pk != event_date.pk:
        raise OrderRejected(_("“%(name)s” is not valid on that date.") % {"name": ticket_type.name})
    if event_date.end <= now:
        raise OrderRejected(_("“%(name)s” is for a date that is over.") % {"name": ticket_type.name})
    return event_date


def _check_totals(lines: Sequence[OrderLine], already: Counter) -> None:
    """Minimum and maximum per order hold for the order's total of each ticket type, however
    many lines (or additions to a cart) ask for it."""
    totals = Counter(already)
    ticket_types = {}
    for line in lines:
        totals[line.ticket_type.pk] += line.quantity
        ticket_types[line.ticket_type.pk] = line.ticket_type
    for pk, ticket_type in ticket_types.items():
        if ticket_type.min_per_order <= totals[pk] <= ticket_type.max_per_order:
            continue
        if already[pk]:
            raise OrderRejected(
                _("“%(name)s”: at most %(max)s tickets per order, and your cart already has %(count)s.")
                % {"name": ticket_type.name, "max": ticket_type.max_per_order, "count": already[pk]}
            )
        raise OrderRejected(
            _("“%(name)s”: order between %(min)s and %(max)s tickets.")
            % {"name": ticket_type.name, "min": ticket_type.min_per_order, "max": ticket_type.max_per_order}
        )


def _pass_date_ids(event: Event, now) -> list[int]:
    date_ids = list(EventDate.objects.filter(event=event, end__gt=now).values_list("pk", flat=True))
    if not date_ids:
        raise OrderRejected(_("“%(event)s” has no dates to come.") % {"event": event.name})
    return date_ids


def _claim_of(tickets: Sequence[Ticket], pass_dates: dict[int, list[int]]) -> inventory.Claim:
    claim = inventory.Claim()
    for ticket in tickets:
        date_ids = [ticket.event_date_id] if ticket.event_date_id else pass_dates[ticket.ticket_type.event_id]
        claim.add(ticket_type_id=ticket.ticket_type_id, date_ids=date_ids)
    return claim


def order_create(
    *,
    distribution: Distribution,
    lines: Sequence[OrderLine],
    email: str,
    payment_method: str,
    buyer_name: str = "",
    customer=None,
    sold_by=None,
    language: str = "",
    hold: bool = False,
    holder: Holder | None = None,
    actor: Actor = SYSTEM,
) -> Order:
    """Make an order, taking its tickets' capacity or raising SoldOut with nothing taken.

    Prices come from the ticket types, never from the buyer. Paid at the counter (cash, card
    terminal) or free, the order is paid at once and its capacity sold; an online payment
    leaves it pending, holding capacity for the reservation time. When seats run out,
    unpaid orders past their time may still hold some: they are expired, and the order is
    tried once more. `hold`: a shop's cart, pending whatever its total until checkout;
    `holder`: who reserves it in the shop, held to the limits of apps.sales.holds.
    """
    arguments = {
        "distribution": distribution,
        "lines": lines,
        "email": email,
        "payment_method": payment_method,
        "buyer_name": buyer_name,
        "customer": customer,
        "sold_by": sold_by,
        "language": language,
        "hold": hold,
        "holder": holder,
        "actor": actor,
    }
    try:
        return _order_create(**arguments)
    except SoldOut as exc:
        _sold_out_seen(exc.date_ids)
        if not orders_expire(event_date_ids=exc.date_ids):
            raise
    return _order_create(**arguments)


def order_create_once(
    *, caller, idempotency_key: str, fingerprint: str, **order_arguments
) -> tuple[Order, bool]:
    """`order_create`, once per (caller, idempotency key): a retried request gets the first
    one's order back, with True (replayed); the same key with another request body raises
    IdempotencyKeyReused. Two sends of one key at once make one order (the key's unique row
    is written in the order's transaction; the second waits for it, then replays)."""
    from django.db import IntegrityError

    earlier = order_of_request(caller=caller, key=idempotency_key, fingerprint=fingerprint)
    if earlier is not None:
        return earlier, True
    try:
        with transaction.atomic():
            order = order_create(**order_arguments)
            OrderRequest.objects.create(
                caller=caller, key=idempotency_key, fingerprint=fingerprint, order=order
            )
    except IntegrityError:
        earlier = order_of_request(caller=caller, key=idempotency_key, fingerprint=fingerprint)
        if earlier is None:
            raise
        return earlier, True
    return order, False


# Dates this process saw sold out lately ({(schema, date ids): when}). Only decides when an
# order takes its capacity, never whether: for these, first (a refusal costs one statement),
# for any other, last (the counter row stays locked shortest).
_SOLD_OUT_SEEN: dict[tuple[str, tuple[int, ...]], float] = {}
SOLD_OUT_SEEN_SECONDS = 10


def _sold_out_seen(date_ids) -> None:
    if len(_SOLD_OUT_SEEN) > 1000:
        _SOLD_OUT_SEEN.clear()
    _SOLD_OUT_SEEN[(connection.schema_name, tuple(sorted(date_ids)))] = time.monotonic()


def _lately_sold_out(claim: inventory.Claim) -> bool:
    seen = _SOLD_OUT_SEEN.get((connection.schema_name, tuple(sorted(claim.dates))))
    return seen is not None and time.monotonic() - seen < SOLD_OUT_SEEN_SECONDS


def _priced_tickets(
    lines: Sequence[OrderLine], distribution: Distribution, now, already: Counter | None = None
):
    """The unsaved tickets `lines` ask for, priced in the organizer's currency, and the dates
    of each pass's event; raises OrderRejected for a line that cannot be sold, or when the
    order's total of a ticket type (with `already`: {ticket type id: count} in the order)
    falls outside its minimum and maximum per order."""
    if not lines:
        raise OrderRejected(_("Choose at least one ticket."))
    _check_totals(lines, already or Counter())
    currency = distribution.organizer.currency
    rules = fee_rules_for(distribution.organizer, {line.ticket_type.event_id for line in lines})
    tickets: list[Ticket] = []
    pass_dates: dict[int, list[int]] = {}
    for line in lines:
        event_date = _check_line(line, distribution, now)
        ticket_type = line.ticket_type
        if event_date is None and ticket_type.event_id not in pass_dates:
            pass_dates[ticket_type.event_id] = _pass_date_ids(ticket_type.event, now)
        price = quantize(ticket_type.price, currency)
        fee, absorbed = fee_of(rules.get(ticket_type.event_id), price, currency)
        tickets += [
            Ticket(
                ticket_type=ticket_type, event_date=event_date, price=price, fee=fee, absorbed_fee=absorbed
            )
            for _i in range(line.quantity)
        ]
    return tickets, pass_dates


def fee_rules_for(organizer, event_ids) -> dict:
    """{event id: the fee rule that applies to its tickets}: the event's own, else its
    organizer's, else the organization's; events with none are left out."""
    from apps.sales.selectors import fee_rules_applicable

    rules = fee_rules_applicable(organizer, event_ids)
    by_event = {rule.event_id: rule for rule in rules if rule.event_id}
    fallback = next((r for r in rules if r.event_id is None and r.organizer_id), None) or next(
        (r for r in rules if r.event_id is None and r.organizer_id is None), None
    )
    return {
        event_id: by_event.get(event_id, fallback)
        for event_id in event_ids
        if by_event.get(event_id, fallback)
    }


def fee_of(rule, price: Decimal, currency: str) -> tuple[Decimal, Decimal]:
    """(paid by the buyer, absorbed by the organizer) for one ticket; free tickets pay none."""
    zero = quantize(Decimal(0), currency)
    if rule is None or price <= 0:
        return zero, zero
    fee = quantize(rule.fixed + price * rule.percent / 100, currency)
    return (fee, zero) if rule.paid_by == rule.PaidBy.BUYER else (zero, fee)


@transaction.atomic
def _order_create(
    *,
    distribution: Distribution,
    lines: Sequence[OrderLine],
    email: str,
    payment_method: str,
    buyer_name: str = "",
    customer=None,
    sold_by=None,
    language: str = "",
    hold: bool = False,
    holder: Holder | None = None,
    actor: Actor = SYSTEM,
) -> Order:
    now = timezone.now()
    organizer = distribution.organizer
    currency = organizer.currency
    tickets, pass_dates = _priced_tickets(lines, distribution, now)
    if holder is not None:  # its locks first, before the organizer's row and the counters
        holds_reserve(holder=holder, adding=len(tickets), now=now)
    subtotal = quantize(sum((ticket.price for ticket in tickets), Decimal(0)), currency)
    fee_total = quantize(sum((ticket.fee for ticket in tickets), Decimal(0)), currency)
    total = subtotal + fee_total

    if total == 0 and not hold:
        payment_method = Order.PaymentMethod.FREE
    paid_now = not hold and payment_method in (*Order.COUNTER_METHODS, Order.PaymentMethod.FREE)
    claim = _claim_of(tickets, pass_dates)
    state = "sold" if paid_now else "held"
    if not organizer.currency_locked:
        # Before any counter row: every sale locks the organizer's row, then counters.
        organizer_lock_currency(organizer=organizer)  # (which drops the cached catalog)
    take_first = _lately_sold_out(claim)
    if take_first:  # most likely refused: before writing anything else
        inventory.take(claim, state=state)

    order = Order.objects.create(
        organizer=organizer,
        distribution=distribution,
        status=Order.Status.PAID if paid_now else Order.Status.PENDING,
        payment_method=payment_method,
        email=email,
        buyer_name=buyer_name,
        customer=customer,
        sold_by=sold_by,
        currency=currency,
        subtotal=subtotal,
        fee_total=fee_total,
        total=total,
        holds_capacity=True,
        expires_at=None if paid_now else now + timedelta(minutes=reservation_minutes()),
        paid_at=now if paid_now else None,
        language=language,
        hold_session=holder.session if holder else "",
        hold_network=(holder.network or None) if holder else None,
    )
    for ticket in tickets:
        ticket.order = order
    Ticket.objects.bulk_create(tickets)
    audit_log(actor=actor, action="order.created", target=order, status=order.status, total=str(total))
    if not take_first:
        # Capacity last: the counter rows everyone selling this date updates stay locked
        # from here to COMMIT only. A SoldOut leaves this transaction and undoes the order.
        inventory.take(claim, state=state)
    if order.status == Order.Status.PAID:
        _confirm_on_commit(order)
    return _with_tickets(order, tickets)


def _with_tickets(order: Order, tickets: list[Ticket]) -> Order:
    """The order with its just-made tickets in place of a prefetch: order.tickets.all() reads
    them without a query (as prefetch_related("tickets") leaves it); any other query on
    order.tickets still goes to the database."""
    prefetched = Ticket.objects.filter(order=order)
    prefetched._result_cache = tickets
    prefetched._prefetch_done = True
    order._prefetched_objects_cache = {"tickets": prefetched}
    return order


def _claim_of_order(order: Order) -> inventory.Claim:
    return _claim_of_tickets(
        list(order.tickets.filter(status=Ticket.Status.VALID).select_related("ticket_type"))
    )


def _claim_of_tickets(tickets: Sequence[Ticket]) -> inventory.Claim:
    """The capacity saved tickets use: a pass on every date of its event."""
    pass_events = {t.ticket_type.event_id for t in tickets if t.event_date_id is None}
    pass_dates = {
        event_id: list(EventDate.objects.filter(event_id=event_id).values_list("pk", flat=True))
        for event_id in pass_events
    }
    return _claim_of(tickets, pass_dates)


@transaction.atomic
def order_mark_paid(*, order_id: int, actor: Actor = SYSTEM) -> Order:
    """Record an order's payment, once: a pending order's held capacity becomes sold.

    Returns the order; an already paid one is returned as it is. An order that expired
    before its payment arrived is sold again if capacity remains, else SoldOut is raised
    and the caller refunds the payment.
    """
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status == Order.Status.PAID:
        return order
    claim = _claim_of_order(order)
    if order.status == Order.Status.PENDING:
        inventory.settle(claim)
    elif order.status == Order.Status.EXPIRED:
        inventory.take(claim, state="sold")
    else:
        raise OrderRejected(
            _("Order %(code)s is %(status)s.") % {"code": order.code, "status": order.get_status_display()}
        )
    order.status = Order.Status.PAID
    order.holds_capacity = True
    order.paid_at = timezone.now()
    order.expires_at = None
    order.save(update_fields=["status", "holds_capacity", "paid_at", "expires_at"])
    audit_log(actor=actor, action="order.paid", target=order)
    _confirm_on_commit(order)
    return order


@transaction.atomic
def order_cancel(*, order_id: int, actor: Actor = SYSTEM) -> Order:
    """Cancel an order: its tickets are void and their capacity returns to sale."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status in (Order.Status.CANCELLED, Order.Status.REFUNDED):
        return order
    if (
        order.status == Order.Status.PAID
        and order.payment_method == Order.PaymentMethod.STRIPE
        and order.total
    ):
        raise OrderRejected(
            _("A paid card order is refunded, not cancelled: its money goes back to the buyer.")
        )
    if order.status == Order.Status.PENDING and order.payment_method == Order.PaymentMethod.STRIPE:
        try:
            _payment_cancel_pending(order)
        except PaymentsUnavailable:
            # Cancelled all the same: if the buyer still pays it, the payment is refunded.
            logger.warning("order %s cancelled with its payment left open: Stripe unreachable", order.pk)
    if order.holds_capacity:
        state = "held" if order.status == Order.Status.PENDING else "sold"
        inventory.give_back(_claim_of_order(order), state=state)
    order.tickets.filter(status=Ticket.Status.VALID).update(
        status=Ticket.Status.CANCELLED, voided_at=timezone.now()
    )
    order.status = Order.Status.CANCELLED
    order.holds_capacity = False
    order.expires_at = None
    order.save(update_fields=["status", "holds_capacity", "expires_at"])
    audit_log(actor=actor, action="order.cancelled", target=order)
    return order


def orders_expire(*, event_date_ids: Sequence[int] | None = None, now=None) -> int:
    """Expire pending orders past their time (those using the given dates, or all), each in
    its own transaction, giving their held capacity back. Returns how many expired."""
    now = now or timezone.now()
    overdue = Order.objects.filter(status=Order.Status.PENDING, expires_at__lte=now)
    if event_date_ids is not None:
        if not overdue.exists():  # (mostly: one probe of the pending-expiry index, no join)
            return 0
        overdue = overdue.filter(
            Q(tickets__event_date_id__in=event_date_ids)
            | Q(tickets__event_date__isnull=True, tickets__ticket_type__event__dates__in=event_date_ids)
        ).distinct()
    expired = 0
    for order_id in overdue.values_list("pk", flat=True):
        expired += _order_expire(order_id=order_id, now=now)
    return expired


@transaction.atomic
def _order_expire(*, order_id: int, now) -> int:
    order = Order.objects.select_for_update(skip_locked=True).filter(pk=order_id).first()
    if order is None or order.status != Order.Status.PENDING or order.expires_at > now:
        return 0  # being paid or expired by someone else right now, or no longer overdue
    inventory.give_back(_claim_of_order(order), state="held")
    order.status = Order.Status.EXPIRED
    order.holds_capacity = False
    order.save(update_fields=["status", "holds_capacity"])
    audit_log(actor=SYSTEM, action="order.expired", target=order)
    return 1


def _confirm_on_commit(order: Order) -> None:
    """E-mail the tickets once the payment is committed (the task sends at most once)."""
    from apps.sales.tasks import send_order_confirmation

    send_order_confirmation.delay_on_commit(schema_name=connection.schema_name, order_id=order.pk)


def order_confirmation_send(*, order_id: int) -> bool:
    """E-mail a paid order's tickets (PDF attached) to its buyer, once: a repeated task, or
    a payment notified five times, sends nothing more. Returns whether it sent."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from apps.core.emails import message_send
    from apps.sales.selectors import organizer_base_url
    from apps.sales.tickets import tickets_pdf

    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("organizer").get(pk=order_id)
        if order.status != Order.Status.PAID or order.confirmation_sent_at is not None:
            return False
        with translation.override(order.language or settings.LANGUAGE_CODE):
            context = {
                "order": order,
                "tickets": order.tickets.filter(status=Ticket.Status.VALID).select_related(
                    "ticket_type__event", "event_date"
                ),
                "order_url": organizer_base_url(order.organizer) + f"/orders/{order.code}/{order.secret}/",
            }
            subject = _("Your tickets from %(organizer)s (order %(code)s)") % {
                "organizer": order.organizer.name,
                "code": order.code,
            }
            body = render_to_string("sales/email/order_confirmation.txt", context)
            html_body = render_to_string("sales/email/order_confirmation.html", context)
            pdf = tickets_pdf(order)
        order.confirmation_sent_at = timezone.now()
        order.save(update_fields=["confirmation_sent_at"])
        # Sent inside the lock: a second task waits, then sees confirmation_sent_at.
        message_send(
            to=[order.email],
            subject=subject,
            body=body,
            html_body=html_body,
            attachments=[(f"tickets-{order.code}.pdf", pdf, "application/pdf")],
        )
    return True


# --- online payment ----------------------------------------------------------------------


def _payment_cancel_pending(order: Order) -> None:
    """Cancel the order's open card payment, if any (PaymentUnderway when it is being paid)."""
    from apps.payments.models import Payment
    from apps.payments.services import payment_cancel

    pending = Payment.objects.filter(
        purpose=Order.PAYMENT_PURPOSE, object_id=order.pk, status=Payment.Status.PENDING
    )
    for payment_id in pending.values_list("pk", flat=True):
        payment_cancel(payment_id=payment_id)


def order_payment_start(*, order: Order):
    """The Stripe payment of a pending order, on its organizer's account with the platform's fee."""
    from apps.payments.services import payment_start

    if order.status != Order.Status.PENDING:
        raise OrderRejected(_("Order %(code)s is not awaiting payment.") % {"code": order.code})
    return payment_start(
        purpose=Order.PAYMENT_PURPOSE,
        object_id=order.pk,
        amount=order.total,
        currency=order.currency,
        organizer=order.organizer,
        application_fee=application_fee_of(order),
        description=_("Order %(code)s") % {"code": order.code},
    )


def application_fee_of(order: Order) -> Decimal:
    """The platform's cut of an online order, as the platform says (core.hooks'
    sale_application_fee, answered by billing from the client's plan), never more than the
    order's total."""
    sale = FeeableSale(
        schema_name=connection.schema_name,
        organizer_id=order.organizer_id,
        currency=order.currency,
        paid_tickets=order.tickets.filter(price__gt=0).count(),
        subtotal=order.subtotal,
    )
    fee = hooks.sale_application_fee(sale)
    return min(quantize(fee, order.currency), order.total)


def order_paid_by_payment(order_id: int, payment_id: int) -> None:
    """apps.core.hooks.payment_succeeded for the purpose "order" (SalesConfig.ready)."""
    from apps.payments.models import Payment

    order_payment_received(order_id=order_id, payment=Payment.objects.get(pk=payment_id))


def order_payment_received(*, order_id: int, payment) -> Order:
    """A payment for the order succeeded. The order is paid only when the payment is for
    exactly its total and currency and the order can still be sold; any other payment
    (the cart changed, the order was cancelled, or expired and its seats are gone, or it
    was paid already) goes back to the buyer in full, on the order's record, and the
    buyer is told. Never lost."""
    from apps.payments import services as payments

    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status == Order.Status.PAID:
            reason = payments.REASON_ALREADY_PAID
        elif (payment.amount_received, payment.currency) != (order.total, order.currency):
            reason = payments.REASON_AMOUNT
        else:
            try:
                return order_mark_paid(order_id=order_id)
            except SoldOut:
                reason = payments.REASON_SOLD_OUT
            except OrderRejected:
                reason = payments.REASON_CLOSED
        if reason == payments.REASON_SOLD_OUT:
            order.status = Order.Status.REFUNDED
            order.holds_capacity = False
            order.save(update_fields=["status", "holds_capacity"])
            order.tickets.update(status=Ticket.Status.REFUNDED, voided_at=timezone.now())
        payments.payment_refund_due(payment_id=payment.pk, reason=reason)
        audit_log(
            actor=SYSTEM,
            action="order.payment_refunded",
            target=order,
            reason=reason,
            payment=payment.intent_id,
            amount=str(payment.amount_received),
            currency=payment.currency,
        )
        _payment_refunded_notice(order, payment, reason)
    return order


def _payment_refunded_notice(order: Order, payment, reason: str) -> None:
    from django.template.loader import render_to_string
    from django.utils import translation

    from apps.core.emails import email_send
    from apps.payments import services as payments

    if not order.email:
        return
    with translation.override(order.language or settings.LANGUAGE_CODE):
        why = {
            payments.REASON_SOLD_OUT: _(
                "it arrived after your reservation had expired, and the last tickets were sold in the meantime"
            ),
            payments.REASON_CLOSED: _("your order had been cancelled or had expired before it arrived"),
            payments.REASON_AMOUNT: _(
                "it was not for your order's total, which changed after you started paying"
            ),
            payments.REASON_ALREADY_PAID: _("your order had already been paid"),
        }[reason]
        email_send(
            to=[order.email],
            subject=_("Your order %(code)s could not be completed: refunded") % {"code": order.code},
            body=render_to_string(
                "sales/email/payment_refunded.txt",
                {"order": order, "payment": payment, "reason": why},
            ),
        )


# --- check-in ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Admission:
    ticket: Ticket
    event_date: EventDate


def ticket_check_in(*, code: str, tickets, event_date_id: int | None = None, operator=None) -> Admission:
    """Admit the ticket with `code` (among `tickets`, those the operator may check) once for
    its date, or raise CheckInRefused saying why: unknown, not paid, cancelled or refunded,
    already admitted (and when), or a pass scanned without a date of its event."""
    from django.db import IntegrityError

    from apps.sales.models import CheckIn

    ticket = (
        tickets.select_related("order", "ticket_type__event", "event_date").filter(code=code.strip()).first()
    )
    if ticket is None:
        raise CheckInRefused("unknown", _("Unknown ticket: this code is not a ticket of your events."))
    if ticket.status != Ticket.Status.VALID:
        raise CheckInRefused(
            ticket.status,
            _("Not valid: this ticket was %(status)s.") % {"status": ticket.get_status_display().lower()},
        )
    if ticket.order.status != Order.Status.PAID:
        raise CheckInRefused("unpaid", _("Not valid: its order is not paid."))
    event_date = ticket.event_date
    if event_date is None:  # a pass: the gate says which date, or the event has only one
        dates = EventDate.objects.filter(event_id=ticket.ticket_type.event_id)
        event_date = dates.filter(pk=event_date_id).first() if event_date_id else None
        if event_date is None and not event_date_id and dates.count() == 1:
            event_date = dates.first()
        if event_date is None:
            raise CheckInRefused(
                "date", _("This pass is valid on several dates: choose the date at this gate.")
            )
    elif event_date_id and event_date_id != event_date.pk:
        raise CheckInRefused(
            "wrong_date", _("Not for this date: the ticket is for %(date)s.") % {"date": event_date}
        )
    try:
        with transaction.atomic():
            CheckIn.objects.create(ticket=ticket, event_date=event_date, checked_in_by=operator)
    except IntegrityError:
        first = CheckIn.objects.get(ticket=ticket, event_date=event_date)
        raise CheckInRefused(
            "already",
            _("Already admitted at %(time)s.")
            % {"time": timezone.localtime(first.checked_in_at).strftime("%H:%M:%S")},
        ) from None
    return Admission(ticket=ticket, event_date=event_date)


# --- the shop's cart and checkout ------------------------------------------------------------


@transaction.atomic
def cart_lines_add(*, order_id: int, lines: Sequence[OrderLine], holder: Holder | None = None) -> Order:
    """Add tickets to a cart (a held, pending order) before its time runs out, taking their
    capacity or raising SoldOut with the cart unchanged. Each ticket type's maximum per order
    counts what the cart already has; `holder` is held to the limits of apps.sales.holds.
    The time the cart holds its tickets is never extended."""
    now = timezone.now()
    if holder is not None:  # its locks first, before the order's row and the counters
        holds_reserve(holder=holder, adding=sum(line.quantity for line in lines), now=now)
    order = Order.objects.select_for_update().select_related("distribution__organizer").get(pk=order_id)
    if order.status != Order.Status.PENDING or order.expires_at <= now:
        raise OrderRejected(_("Your reservation has expired; please choose your tickets again."))
    in_cart = Counter(
        order.tickets.filter(status=Ticket.Status.VALID).values_list("ticket_type_id", flat=True)
    )
    tickets, pass_dates = _priced_tickets(lines, order.distribution, now, already=in_cart)
    _payment_cancel_pending(order)  # the cart is frozen once paying starts: start over
    inventory.take(_claim_of(tickets, pass_dates), state="held")
    for ticket in tickets:
        ticket.order = order
    Ticket.objects.bulk_create(tickets)
    added = quantize(sum((t.price + t.fee for t in tickets), Decimal(0)), order.currency)
    order.subtotal += quantize(sum((t.price for t in tickets), Decimal(0)), order.currency)
    order.fee_total += quantize(sum((t.fee for t in tickets), Decimal(0)), order.currency)
    order.total += added
    order.save(update_fields=["subtotal", "fee_total", "total"])
    return order


@transaction.atomic
def order_checkout(
    *, order_id: int, email: str, buyer_name: str = "", customer=None, language: str = ""
) -> Order:
    """Give a cart its buyer; a free one is paid (and its tickets sent) at once."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status != Order.Status.PENDING or order.expires_at <= timezone.now():
        raise OrderRejected(_("Your reservation has expired; please choose your tickets again."))
    order.email = email
    order.buyer_name = buyer_name
    order.customer = customer if customer is not None else order.customer
    order.language = language or order.language
    order.save(update_fields=["email", "buyer_name", "customer", "language"])
    if order.total == 0:
        order.payment_method = Order.PaymentMethod.FREE
        order.save(update_fields=["payment_method"])
        return order_mark_paid(order_id=order.pk)
    return order


# --- refunds -----------------------------------------------------------------------------------


@transaction.atomic
def order_refund(*, order_id: int, ticket_ids: Sequence[int] | None = None, actor: Actor = SYSTEM) -> Order:
    """Refund a paid order, whole or some of its tickets: a card payment is refunded through
    Stripe (the platform's fee in proportion), counter payments are given back at the
    counter; the tickets are void and their seats return to sale."""
    from apps.payments.selectors import payment_settled_of
    from apps.payments.services import payment_refund

    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status != Order.Status.PAID:
        raise OrderRejected(_("Only a paid order can be refunded."))
    valid = order.tickets.filter(status=Ticket.Status.VALID).select_related("ticket_type")
    tickets = list(valid.filter(pk__in=ticket_ids) if ticket_ids is not None else valid)
    if not tickets or (ticket_ids is not None and len(tickets) != len(set(ticket_ids))):
        raise OrderRejected(_("Choose valid tickets of this order to refund."))
    amount = quantize(sum((t.price + t.fee for t in tickets), Decimal(0)), order.currency)
    if order.payment_method == Order.PaymentMethod.STRIPE and amount > 0:
        payment = payment_settled_of(purpose=Order.PAYMENT_PURPOSE, object_id=order.pk)
        payment_refund(payment_id=payment.pk, amount=amount, reason=f"order {order.code}")
    inventory.give_back(_claim_of_tickets(tickets), state="sold")
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
        status=Ticket.Status.REFUNDED, voided_at=timezone.now()
    )
    if not order.tickets.filter(status=Ticket.Status.VALID).exists():
        order.status = Order.Status.REFUNDED
        order.holds_capacity = False
        order.save(update_fields=["status", "holds_capacity"])
    audit_log(
        actor=actor,
        action="order.refunded",
        target=order,
        amount=str(amount),
        tickets=[t.pk for t in tickets],
    )
    return order


# --- fee rules ----------------------------------------------------------------------------------

FEE_RULE_FIELDS = ("name", "fixed", "percent", "paid_by")


@transaction.atomic
def fee_rule_save(*, rule=None, organizer=None, event=None, actor: Actor = SYSTEM, **fields):
    """Create (or, given `rule`, change) a fee rule; an event's rule belongs to its organizer.
    One rule per event, per organizer and for the organization: another is a clear error."""
    from django.core.exceptions import ValidationError

    from apps.sales.models import FeeRule

    unknown = set(fields) - set(FEE_RULE_FIELDS)
    if unknown:
        raise TypeError(f"not a fee rule field: {', '.join(sorted(unknown))}")
    creating = rule is None
    if creating:
        rule = FeeRule(organizer=event.organizer if event is not None else organizer, event=event)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.full_clean(validate_constraints=False)
    scope = FeeRule.objects.exclude(pk=rule.pk)
    if rule.event_id:
        taken = scope.filter(event_id=rule.event_id)
    elif rule.organizer_id:
        taken = scope.filter(organizer_id=rule.organizer_id, event=None)
    else:
        taken = scope.filter(organizer=None, event=None)
    if taken.exists():
        raise ValidationError(_("There is already a fee rule for this; change that one instead."))
    rule.save()
    catalog_changed()
    audit_log(actor=actor, action="fee_rule.created" if creating else "fee_rule.changed", target=rule)
    return rule


@transaction.atomic
def fee_rule_delete(*, rule, actor: Actor = SYSTEM) -> None:
    audit_log(actor=actor, action="fee_rule.deleted", target=rule)
    rule.delete()
    catalog_changed()
