"""Add-ons put into a shop cart (a held, pending order) after its tickets."""

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.sales.exceptions import AddOnSoldOut, OrderRejected
from apps.sales.models import Order, OrderAddOn, Ticket
from apps.sales.services import addons
from apps.sales.services.orders import order_payment_cancel_pending, orders_expire_holding_add_ons


def cart_add_ons_add(*, order_id: int, choices: Sequence[addons.AddOnChoice]) -> Order:
    """Add the chosen add-ons to a cart before its time runs out, holding their stock or
    raising AddOnSoldOut with the cart unchanged (once more after expiring the overdue
    orders that hold the last units). The cart's time is never extended."""
    try:
        return _cart_add_ons_add(order_id=order_id, choices=choices)
    except AddOnSoldOut as exc:
        if not orders_expire_holding_add_ons(exc.ids):
            raise
    return _cart_add_ons_add(order_id=order_id, choices=choices)


@transaction.atomic
def _cart_add_ons_add(*, order_id: int, choices: Sequence[addons.AddOnChoice]) -> Order:
    now = timezone.now()
    # The order's row only: locking its organizer's too would queue every sale behind carts.
    order = Order.objects.select_for_update(of=("self",)).select_related("organizer").get(pk=order_id)
    if order.status != Order.Status.PENDING or cast(datetime, order.expires_at) <= now:
        raise OrderRejected(_("Your reservation has expired; please choose your tickets again."))
    if not choices:
        raise OrderRejected(_("Choose at least one add-on."))
    tickets = list(order.tickets.filter(status=Ticket.Status.VALID).select_related("ticket_type"))
    valid_ids = {t.pk for t in tickets}
    if any(c.ticket is not None and c.ticket.pk not in valid_ids for c in choices):
        raise OrderRejected(_("Add-ons go with the tickets in your cart."))
    lines = addons.add_ons_priced(
        choices, organizer=order.organizer, tickets=tickets, already=addons.add_ons_valid(order)
    )
    order_payment_cancel_pending(order)  # the cart is frozen once paying starts: start over
    price, tax = addons.add_on_totals(lines, order.currency)
    addons.add_on_lines_save(order, lines, state="held")
    order.subtotal += price
    order.tax_total += tax
    order.total += price
    order.save(update_fields=["subtotal", "tax_total", "total"])
    return order


@transaction.atomic
def cart_add_on_remove(*, order_id: int, line_id: int) -> Order:
    """Take an add-on line out of a cart before its time runs out: its held stock goes back
    (once: the line is void after) and the cart's totals drop by its price."""
    now = timezone.now()
    order = Order.objects.select_for_update(of=("self",)).select_related("organizer").get(pk=order_id)
    if order.status != Order.Status.PENDING or cast(datetime, order.expires_at) <= now:
        raise OrderRejected(_("Your reservation has expired; please choose your tickets again."))
    lines = [line for line in addons.add_ons_valid(order) if line.pk == line_id]
    if not lines:
        raise OrderRejected(_("This add-on is no longer in your cart."))
    order_payment_cancel_pending(order)  # the cart is frozen once paying starts: start over
    price, tax = addons.add_on_totals(lines, order.currency)
    addons.add_ons_void(lines, status=OrderAddOn.Status.CANCELLED, give_back="held")
    order.subtotal -= price
    order.tax_total -= tax
    order.total -= price
    order.save(update_fields=["subtotal", "tax_total", "total"])
    return order
