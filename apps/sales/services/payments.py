"""An order's card payment: started on the organizer's Stripe account with the platform's
fee, its success applied to the order (or refunded when it cannot be), and refunds."""

from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.core import hooks
from apps.core.audit import Actor, audit_log
from apps.core.emails import email_send
from apps.core.hooks import FeeableSale
from apps.core.money import quantize
from apps.core.schemas import current_schema
from apps.payments import services as payments
from apps.payments.models import Payment
from apps.payments.selectors import payment_settled_of
from apps.payments.services import payment_refund, payment_start
from apps.sales import inventory
from apps.sales.exceptions import OrderRejected, SoldOut
from apps.sales.models import Order, OrderAddOn, Ticket
from apps.sales.services import addons
from apps.sales.services.orders import SYSTEM, claim_of_tickets, order_mark_paid
from apps.sales.services.passes import pass_bookings_release
from apps.sales.services.vouchers import vouchers_release
from apps.sales.services.waiting_list import waiting_list_capacity_freed


def order_payment_start(*, order: Order) -> Payment:
    """The Stripe payment of a pending order, on its organizer's account with the platform's fee."""
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
    schema_name = current_schema()
    sale = FeeableSale(
        schema_name=schema_name,
        organizer_id=order.organizer_id,
        currency=order.currency,
        paid_tickets=order.tickets.filter(price__gt=0).count(),
        subtotal=order.subtotal,
    )
    fee = hooks.sale_application_fee(sale)
    return min(quantize(fee, order.currency), order.total)


def order_paid_by_payment(order_id: int, payment_id: int) -> None:
    """apps.core.hooks.payment_succeeded for the purpose "order" (SalesConfig.ready)."""
    order_payment_received(order_id=order_id, payment=Payment.objects.get(pk=payment_id))


def order_payment_received(*, order_id: int, payment: Payment) -> Order:
    """A payment for the order succeeded. The order is paid only when the payment is for
    exactly its total and currency and the order can still be sold; any other payment
    (the cart changed, the order was cancelled, or expired and its seats are gone, or it
    was paid already) goes back to the buyer in full, on the order's record, and the
    buyer is told. Never lost."""
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
            # Expired, the order held no add-on stock either: nothing to give back.
            addons.add_ons_void(
                addons.add_ons_valid(order), status=OrderAddOn.Status.REFUNDED, give_back=None
            )
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


def _payment_refunded_notice(order: Order, payment: Payment, reason: str) -> None:
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


@transaction.atomic
def order_refund(
    *,
    order_id: int,
    ticket_ids: Sequence[int] | None = None,
    actor: Actor = SYSTEM,
    notify_buyer: bool = True,
    add_on_ids: Sequence[int] | None = None,
) -> Order:
    """Refund a paid order, whole or some of its tickets: a card payment is refunded through
    Stripe (the platform's fee in proportion), counter payments are given back at the
    counter (recorded as such: `via` in the audit log); the tickets are void and their seats
    return to sale; the buyer is told by e-mail (`notify_buyer`), in their language.
    `add_on_ids`: add-on lines to refund as well, or alone (without `ticket_ids`: no ticket);
    a ticket's add-ons go with it, the order's own with its last ticket."""
    order = Order.objects.select_for_update().select_related("organizer").get(pk=order_id)
    if order.status != Order.Status.PAID:
        raise OrderRejected(_("Only a paid order can be refunded."))
    valid = order.tickets.filter(status=Ticket.Status.VALID).select_related(
        "ticket_type__event__location", "ticket_type__event__organizer", "event_date"
    )
    if ticket_ids is None and add_on_ids is not None:
        ticket_ids = []  # only the add-ons named
    tickets = list(valid.filter(pk__in=ticket_ids) if ticket_ids is not None else valid)
    chosen_add_ons = addons.add_ons_chosen(order, add_on_ids)
    if (not tickets and not chosen_add_ons) or (
        ticket_ids is not None and len(tickets) != len(set(ticket_ids))
    ):
        raise OrderRejected(_("Choose valid tickets of this order to refund."))
    # The add-ons of the refunded tickets go with them; the order's own, with its last ticket.
    whole = bool(tickets) and not valid.exclude(pk__in=[t.pk for t in tickets]).exists()
    add_on_lines = addons.add_ons_valid(order, ticket_ids=None if whole else [t.pk for t in tickets])
    add_on_lines += [line for line in chosen_add_ons if line.pk not in {a.pk for a in add_on_lines}]
    amount = quantize(
        sum((t.price + t.fee for t in tickets), Decimal(0))
        + sum((a.price for a in add_on_lines), Decimal(0)),
        order.currency,
    )
    if order.payment_method == Order.PaymentMethod.STRIPE and amount > 0:
        payment = payment_settled_of(purpose=Order.PAYMENT_PURPOSE, object_id=order.pk)
        if payment is None:
            raise OrderRejected(_("This order has no card payment to refund."))
        payment_refund(payment_id=payment.pk, amount=amount, reason=f"order {order.code}")
    pass_bookings_release(order=order, ticket_ids=[t.pk for t in tickets])
    vouchers_release(tickets)  # their uses back (before the counters: the lock order)
    freed = claim_of_tickets(tickets)
    inventory.give_back(freed, state="sold")
    addons.add_ons_void(add_on_lines, status=OrderAddOn.Status.REFUNDED, give_back="sold")
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
        status=Ticket.Status.REFUNDED, voided_at=timezone.now()
    )
    if not order.tickets.filter(status=Ticket.Status.VALID).exists():
        order.status = Order.Status.REFUNDED
        order.holds_capacity = False
        order.save(update_fields=["status", "holds_capacity"])
    via = (
        "stripe"
        if order.payment_method == Order.PaymentMethod.STRIPE and amount > 0
        else order.payment_method
    )
    audit_log(
        actor=actor,
        action="order.refunded",
        target=order,
        amount=str(amount),
        tickets=[t.pk for t in tickets],
        add_ons=[a.pk for a in add_on_lines],
        via=via,
    )
    waiting_list_capacity_freed(order=order, date_ids=freed.dates)  # seats to the line first
    if notify_buyer and order.email:
        _refund_notice(order, tickets, amount, add_on_lines)
        audit_log(actor=actor, action="order.refund_notice_sent", target=order, to=order.email)
    return order


def _refund_notice(
    order: Order, tickets: Sequence[Ticket], amount: Decimal, add_ons: Sequence[OrderAddOn] = ()
) -> None:
    """The buyer's e-mail about a refund by the organizer, sent on commit."""
    with translation.override(order.language or settings.LANGUAGE_CODE):
        context = {
            "order": order,
            "tickets": tickets,
            "add_ons": add_ons,
            "amount": amount,
            "whole": order.status == Order.Status.REFUNDED,
            "by_card": order.payment_method == Order.PaymentMethod.STRIPE,
        }
        email_send(
            to=[order.email],
            subject=_("Refund of your order %(code)s from %(organizer)s")
            % {"code": order.code, "organizer": order.organizer.name},
            body=render_to_string("sales/email/order_refunded.txt", context),
            html_body=render_to_string("sales/email/order_refunded.html", context),
        )
