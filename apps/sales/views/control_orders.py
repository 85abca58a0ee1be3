"""The control panel's orders: the list (search, filters, sort, pages) and each order's page.

Which orders one sees is apps.sales.selectors.orders (the permission module's rule,
Action.MANAGE_ORDER): an order one may not see answers 404. Every page is a `control_view`
(apps.operators.decorators) for whoever sees orders (`can_see_orders`).
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from apps.core.audit import Actor
from apps.core.exceptions import DomainError
from apps.core.forms import call_for_form
from apps.core.money import format_money
from apps.operators.decorators import control_view, require
from apps.operators.permissions import Action, can, can_see_orders
from apps.sales.forms import OrderChangeForm, OrderFilterForm, OrderRefundForm
from apps.sales.models import Order, Ticket
from apps.sales.selectors import orders as selected
from apps.sales.selectors.addons import add_on_lines_of, add_ons_refunded_with
from apps.sales.services.confirmations import order_confirmation_resend
from apps.sales.services.order_changes import order_cancel_unpaid, order_email_change, ticket_attendee_change
from apps.sales.services.payments import order_refund
from apps.sales.tickets import tickets_pdf
from apps.sales.views.shop_answers import answers_shown


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
    return int(value) if value.isascii() and value.isdigit() else None


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
    # Each label translated once per page, not twice per row (get_FOO_display translates anew).
    statuses = {value: str(label) for value, label in Order.Status.choices}
    methods = {value: str(label) for value, label in Order.PaymentMethod.choices}
    rows = list(page.object_list)
    selected.orders_described(rows)
    for order in rows:
        order.status_label = statuses.get(order.status, order.status)
        order.method_label = methods.get(order.payment_method, order.payment_method)
    filtered = any(value for key, value in request.GET.items() if key not in ("page", "sort"))
    return render(
        request,
        "sales/control/order_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "filtered": filtered,
            "event_chosen": event_id is not None,
        },
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
            "may_manage": can(request.user, Action.MANAGE_ORDER, order),
            "add_on_lines": add_on_lines_of(order),
        }
        | answers_shown(order, tickets),
    )


HISTORY_LABELS = {
    "order.created": pgettext_lazy("order history", "Placed"),
    "order.paid": pgettext_lazy("order history", "Paid"),
    "order.confirmation_sent": pgettext_lazy("order history", "Tickets e-mailed to the buyer"),
    "order.confirmation_resent": pgettext_lazy("order history", "Asked to e-mail the tickets again"),
    "order.cancelled": pgettext_lazy("order history", "Cancelled"),
    "order.expired": pgettext_lazy("order history", "Expired unpaid"),
    "order.refunded": pgettext_lazy("order history", "Refunded"),
    "order.refund_notice_sent": pgettext_lazy("order history", "Refund e-mailed to the buyer"),
    "order.payment_refunded": pgettext_lazy(
        "order history", "Payment given back (it could not pay the order)"
    ),
    "order.email_changed": pgettext_lazy("order history", "Buyer's e-mail address changed"),
    "order.attendee_changed": pgettext_lazy("order history", "Attendee's name changed"),
    "order.answers_changed": pgettext_lazy("order history", "Answers to the questions changed"),
    "order.buyer_limit_overridden": pgettext_lazy("order history", "Sold beyond the buyer's limit"),
    "invoice.issued": pgettext_lazy("order history", "Invoice issued"),
    "ticket.checked_in": pgettext_lazy("order history", "Checked in"),
}


def _history_detail(line: selected.HistoryLine, order, ticket_numbers: dict[int, int]) -> str:
    data = line.data

    def tickets(ids) -> str:
        return ", ".join(f"#{ticket_numbers.get(pk, pk)}" for pk in ids)

    if line.action == "order.refunded":
        refunded = _("%(amount)s, tickets %(tickets)s") % {
            "amount": format_money(data.get("amount"), order.currency, style="symbol"),
            "tickets": tickets(data.get("tickets", [])),
        }
        via = data.get("via")
        if via == "stripe":
            return _("%(refunded)s, to the card through Stripe") % {"refunded": refunded}
        if via in Order.COUNTER_METHODS:
            return _("%(refunded)s, given back at the counter") % {"refunded": refunded}
        return refunded
    if line.action == "order.email_changed":
        return _("from %(old)s to %(new)s") % {"old": data.get("old", ""), "new": data.get("new", "")}
    if line.action == "order.attendee_changed":
        return _("ticket %(ticket)s: from “%(old)s” to “%(new)s”") % {
            "ticket": tickets([data.get("ticket")]),
            "old": data.get("old", ""),
            "new": data.get("new", ""),
        }
    if line.action == "order.buyer_limit_overridden":
        return "; ".join(
            _("limit %(limit)s, had %(had)s, bought %(adding)s") % passed for passed in data.get("events", [])
        )
    if line.action == "order.answers_changed":
        return ngettext("%(count)s answer", "%(count)s answers", data.get("answers", 0)) % {
            "count": data.get("answers", 0)
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


# --- what one does with an order ----------------------------------------------------------------
# Each a POST with its CSRF token calling one service; refund and cancel show what they will
# do first and act on a second POST. A refusal of the service is a form error, never a 500.


def _managed(request, code):
    """The order one sees (404 otherwise), if one may act on it (403 otherwise)."""
    return require(request, Action.MANAGE_ORDER, _order(request, code))


def _valid(tickets):
    return [ticket for ticket in tickets if ticket.status == Ticket.Status.VALID]


def _to_order(order):
    return redirect("control-order-detail", code=order.code)


@require_POST
@control_view(check=can_see_orders)
def order_resend(request, code):
    """E-mail the tickets to the buyer again."""
    order = _managed(request, code)
    try:
        order_confirmation_resend(order_id=order.pk, actor=Actor.from_request(request))
    except DomainError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, _("The tickets are being e-mailed again to %(email)s.") % {"email": order.email}
        )
    return _to_order(order)


@control_view(check=can_see_orders)
def order_cancel_view(request, code):
    """Cancel an order awaiting payment: GET asks for confirmation, POST cancels."""
    order = _managed(request, code)
    form = forms.Form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        went_through, _cancelled = call_for_form(
            form, order_cancel_unpaid, order_id=order.pk, actor=Actor.from_request(request)
        )
        if went_through:
            messages.success(
                request, _("Order %(code)s is cancelled; its seats are on sale again.") % {"code": order.code}
            )
            return _to_order(order)
    return render(
        request,
        "sales/control/order_cancel.html",
        {"order": order, "form": form, "may_cancel": order.status == Order.Status.PENDING},
        status=400 if form.errors else 200,
    )


@control_view(check=can_see_orders)
def order_refund_view(request, code):
    """Refund the whole order or chosen tickets: choose (GET), confirm (POST), refund (POST
    with `confirmed`)."""
    order = _managed(request, code)
    tickets = _valid(selected.order_tickets(order))
    initial = {"tickets": [ticket.pk for ticket in tickets]}
    form = OrderRefundForm(
        request.POST if request.method == "POST" else None, tickets=tickets, initial=initial
    )
    confirming = False
    if request.method == "POST" and form.is_valid():
        chosen = form.chosen()
        refunded_add_ons = add_ons_refunded_with(order, chosen, tickets)  # before they are refunded
        if not form.cleaned_data["confirmed"]:
            confirming = True
        else:
            ids = None if len(chosen) == len(tickets) else [ticket.pk for ticket in chosen]
            went_through, _refunded = call_for_form(
                form, order_refund, order_id=order.pk, ticket_ids=ids, actor=Actor.from_request(request)
            )
            if went_through:
                amount = sum((ticket.price + ticket.fee for ticket in chosen), Decimal(0)) + refunded_add_ons
                messages.success(
                    request,
                    ngettext(
                        "%(count)d ticket refunded (%(amount)s); the buyer is told by e-mail.",
                        "%(count)d tickets refunded (%(amount)s); the buyer is told by e-mail.",
                        len(chosen),
                    )
                    % {"count": len(chosen), "amount": format_money(amount, order.currency, style="symbol")},
                )
                return _to_order(order)
    chosen = form.chosen() if confirming else []
    return render(
        request,
        "sales/control/order_refund.html",
        {
            "order": order,
            "form": form,
            "confirming": confirming,
            "chosen": chosen,
            "amount": sum((ticket.price + ticket.fee for ticket in chosen), Decimal(0))
            + (add_ons_refunded_with(order, chosen, tickets) if chosen else 0),
            "may_refund": order.status == Order.Status.PAID and bool(tickets),
        },
        status=400 if form.errors else 200,
    )


@control_view(check=can_see_orders)
def order_change(request, code):
    """Correct the buyer's e-mail address and the attendees' names."""
    order = _managed(request, code)
    tickets = _valid(selected.order_tickets(order))
    form = OrderChangeForm(request.POST if request.method == "POST" else None, order=order, tickets=tickets)
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        went_through, _changed = call_for_form(
            form, order_email_change, order_id=order.pk, email=form.cleaned_data["email"], actor=actor
        )
        for ticket in tickets:
            name = form.cleaned_data[f"attendee-{ticket.pk}"]
            if went_through and name != ticket.attendee_name:
                went_through, _changed = call_for_form(
                    form, ticket_attendee_change, ticket_id=ticket.pk, name=name, actor=actor
                )
        if went_through:
            messages.success(request, _("Order %(code)s is saved.") % {"code": order.code})
            return _to_order(order)
    return render(
        request,
        "sales/control/order_change.html",
        {"order": order, "form": form},
        status=400 if form.errors else 200,
    )


@control_view(check=can_see_orders)
def order_tickets_download(request, code):
    """The paid order's tickets as the buyer gets them (PDF)."""
    order = _managed(request, code)
    if order.status != Order.Status.PAID:
        raise Http404
    response = HttpResponse(tickets_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tickets-{order.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
