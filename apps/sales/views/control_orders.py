"""The control panel's orders: the list (search, filters, sort, pages) and each order's page.

Which orders one sees is apps.sales.selectors.orders (the permission module's rule,
Action.MANAGE_ORDER): an order one may not see answers 404. Every page is a `control_view`
(apps.operators.decorators) for whoever sees orders (`can_see_orders`).
"""

from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from apps.core.money import format_money
from apps.operators.decorators import control_view
from apps.operators.permissions import can_see_orders
from apps.sales.forms import OrderFilterForm
from apps.sales.selectors import orders as selected


def _filters(form: OrderFilterForm) -> selected.OrderFilters:
    """The filters of the form's valid fields (a bad field filters nothing)."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return selected.OrderFilters(
        search=data.get("q") or "",
        status=data.get("status") or "",
        event=data.get("event"),
        event_date=data.get("date"),
        distribution=data.get("distribution"),
        placed_from=data.get("placed_from"),
        placed_until=data.get("placed_until"),
        payment_method=data.get("payment_method") or "",
        sort=data.get("sort") or selected.DEFAULT_SORT,
    )


def _chosen_event(request) -> int | None:
    value = request.GET.get("event", "")
    return int(value) if value.isdigit() else None


def _page(request, rows):
    """A page of `rows` with links to its neighbours that keep the search and filters."""
    page: Any = Paginator(rows, selected.PER_PAGE).get_page(request.GET.get("page"))
    kept = request.GET.copy()
    kept.pop("page", None)
    keep = f"&{kept.urlencode()}" if kept else ""
    page.previous_url = f"?page={page.previous_page_number()}{keep}" if page.has_previous() else ""
    page.next_url = f"?page={page.next_page_number()}{keep}" if page.has_next() else ""
    return page


@control_view(check=can_see_orders)
def order_list(request):
    """The orders one sees, newest first, to search, filter, sort and page through."""
    user = request.user
    event_id = _chosen_event(request)
    form = OrderFilterForm(
        request.GET,
        events=selected.events_of_orders(user),
        dates=selected.dates_of_event(user, event_id) if event_id is not None else [],
        distributions=selected.distributions_of_orders(user),
    )
    filters = _filters(form)
    page = _page(request, selected.orders_listed(user, filters))
    filtered = any(value for key, value in request.GET.items() if key not in ("page", "sort"))
    return render(
        request,
        "sales/control/order_list.html",
        {"form": form, "page": page, "filtered": filtered, "event_chosen": event_id is not None},
        status=400 if form.errors else 200,
    )


def _order(request, code) -> Any:
    order = selected.order_visible_to(request.user, code)
    if order is None:
        raise Http404
    return order


@control_view(check=can_see_orders)
def order_detail(request, code):
    """An order: its buyer, tickets, payments, fees and history, and what one may do with it."""
    order = _order(request, code)
    tickets = selected.order_tickets(order)
    payments = selected.order_payments(order)
    return render(
        request,
        "sales/control/order_detail.html",
        {
            "order": order,
            "tickets": tickets,
            "payments": payments,
            "fees": selected.order_fees(order, tickets),
            "history": history_rows(order, tickets, selected.order_history(order, tickets)),
            "application_fee": sum((payment.application_fee for payment in payments), Decimal(0)),
        },
    )


HISTORY_LABELS = {
    "order.created": pgettext_lazy("order history", "Placed"),
    "order.paid": pgettext_lazy("order history", "Paid"),
    "order.confirmation_sent": pgettext_lazy("order history", "Tickets e-mailed to the buyer"),
    "order.cancelled": pgettext_lazy("order history", "Cancelled"),
    "order.expired": pgettext_lazy("order history", "Expired unpaid"),
    "order.refunded": pgettext_lazy("order history", "Refunded"),
    "order.refund_notice_sent": pgettext_lazy("order history", "Refund e-mailed to the buyer"),
    "order.payment_refunded": pgettext_lazy(
        "order history", "Payment given back (it could not pay the order)"
    ),
    "order.email_changed": pgettext_lazy("order history", "Buyer's e-mail address changed"),
    "order.attendee_changed": pgettext_lazy("order history", "Attendee's name changed"),
    "invoice.issued": pgettext_lazy("order history", "Invoice issued"),
    "ticket.checked_in": pgettext_lazy("order history", "Checked in"),
}


def _history_detail(line: selected.HistoryLine, order, ticket_numbers: dict[int, int]) -> str:
    data = line.data

    def tickets(ids) -> str:
        return ", ".join(f"#{ticket_numbers.get(pk, pk)}" for pk in ids)

    if line.action == "order.refunded":
        return _("%(amount)s, tickets %(tickets)s") % {
            "amount": format_money(data.get("amount"), order.currency, style="symbol"),
            "tickets": tickets(data.get("tickets", [])),
        }
    if line.action == "order.email_changed":
        return _("from %(old)s to %(new)s") % {"old": data.get("old", ""), "new": data.get("new", "")}
    if line.action == "order.attendee_changed":
        return _("ticket %(ticket)s: from “%(old)s” to “%(new)s”") % {
            "ticket": tickets([data.get("ticket")]),
            "old": data.get("old", ""),
            "new": data.get("new", ""),
        }
    if line.action == "ticket.checked_in":
        return _("ticket %(ticket)s") % {"ticket": tickets([data.get("ticket")])}
    if line.action == "invoice.issued":
        return line.target
    if line.action == "order.created":
        return format_money(data.get("total"), order.currency, style="symbol") if data.get("total") else ""
    return ""


def history_rows(order, tickets, lines) -> list[dict[str, Any]]:
    """The order's history as its page shows it: when, what, by whom, details."""
    numbers = {ticket.pk: n for n, ticket in enumerate(tickets, start=1)}
    return [
        {
            "at": line.at,
            "label": pgettext("order history", "Placed and paid")
            if line.action == "order.created" and line.data.get("status") == "paid"
            else HISTORY_LABELS.get(line.action, line.action),
            "by": line.by,
            "detail": _history_detail(line, order, numbers),
        }
        for line in lines
    ]
