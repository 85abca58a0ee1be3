from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from apps.events.forms import DEFAULT_TIME_ZONE
from apps.events.selectors import published_events_of
from apps.organizers.selectors import organizers_with_distributions
from apps.sales.models import Order
from apps.sales.selectors import order_by_secret
from apps.sales.tickets import ticket_qr_svg, tickets_pdf

EVENTS_PER_PAGE = 30


def storefront_home(request):
    """An organizer's shop front on its own host (its events to come), or the organization's
    organizers."""
    if request.organizer is None:
        organizers = list(organizers_with_distributions())
        return render(request, "sales/storefront_home.html", {"organizers": organizers})
    # The selector keeps only dates to come; counting over the same rows counts those.
    events = published_events_of(request.organizer).annotate(date_count=Count("dates"))
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    with timezone.override(ZoneInfo(DEFAULT_TIME_ZONE)):
        return render(
            request,
            "sales/storefront_home.html",
            {"organizers": [request.organizer], "page": page, "time_zone": DEFAULT_TIME_ZONE},
        )


def _order_or_404(code: str, secret: str) -> Order:
    order = order_by_secret(code, secret)
    if order is None:
        raise Http404
    return order


def order_detail(request, code, secret):
    """A buyer's order and its tickets (QR codes), reached through the secret link e-mailed to them."""
    order = _order_or_404(code, secret)
    tickets = order.tickets.select_related("ticket_type__event", "event_date")
    with timezone.override(ZoneInfo(DEFAULT_TIME_ZONE)):
        return render(
            request,
            "sales/order_detail.html",
            {"order": order, "tickets": [(ticket, ticket_qr_svg(ticket)) for ticket in tickets]},
        )


def order_tickets_pdf(request, code, secret):
    order = _order_or_404(code, secret)
    if order.status != Order.Status.PAID:
        raise Http404
    response = HttpResponse(tickets_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tickets-{order.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
