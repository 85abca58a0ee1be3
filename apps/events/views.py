"""Control panel of events: events with their dates and ticket types, locations, replication.

Views parse input, ask apps.operators.permissions, call one service and render. Anyone who
sees an event (configurers, and sellers of a channel that offers it) may open its pages;
writing needs configuration permission on its organizer (403 otherwise).
"""

import hashlib
import json
from datetime import datetime, time
from functools import wraps
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Min, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from apps.core.audit import Actor
from apps.core.exceptions import DomainError
from apps.core.forms import call_for_form
from apps.events import selectors, services
from apps.events.exceptions import replication_not_in_plan
from apps.events.forms import (
    DEFAULT_TIME_ZONE,
    AgendaFilterForm,
    EventCreateForm,
    EventDateForm,
    EventFilterForm,
    EventForm,
    LocationForm,
    OrganizerFilterForm,
    ReplicationForm,
    TicketTypeForm,
    TimeZoneForm,
    local_datetime_label,
    time_zone_names,
)
from apps.events.models import Event, EventDate, Location, ReplicationRequest, TicketType
from apps.operators.decorators import requires
from apps.operators.permissions import (
    Action,
    can,
    can_open_control_panel,
    distributions_visible_to,
    organizers_configurable_by,
    organizers_visible_to,
)

SESSION_TIME_ZONE = "events_time_zone"
PREVIEW_EDGE = 20  # the preview lists this many first and last dates


# --- plumbing -------------------------------------------------------------------------


def time_zone_of(request) -> str:
    name = request.session.get(SESSION_TIME_ZONE, DEFAULT_TIME_ZONE)
    return name if name in time_zone_names() else DEFAULT_TIME_ZONE


def control_view(view):
    """Operators only; dates are typed and shown in the operator's chosen time zone."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with timezone.override(ZoneInfo(time_zone_of(request))):
            return view(request, *args, **kwargs)

    return requires(can_open_control_panel)(wrapped)


def _require(request, action, obj):
    if not can(request.user, action, obj):
        raise PermissionDenied
    return obj


def _error_text(exc: Exception) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _status(*forms) -> int:
    return 400 if any(form is not None and form.is_bound and form.errors for form in forms) else 200


def _page(request, items, *, per_page: int, param: str = "page", anchor: str = "") -> Page:
    """A page of `items`, with links to its neighbours that keep the other query parameters."""
    page = Paginator(items, per_page).get_page(request.GET.get(param))

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = number
        return f"?{query.urlencode()}" + (f"#{anchor}" if anchor else "")

    page.previous_url = url(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = url(page.next_page_number()) if page.has_next() else ""
    return page


def _safe_next(request) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


def _only(queryset):
    """The one row of a queryset with exactly one, else None (to preselect a choice)."""
    rows = list(queryset[:2])
    return rows[0].pk if len(rows) == 1 else None


@require_POST
@requires(can_open_control_panel)
def time_zone_set(request):
    form = TimeZoneForm(request.POST)
    if form.is_valid():
        request.session[SESSION_TIME_ZONE] = form.cleaned_data["time_zone"]
    else:
        messages.error(request, _("Choose a time zone from the list."))
    return redirect(_safe_next(request) or "event-list")


def _time_zone_form(request) -> TimeZoneForm:
    return TimeZoneForm(initial={"time_zone": time_zone_of(request)})


# --- events: list and calendar --------------------------------------------------------


@control_view
def event_list(request):
    user = request.user
    filters = EventFilterForm(request.GET or None, organizers=organizers_visible_to(user).order_by("name"))
    events = Event.objects.filter(pk__in=selectors.events_visible_to(user).values("pk"))
    if filters.is_bound and not filters.is_valid():
        events = events.none()
    elif filters.is_bound:
        if filters.cleaned_data["organizer"]:
            events = events.filter(organizer=filters.cleaned_data["organizer"])
        if filters.cleaned_data["status"]:
            events = events.filter(status=filters.cleaned_data["status"])
    events = (
        events.select_related("organizer", "location")
        .annotate(
            date_count=Count("dates"),
            next_start=Min("dates__start", filter=Q(dates__end__gte=timezone.now())),
        )
        .order_by(F("next_start").asc(nulls_last=True), "name", "pk")
    )
    return render(
        request,
        "events/event_list.html",
        {
            "filters": filters,
            "page": _page(request, events, per_page=50),
            "may_create": organizers_configurable_by(user).exists(),
            "time_zone_form": _time_zone_form(request),
        },
        status=_status(filters),
    )


@control_view
def event_agenda(request):
    """Dates to come, day by day, in the operator's time zone."""
    user = request.user
    filters = AgendaFilterForm(request.GET or None, organizers=organizers_visible_to(user).order_by("name"))
    first_day, organizer = timezone.localdate(), None
    if filters.is_bound and filters.is_valid():
        first_day = filters.cleaned_data["start"] or first_day
        organizer = filters.cleaned_data["organizer"]
    since = timezone.make_aware(datetime.combine(first_day, time.min))
    dates = (
        selectors.event_dates_visible_to(user)
        .filter(end__gte=since)
        .select_related("event__organizer", "event__location")
        .order_by("start", "pk")
    )
    if organizer is not None:
        dates = dates.filter(event__organizer=organizer)
    page = _page(request, dates, per_page=50)
    days: list[tuple] = []
    for event_date in page.object_list:
        day = timezone.localdate(event_date.start)
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(event_date)
    return render(
        request,
        "events/event_agenda.html",
        {
            "filters": filters,
            "page": page,
            "days": days,
            "first_day": first_day,
            "time_zone_form": _time_zone_form(request),
        },
        status=_status(filters),
    )


# --- events: create, edit, actions ----------------------------------------------------


@control_view
def event_create(request):
    organizers = organizers_configurable_by(request.user).order_by("name")
    if not organizers.exists():
        raise PermissionDenied
    locations = Location.objects.filter(organizer__in=organizers)
    form = EventCreateForm(
        request.POST or None,
        organizers=organizers,
        initial={"organizer": _only(organizers), "location": _only(locations)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        went_through, event = call_for_form(
            form,
            services.event_create,
            organizer=data["organizer"],
            location=data["location"],
            name=data["name"],
            category=data["category"],
            description=data["description"],
            actor=Actor.from_request(request),
        )
        if went_through:
            messages.success(
                request, _("“%(name)s” created. Now add its dates and ticket types.") % {"name": event.name}
            )
            return redirect(reverse("event-detail", args=[event.pk]) + "#dates")
    return render(
        request,
        "events/event_create.html",
        {"form": form, "has_locations": locations.exists()},
        status=_status(form),
    )


def _visible_event(request, pk) -> Event:
    return get_object_or_404(
        selectors.events_visible_to(request.user).select_related("organizer", "location"), pk=pk
    )


def _editor(request, event: Event, *, event_form=None, date_form=None, ticket_type_form=None):
    """The one page of an event: its fields, dates, ticket types and replications."""
    may_configure = can(request.user, Action.CONFIGURE, event)
    may_replicate = may_configure and can(request.user, Action.REPLICATE, event)
    if may_configure:
        event_form = EventForm(instance=event) if event_form is None else event_form
        date_form = EventDateForm() if date_form is None else date_form
        ticket_type_form = TicketTypeForm(event=event) if ticket_type_form is None else ticket_type_form
    dates = event.dates.annotate(ticket_type_count=Count("ticket_types")).order_by("start", "pk")
    ticket_types = event.ticket_types.select_related("event_date").order_by(
        F("event_date__start").asc(nulls_first=True), "price", "name", "pk"
    )
    replications = list(event.replication_requests.select_related("requested_by")[:20])
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "may_configure": may_configure,
            "may_replicate": may_replicate,
            "replication_not_in_plan": "" if may_replicate else replication_not_in_plan(event.organizer),
            "event_form": event_form,
            "date_form": date_form,
            "ticket_type_form": ticket_type_form,
            "dates": _page(request, dates, per_page=25, param="dates_page", anchor="dates"),
            "ticket_types": _page(
                request, ticket_types, per_page=25, param="types_page", anchor="ticket-types"
            ),
            "replications": replications,
            "my_replication_awaits": any(
                replication.status == ReplicationRequest.Status.AWAITING_APPROVAL
                and replication.requested_by_id == request.user.pk
                for replication in replications
            ),
            "distribution_names": list(  # a seller sees only the channels they sell in
                event.distributions.filter(pk__in=distributions_visible_to(request.user).values("pk"))
                .order_by("pk")
                .values_list("name", flat=True)
            ),
            "time_zone_form": _time_zone_form(request),
        },
        status=_status(event_form, date_form, ticket_type_form),
    )


@control_view
def event_detail(request, pk):
    event = _visible_event(request, pk)
    if request.method != "POST":
        return _editor(request, event)
    _require(request, Action.CONFIGURE, event)
    form = EventForm(request.POST, request.FILES, instance=event)
    if form.is_valid():
        went_through, _result = call_for_form(
            form, services.event_update, event=event, actor=Actor.from_request(request), **form.changes()
        )
        if went_through:
            messages.success(request, _("“%(name)s” saved.") % {"name": event.name})
            return redirect("event-detail", pk=event.pk)
    # The form wrote the rejected input into `event`: show the saved event around it.
    return _editor(request, _visible_event(request, pk), event_form=form)


def _event_action(request, pk, service, done: str):
    event = _require(request, Action.CONFIGURE, _visible_event(request, pk))
    try:
        service(event=event, actor=Actor.from_request(request))
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done % {"name": event.name})
    return redirect("event-detail", pk=event.pk)


@require_POST
@control_view
def event_publish(request, pk):
    return _event_action(request, pk, services.event_publish, _("“%(name)s” is published."))


@require_POST
@control_view
def event_unpublish(request, pk):
    return _event_action(request, pk, services.event_unpublish, _("“%(name)s” is back to draft."))


@control_view
def event_cancel(request, pk):
    if request.method == "POST":
        return _event_action(request, pk, services.event_cancel, _("“%(name)s” is cancelled."))
    event = _require(request, Action.CONFIGURE, _visible_event(request, pk))
    return render(
        request,
        "events/confirm.html",
        {
            "title": _("Cancel “%(name)s”?") % {"name": event.name},
            "explanation": _(
                "The event stops being sold and leaves the shop. It keeps its dates and sales. "
                "A cancelled event cannot be published again."
            ),
            "confirm": _("Yes, cancel the event"),
            "back_url": reverse("event-detail", args=[event.pk]),
        },
    )


@control_view
def event_delete(request, pk):
    event = _require(request, Action.CONFIGURE, _visible_event(request, pk))
    if request.method == "POST":
        try:
            services.event_delete(event=event, actor=Actor.from_request(request))
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("event-detail", pk=event.pk)
        messages.success(request, _("“%(name)s” deleted.") % {"name": event.name})
        return redirect("event-list")
    return render(
        request,
        "events/confirm.html",
        {
            "title": _("Delete “%(name)s”?") % {"name": event.name},
            "explanation": _(
                "This cannot be undone. An event with dates cannot be deleted: cancel it instead."
            ),
            "confirm": _("Yes, delete the event"),
            "back_url": reverse("event-detail", args=[event.pk]),
        },
    )


# --- dates ----------------------------------------------------------------------------


def _dates_of(event_id: int) -> str:
    return reverse("event-detail", args=[event_id]) + "#dates"


@require_POST
@control_view
def event_date_add(request, pk):
    event = _require(request, Action.CONFIGURE, _visible_event(request, pk))
    form = EventDateForm(request.POST, instance=EventDate(event=event))
    if form.is_valid():
        went_through, event_date = call_for_form(
            form,
            services.event_date_create,
            event=event,
            actor=Actor.from_request(request),
            **form.cleaned_data,
        )
        if went_through:
            messages.success(request, _("Date %(date)s added.") % {"date": _when(event_date)})
            return redirect(_dates_of(event.pk))
    return _editor(request, event, date_form=form)


def _when(event_date: EventDate) -> str:
    return local_datetime_label(event_date.start)


def _configurable_date(request, pk) -> EventDate:
    event_date = get_object_or_404(
        selectors.event_dates_visible_to(request.user).select_related("event__organizer", "event__location"),
        pk=pk,
    )
    return _require(request, Action.CONFIGURE, event_date)


@control_view
def event_date_edit(request, pk):
    event_date = _configurable_date(request, pk)
    form = EventDateForm(request.POST or None, instance=event_date)
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        went_through, _result = call_for_form(
            form,
            services.event_date_update,
            event_date=event_date,
            actor=Actor.from_request(request),
            **changes,
        )
        if went_through:
            messages.success(request, _("Date %(date)s saved.") % {"date": _when(event_date)})
            return redirect(_dates_of(event_date.event_id))
    return render(
        request,
        "events/event_date_form.html",
        {"form": form, "event": event_date.event, "time_zone": time_zone_of(request)},
        status=_status(form),
    )


@require_POST
@control_view
def event_date_delete(request, pk):
    event_date = _configurable_date(request, pk)
    try:
        services.event_date_delete(event_date=event_date, actor=Actor.from_request(request))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Date %(date)s deleted.") % {"date": _when(event_date)})
    return redirect(_dates_of(event_date.event_id))


# --- ticket types ---------------------------------------------------------------------


def _ticket_types_of(event_id: int) -> str:
    return reverse("event-detail", args=[event_id]) + "#ticket-types"


@require_POST
@control_view
def ticket_type_add(request, pk):
    event = _require(request, Action.CONFIGURE, _visible_event(request, pk))
    form = TicketTypeForm(request.POST, event=event, instance=TicketType(event=event))
    if form.is_valid():
        went_through, _result = call_for_form(
            form,
            services.ticket_type_create,
            event=event,
            actor=Actor.from_request(request),
            **form.cleaned_data,
        )
        if went_through:
            messages.success(
                request, _("Ticket type “%(name)s” added.") % {"name": form.cleaned_data["name"]}
            )
            return redirect(_ticket_types_of(event.pk))
    return _editor(request, event, ticket_type_form=form)


def _configurable_ticket_type(request, pk) -> TicketType:
    ticket_type = get_object_or_404(
        selectors.ticket_types_visible_to(request.user).select_related("event__organizer", "event__location"),
        pk=pk,
    )
    return _require(request, Action.CONFIGURE, ticket_type)


@control_view
def ticket_type_edit(request, pk):
    ticket_type = _configurable_ticket_type(request, pk)
    event = ticket_type.event
    form = TicketTypeForm(request.POST or None, event=event, instance=ticket_type)
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        went_through, _result = call_for_form(
            form,
            services.ticket_type_update,
            ticket_type=ticket_type,
            actor=Actor.from_request(request),
            **changes,
        )
        if went_through:
            messages.success(request, _("Ticket type “%(name)s” saved.") % {"name": ticket_type.name})
            return redirect(_ticket_types_of(event.pk))
    return render(
        request,
        "events/ticket_type_form.html",
        {"form": form, "event": event, "time_zone": time_zone_of(request)},
        status=_status(form),
    )


@require_POST
@control_view
def ticket_type_delete(request, pk):
    ticket_type = _configurable_ticket_type(request, pk)
    try:
        services.ticket_type_delete(ticket_type=ticket_type, actor=Actor.from_request(request))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Ticket type “%(name)s” deleted.") % {"name": ticket_type.name})
    return redirect(_ticket_types_of(ticket_type.event_id))


# --- replication ----------------------------------------------------------------------


def _plan_digest(plan: dict) -> str:
    """Ties a confirmation to the preview it follows: a changed plan is previewed again."""
    return hashlib.sha256(json.dumps(plan, sort_keys=True).encode()).hexdigest()


def _replication_initial(event: Event, time_zone: str) -> dict:
    initial = {"timezone": time_zone, "starts_on": timezone.localdate()}
    first = event.dates.order_by("start").first()
    if first is not None:
        with timezone.override(ZoneInfo(time_zone)):
            initial["times"] = timezone.localtime(first.start).strftime("%H:%M")
        initial["duration_minutes"] = max(1, int((first.end - first.start).total_seconds() // 60))
    return initial


@control_view
def event_replicate(request, pk):
    """Preview the dates a plan makes, then confirm to create them (or to ask for approval)."""
    event = _require(request, Action.CONFIGURE, _visible_event(request, pk))
    if not can(request.user, Action.REPLICATE, event):
        return render(
            request,
            "events/event_replicate.html",
            {"event": event, "not_in_plan": replication_not_in_plan(event.organizer)},
            status=403,
        )
    form = ReplicationForm(
        request.POST or None, event=event, initial=_replication_initial(event, time_zone_of(request))
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        digest = _plan_digest(form.plan)
        confirmed = request.POST.get("step") == "confirm"
        if confirmed and request.POST.get("previewed") == digest:
            went_through, replication = call_for_form(
                form,
                services.replication_request,
                event=event,
                plan=form.plan,
                actor=Actor.from_request(request),
            )
            if went_through:
                return _replication_done(request, event, form.plan, replication)
        else:
            if confirmed:
                messages.warning(request, _("The plan changed since its preview: check the dates again."))
            preview = _preview(form, digest)
    return render(
        request,
        "events/event_replicate.html",
        {"event": event, "form": form, "preview": preview},
        status=_status(form),
    )


def _preview(form: ReplicationForm, digest: str) -> dict:
    """How many dates, and the first and last few (all of them when they are few)."""
    slots, edge = form.slots, PREVIEW_EDGE
    short = len(slots) <= 2 * edge
    return {
        "count": len(slots),
        "first": slots if short else slots[:edge],
        "last": [] if short else slots[-edge:],
        "last_start": len(slots) - edge + 1,
        "zone": form.plan.get("timezone", DEFAULT_TIME_ZONE),
        "digest": digest,
    }


def _replication_done(request, event: Event, plan: dict, replication: ReplicationRequest):
    if replication.status in (ReplicationRequest.Status.QUEUED, ReplicationRequest.Status.RUNNING):
        return redirect("event-replication", pk=event.pk, replication_pk=replication.pk)
    if replication.status == ReplicationRequest.Status.AWAITING_APPROVAL:
        messages.warning(
            request,
            _(
                "Your first replication needs a one-time approval by the platform. We told them; "
                "it will run once approved."
            ),
        )
        return redirect(reverse("event-detail", args=[event.pk]) + "#replications")
    count = replication.created_count
    if plan["kind"] == "copy":
        messages.success(
            request,
            ngettext(
                "A copy “%(name)s” with %(count)d date was created as a draft.",
                "A copy “%(name)s” with %(count)d dates was created as a draft.",
                count,
            )
            % {"name": plan.get("name") or event.name, "count": count},
        )
        return redirect(reverse("event-list") + f"?organizer={event.organizer_id}&status=draft")
    messages.success(
        request, ngettext("%(count)d date created.", "%(count)d dates created.", count) % {"count": count}
    )
    return redirect(_dates_of(event.pk))


def _replication_of(request, pk, replication_pk) -> ReplicationRequest:
    event = _visible_event(request, pk)
    return get_object_or_404(
        event.replication_requests.select_related("event", "target_event"), pk=replication_pk
    )


def _replication_progress(replication: ReplicationRequest) -> str:
    return ngettext(
        "%(done)d of %(total)d date created",
        "%(done)d of %(total)d dates created",
        replication.total_count,
    ) % {"done": replication.created_count, "total": replication.total_count}


@control_view
def event_replication(request, pk, replication_pk):
    """A replication's progress while the worker makes its dates; polls the status endpoint."""
    replication = _replication_of(request, pk, replication_pk)
    return render(
        request,
        "events/replication_progress.html",
        {
            "event": replication.event,
            "replication": replication,
            "progress": _replication_progress(replication),
            "refresh_seconds": 3,
        },
    )


@control_view
def event_replication_status(request, pk, replication_pk):
    replication = _replication_of(request, pk, replication_pk)
    return JsonResponse(
        {
            "status": replication.status,
            "label": replication.get_status_display(),
            "progress": _replication_progress(replication),
            "percent": replication.percent,
            "finished": replication.is_finished,
        }
    )


# --- locations ------------------------------------------------------------------------


@control_view
def location_list(request):
    user = request.user
    filters = OrganizerFilterForm(
        request.GET or None, organizers=organizers_visible_to(user).order_by("name")
    )
    locations = Location.objects.filter(pk__in=selectors.locations_visible_to(user).values("pk"))
    if filters.is_bound and not filters.is_valid():
        locations = locations.none()
    elif filters.is_bound and filters.cleaned_data["organizer"]:
        locations = locations.filter(organizer=filters.cleaned_data["organizer"])
    locations = (
        locations.select_related("organizer")
        .annotate(event_count=Count("events"))
        .order_by("organizer__name", "name", "pk")
    )
    configurable = set(organizers_configurable_by(user).values_list("pk", flat=True))
    return render(
        request,
        "events/location_list.html",
        {
            "filters": filters,
            "page": _page(request, locations, per_page=50),
            "configurable": configurable,
            "may_create": bool(configurable),
        },
        status=_status(filters),
    )


@control_view
def location_create(request):
    organizers = organizers_configurable_by(request.user).order_by("name")
    if not organizers.exists():
        raise PermissionDenied
    requested = request.GET.get("organizer", "")
    form = LocationForm(
        request.POST or None,
        organizers=organizers,
        initial={"organizer": int(requested) if requested.isdigit() else _only(organizers)},
    )
    next_url = _safe_next(request)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organizer = data.pop("organizer")
        went_through, location = call_for_form(
            form, services.location_create, organizer=organizer, actor=Actor.from_request(request), **data
        )
        if went_through:
            messages.success(request, _("Location “%(name)s” added.") % {"name": location.name})
            return redirect(next_url or "location-list")
    return render(
        request,
        "events/location_form.html",
        {"form": form, "location": None, "next": next_url},
        status=_status(form),
    )


def _configurable_location(request, pk) -> Location:
    location = get_object_or_404(
        selectors.locations_visible_to(request.user).select_related("organizer"), pk=pk
    )
    return _require(request, Action.CONFIGURE, location)


@control_view
def location_edit(request, pk):
    location = _configurable_location(request, pk)
    form = LocationForm(request.POST or None, instance=location)
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        went_through, _result = call_for_form(
            form, services.location_update, location=location, actor=Actor.from_request(request), **changes
        )
        if went_through:
            messages.success(request, _("Location “%(name)s” saved.") % {"name": location.name})
            return redirect("location-list")
    return render(
        request,
        "events/location_form.html",
        {"form": form, "location": Location.objects.get(pk=location.pk) if form.errors else location},
        status=_status(form),
    )


@control_view
def location_delete(request, pk):
    location = _configurable_location(request, pk)
    if request.method == "POST":
        try:
            services.location_delete(location=location, actor=Actor.from_request(request))
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Location “%(name)s” deleted.") % {"name": location.name})
        return redirect("location-list")
    return render(
        request,
        "events/confirm.html",
        {
            "title": _("Delete the location “%(name)s”?") % {"name": location.name},
            "explanation": _("This cannot be undone. A location that events use cannot be deleted."),
            "confirm": _("Yes, delete the location"),
            "back_url": reverse("location-list"),
        },
    )
