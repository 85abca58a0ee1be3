"""Add-ons chosen on forms: in the shop's cart (per ticket, per order) and at the box office."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.exceptions import DomainError
from apps.sales.addon_forms import add_on_quantities
from apps.sales.models import AddOn, Order
from apps.sales.selectors import addons as reads
from apps.sales.services.addon_cart import cart_add_on_remove, cart_add_ons_add
from apps.sales.services.addons import AddOnChoice, AddOnRequest


def add_on_field(add_on_id: int, ticket_id: int | None) -> str:
    """The name of a quantity field: addon-<add-on id>-<ticket id, or "order">."""
    return f"addon-{add_on_id}-{ticket_id if ticket_id is not None else 'order'}"


def cart_add_on_context(order: Order, tickets) -> dict:
    """What the cart page shows of add-ons: the lines chosen (under their ticket, or the
    order's) and what may still be added, with each quantity field's name and maximum."""
    lines = reads.add_on_lines_of(order)
    by_ticket = reads.add_on_lines_by_ticket(line for line in lines if line.status == "valid")
    offers = reads.offers_for(order.organizer, list(tickets))

    def offer_row(add_on, ticket_id):
        chosen = sum(line.quantity for line in by_ticket.get(ticket_id, []) if line.add_on_id == add_on.pk)
        left = reads.add_on_left(add_on)
        most = add_on.max_quantity - chosen
        if left is not None:
            most = min(most, left)
        return {"add_on": add_on, "field": add_on_field(add_on.pk, ticket_id), "max": max(0, most)}

    return {
        "add_on_lines": [line for line in lines if line.status == "valid"],
        "add_on_offers": {
            "per_ticket": [
                (offer.ticket, [offer_row(a, offer.ticket.pk) for a in offer.add_ons])
                for offer in offers.per_ticket
                if offer.add_ons
            ],
            "per_order": [offer_row(a, None) for a in offers.per_order],
        }
        if offers
        else None,
    }


@require_POST
def cart_add_ons(request):
    """Add the add-ons chosen on the cart page (fields addon-<id>-<ticket id or "order">)."""
    from apps.sales.views.shop import _cart  # a cycle at load: the shop's cart page imports this module

    order = _cart(request)
    if order is None:
        messages.error(request, _("Your reservation has expired; please choose your tickets again."))
        return redirect("cart")
    tickets = list(order.tickets.filter(status="valid").select_related("ticket_type"))
    offers = reads.offers_for(order.organizer, tickets)
    fields = {}
    for offer in offers.per_ticket:
        for add_on in offer.add_ons:
            fields[add_on_field(add_on.pk, offer.ticket.pk)] = (add_on, offer.ticket)
    for add_on in offers.per_order:
        fields[add_on_field(add_on.pk, None)] = (add_on, None)
    chosen, errors = add_on_quantities(request.POST, list(fields))
    if not chosen and not errors:
        errors = [_("Choose how many add-ons you want.")]
    if not errors:
        choices = [
            AddOnChoice(fields[name][0], quantity, fields[name][1]) for name, quantity in chosen.items()
        ]
        try:
            cart_add_ons_add(order_id=order.pk, choices=choices)
        except DomainError as exc:
            errors = [str(exc)]
        else:
            messages.success(request, _("Added to your cart."))
    for error in errors:
        messages.error(request, error)
    return redirect("cart")


@require_POST
def cart_add_on_drop(request, pk):
    """Take an add-on line out of the session's cart."""
    from apps.sales.views.shop import _cart  # a cycle at load: the shop's cart page imports this module

    order = _cart(request)
    if order is None:
        messages.error(request, _("Your reservation has expired; please choose your tickets again."))
        return redirect("cart")
    try:
        cart_add_on_remove(order_id=order.pk, line_id=pk)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Removed from your cart."))
    return redirect("cart")


# --- the box office ---------------------------------------------------------------------------


def counter_add_on_offers(organizer, listing) -> list[dict]:
    """The add-ons a counter sale of the listing's tickets may carry, each with its field
    (addon-<id>) and maximum: per ticket (that many with each ticket it is offered with) or
    per order."""
    ticket_types = [t for _d, _a, offers in listing.dates for t, _left in offers]
    ticket_types += [t for t, _left in listing.passes]
    return [
        {"add_on": add_on, "field": f"addon-{add_on.pk}", "max": add_on.max_quantity}
        for add_on in reads.add_ons_for_ticket_types(organizer, ticket_types)
    ]


def counter_add_on_requests(data, offers: list[dict], lines) -> tuple[list[AddOnRequest], list[str]]:
    """The add-ons asked for on the box office's form: a per-ticket one goes with every
    ticket of the lines it is offered with, a per-order one with the order."""
    chosen, errors = add_on_quantities(data, [offer["field"] for offer in offers])
    requests = []
    for offer in offers:
        quantity = chosen.get(offer["field"])
        add_on = offer["add_on"]
        if not quantity:
            continue
        if add_on.per == AddOn.Per.ORDER:
            requests.append(AddOnRequest(add_on, quantity))
            continue
        indexes = [i for i, line in enumerate(lines) if reads.offered_with(add_on, line.ticket_type)]
        if not indexes:
            errors.append(_("“%(name)s” is not offered with the tickets chosen.") % {"name": add_on.name})
        requests += [AddOnRequest(add_on, quantity, line=i) for i in indexes]
    return requests, errors
