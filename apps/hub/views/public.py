"""The events hub: a public page of the platform host, every client's events to come."""

from django.core.paginator import Paginator
from django.shortcuts import render

from apps.hub.forms import HubFilterForm
from apps.hub.selectors import hub_events

EVENTS_PER_PAGE = 24


def hub(request):
    """The events hub on the platform host: every client's events to come, in one table."""
    form = HubFilterForm(request.GET or None)
    events = hub_events(**form.filters())
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    port = request.get_port()
    # Each event's times are written in its own zone (apps.core.templatetags.zoned).
    return render(
        request,
        "hub/hub.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "scheme": request.scheme,
            "port": "" if port in ("80", "443") else f":{port}",
        },
        status=400 if form.errors else 200,
    )
