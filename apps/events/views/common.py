"""What the events control pages share: operators' control_view that ends in UTC whatever
zone the page entered (the base is apps.operators.decorators), paging, the status of a page
with forms, the event one looks at and its time zone."""

from functools import wraps

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from apps.core.timezones import zone
from apps.events import selectors
from apps.events.models import Event
from apps.operators.decorators import control_view as operators_control_view


def control_view(view):
    """apps.operators.decorators.control_view (operators only); a page of one event enters
    its zone (`enter_zone_of`) and leaves it when it is done."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        finally:
            timezone.deactivate()

    return operators_control_view(wrapped)


def enter_zone_of(event: Event) -> str:
    """From here on the page reads typed dates and times, and writes its own, in the event's
    time zone (every one is labelled with it). Returns the zone's name."""
    name = event.time_zone
    timezone.activate(zone(name))
    return name


def error_text(exc: Exception) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def form_status(*forms) -> int:
    return 400 if any(form is not None and form.is_bound and form.errors for form in forms) else 200


def page_of(request, items, *, per_page: int, param: str = "page", anchor: str = "") -> Page:
    """A page of `items`, with links to its neighbours that keep the other query parameters."""
    page = Paginator(items, per_page).get_page(request.GET.get(param))

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = number
        return f"?{query.urlencode()}" + (f"#{anchor}" if anchor else "")

    page.previous_url = url(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = url(page.next_page_number()) if page.has_next() else ""
    return page


def safe_next(request) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


def only_one(queryset):
    """The one row of a queryset with exactly one, else None (to preselect a choice)."""
    rows = list(queryset[:2])
    return rows[0].pk if len(rows) == 1 else None


def visible_event(request, pk) -> Event:
    return get_object_or_404(
        selectors.events_visible_to(request.user).select_related("organizer", "location"), pk=pk
    )
