"""Control panel pages of who buys and who comes: the organization's customers (a list with
search, a page per customer with their orders) and the attendees of an event date or a
whole event (a list with search, and a check-in list to print).

What each operator sees is what the selectors give them (apps.sales.selectors.customers and
.attendees, through the permission module): a customer, date or event they may not see
answers 404. Every page is a `control_view` (apps.operators.decorators).
"""

from typing import Any
from urllib.parse import quote

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from apps.operators.decorators import control_view
from apps.sales.models import Order
from apps.sales.selectors import attendees, customers, figures
from apps.sales.selectors.questions import ANSWERS_PREFETCH, questions_of_event

PER_PAGE = 50
ORDERS_PER_PAGE = 50


def _page(request, rows, per_page: int = PER_PAGE):
    """A page of `rows` with links to its neighbours that keep the search."""
    page: Any = Paginator(rows, per_page).get_page(request.GET.get("page"))  # given its links below
    search = request.GET.get("q", "").strip()
    keep = f"&q={quote(search)}" if search else ""
    page.previous_url = f"?page={page.previous_page_number()}{keep}" if page.has_previous() else ""
    page.next_url = f"?page={page.next_page_number()}{keep}" if page.has_next() else ""
    return page


@control_view
def customer_list(request):
    """The customers one may see, latest buyer first: orders, what they spent, last order."""
    search = request.GET.get("q", "").strip()[: customers.SEARCH_MAX_LENGTH]
    page = _page(request, customers.customer_rows(request.user, search=search))
    return render(
        request,
        "sales/control/customer_list.html",
        {
            "page": page,
            "customers": customers.customers_described(request.user, page.object_list),
            "search": search,
            "time_zone": figures.shared_zone_of(request.user),
        },
    )


@control_view
def customer_detail(request, email):
    customer = customers.customer_of(request.user, email)
    if customer is None:
        raise Http404
    orders = customers.orders_of_customer_visible_to(request.user, customer.email)
    page: Any = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    page.previous_url = f"?page={page.previous_page_number()}" if page.has_previous() else ""
    page.next_url = f"?page={page.next_page_number()}" if page.has_next() else ""
    return render(
        request,
        "sales/control/customer_detail.html",
        {
            "customer": customer,
            "page": page,
            "paid": Order.Status.PAID,
            "time_zone": figures.shared_zone_of(request.user),
        },
    )


def _attendees_page(request, *, event, event_date, rows, template: str, paginate: bool = True):
    search = request.GET.get("q", "").strip()[: attendees.SEARCH_MAX_LENGTH]
    context = {
        "event": event,
        "event_date": event_date,
        "time_zone": event_date.time_zone if event_date is not None else event.time_zone,
        "search": search,
        "questions": questions_of_event(event),  # a column each
    }
    # The paper list at the gate: the answers flagged for it.
    context["gate_questions"] = [q for q in context["questions"] if q.show_at_check_in]
    if paginate:
        context["page"] = _page(request, rows(search).prefetch_related(*ANSWERS_PREFETCH))
    else:
        context["attendees"] = list(rows(search).prefetch_related(*ANSWERS_PREFETCH))
    return render(request, template, context)


def _date(request, pk):
    event_date = attendees.event_date_of_attendees(request.user, pk)
    if event_date is None:
        raise Http404
    return event_date


def _event(request, pk):
    event = attendees.event_of_attendees(request.user, pk)
    if event is None:
        raise Http404
    return event


@control_view
def attendees_date(request, pk):
    event_date = _date(request, pk)
    return _attendees_page(
        request,
        event=event_date.event,
        event_date=event_date,
        rows=lambda search: attendees.attendees_of_date(request.user, event_date, search=search),
        template="sales/control/attendee_list.html",
    )


@control_view
def attendees_event(request, pk):
    event = _event(request, pk)
    return _attendees_page(
        request,
        event=event,
        event_date=None,
        rows=lambda search: attendees.attendees_of_event(request.user, event, search=search),
        template="sales/control/attendee_list.html",
    )


@control_view
def attendees_date_print(request, pk):
    """Every attendee of the date on one page, styled for paper (static/css/print.css)."""
    event_date = _date(request, pk)
    return _attendees_page(
        request,
        event=event_date.event,
        event_date=event_date,
        rows=lambda search: attendees.attendees_of_date(request.user, event_date, search=search),
        template="sales/control/attendee_print.html",
        paginate=False,
    )


@control_view
def attendees_event_print(request, pk):
    event = _event(request, pk)
    return _attendees_page(
        request,
        event=event,
        event_date=None,
        rows=lambda search: attendees.attendees_of_event(request.user, event, search=search),
        template="sales/control/attendee_print.html",
        paginate=False,
    )
