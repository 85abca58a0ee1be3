from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from apps.events.forms import DEFAULT_TIME_ZONE
from apps.events.selectors import published_events_of
from apps.organizers.selectors import organizers_with_distributions

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
