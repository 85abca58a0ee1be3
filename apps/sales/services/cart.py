"""The shop's cart (a held, pending order) and its checkout."""

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.money import quantize
from apps.sales import inventory
from apps.sales.exceptions import OrderRejected, VoucherRefused
from apps.sales.holds import Holder, holds_reserve
from apps.sales.models import Order, Ticket, Voucher
from apps.sales.selectors import fee_of, fee_rules_for
from apps.sales.selectors.taxes import tax_rules_of, taxed_price
from apps.sales.selectors.vouchers import voucher_applies, voucher_listed_price
from apps.sales.services.buyer_limits import buyer_limits_enforce
from apps.sales.services.orders import (
    OrderLine,
    claim_of,
    order_mark_paid,
    order_payment_cancel_pending,
    priced_tickets,
)
from apps.sales.services.vouchers import voucher_buyers_enforce, vouchers_take


def _pending_expiry(order: Order) -> datetime:
    """A pending order's `expires_at`, never None (constraint sales_order_pending_expires)."""
    return cast(datetime, order.expires_at)


@transaction.atomic
def cart_lines_add(
    *, order_id: int, lines: Sequence[OrderLine], holder: Holder | None = None, voucher: Voucher | None = None
) -> Order:
    """Add tickets to a cart (a held, pending order) before its time runs out, taking their
    capacity or raising SoldOut with the cart unchanged. Each ticket type's maximum per order
    counts what the cart already has; `holder` is held to the limits of apps.sales.holds.
    The time the cart holds its tickets is never extended. `voucher`: as order_create's (the
    tickets it applies to use it; hidden ticket types need it)."""
    now = timezone.now()
    if holder is not None:  # its locks first, before the order's row and the counters
        holds_reserve(holder=holder, adding=sum(line.quantity for line in lines), now=now)
    order = Order.objects.select_for_update().select_related("distribution__organizer").get(pk=order_id)
    if order.status != Order.Status.PENDING or _pending_expiry(order) <= now:
        raise OrderRejected(_("Your reservation has expired; please choose your tickets again."))
    in_cart = Counter(
        order.tickets.filter(status=Ticket.Status.VALID).values_list("ticket_type_id", flat=True)
    )
    tickets, pass_dates = priced_tickets(lines, order.distribution, now, already=in_cart, voucher=voucher)
    # A buyer known already (logged in, or back from checking out) is held to each event's
    # limit per buyer now; a guest's cart is, at checkout.
    buyer_limits_enforce(tickets=tickets, customer=order.customer, email=order.email, now=now)
    voucher_buyers_enforce(
        tickets=tickets, customer=order.customer, email=order.email, now=now, excluding_order_id=order.pk
    )
    order_payment_cancel_pending(order)  # the cart is frozen once paying starts: start over
    vouchers_take(tickets, now=now)
    inventory.take(claim_of(tickets, pass_dates), state="held")
    for ticket in tickets:
        ticket.order = order
    Ticket.objects.bulk_create(tickets)
    added = quantize(sum((t.price + t.fee for t in tickets), Decimal(0)), order.currency)
    order.subtotal += quantize(sum((t.price for t in tickets), Decimal(0)), order.currency)
    order.fee_total += quantize(sum((t.fee for t in tickets), Decimal(0)), order.currency)
    order.tax_total += quantize(sum((t.tax for t in tickets), Decimal(0)), order.currency)
    order.discount_total += quantize(sum((t.discount for t in tickets), Decimal(0)), order.currency)
    order.total += added
    order.save(update_fields=["subtotal", "fee_total", "tax_total", "discount_total", "total"])
    return order


@transaction.atomic
def order_checkout(
    *, order_id: int, email: str, buyer_name: str = "", customer: User | None = None, language: str = ""
) -> Order:
    """Give a cart its buyer; a free one is paid (and its tickets sent) at once. Raises
    BuyerLimitReached when the cart and the buyer's other orders pass an event's limit per
    buyer (apps.sales.services.buyer_limits)."""
    now = timezone.now()
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status != Order.Status.PENDING or _pending_expiry(order) <= now:
        raise OrderRejected(_("Your reservation has expired; please choose your tickets again."))
    buyer_limits_enforce(
        tickets=order.tickets.filter(status=Ticket.Status.VALID).select_related("ticket_type__event"),
        customer=customer if customer is not None else order.customer,
        email=email,
        now=now,
        excluding_order_id=order.pk,
    )
    voucher_buyers_enforce(
        tickets=order.tickets.filter(status=Ticket.Status.VALID, voucher__isnull=False),
        customer=customer if customer is not None else order.customer,
        email=email,
        now=now,
        excluding_order_id=order.pk,
    )
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


@transaction.atomic
def cart_voucher_apply(*, order_id: int, voucher: Voucher) -> int:
    """Price the cart's tickets the voucher applies to (those sold at their listed price, with
    no voucher yet) with it, taking their uses; returns how many it now applies to. Raises
    VoucherRefused when it applies to none, or has too few uses left, or is past its limit
    for this buyer; the cart is then unchanged. Paying, if started, starts over."""
    now = timezone.now()
    order = Order.objects.select_for_update().select_related("distribution__organizer").get(pk=order_id)
    if order.status != Order.Status.PENDING or _pending_expiry(order) <= now:
        raise OrderRejected(_("Your reservation has expired; please choose your tickets again."))
    currency = order.currency
    candidates = [
        t
        for t in order.tickets.filter(status=Ticket.Status.VALID, voucher__isnull=True).select_related(
            "ticket_type__event"
        )
        if voucher_applies(voucher, t.ticket_type)
    ]
    taxes = tax_rules_of(t.ticket_type for t in candidates)
    rules = fee_rules_for(order.distribution.organizer, {t.ticket_type.event_id for t in candidates})
    repriced = []
    for ticket in candidates:
        ticket_type = ticket.ticket_type
        full = taxed_price(ticket_type.price, currency, taxes.get(ticket_type.pk))
        if ticket.price != full.price:  # priced otherwise (an offer, a renewal): left as it is
            continue
        taxed = taxed_price(
            voucher_listed_price(voucher, ticket_type.price, currency), currency, taxes.get(ticket_type.pk)
        )
        fee, absorbed = fee_of(rules.get(ticket_type.event_id), taxed.price, currency)
        order.subtotal += taxed.price - ticket.price
        order.tax_total += taxed.tax - ticket.tax
        order.fee_total += fee - ticket.fee
        order.discount_total += full.price - taxed.price
        ticket.voucher, ticket.discount = voucher, full.price - taxed.price
        ticket.price, ticket.tax, ticket.fee, ticket.absorbed_fee = taxed.price, taxed.tax, fee, absorbed
        repriced.append(ticket)
    if not repriced:
        raise VoucherRefused(_("The code %(code)s is not valid for these tickets.") % {"code": voucher.code})
    voucher_buyers_enforce(
        tickets=repriced, customer=order.customer, email=order.email, now=now, excluding_order_id=order.pk
    )
    vouchers_take(repriced, now=now)
    order_payment_cancel_pending(order)  # the total changes: paying starts over
    Ticket.objects.bulk_update(repriced, ["voucher", "discount", "price", "tax", "fee", "absorbed_fee"])
    order.total = order.subtotal + order.fee_total
    order.save(update_fields=["subtotal", "tax_total", "fee_total", "discount_total", "total"])
    return len(repriced)
