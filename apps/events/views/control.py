"""Control panel of events: the list and calendar, an event's page with its dates and ticket
types, and its actions. Replication and locations have their own modules beside this one.

Views parse input, ask apps.operators.permissions, call one service and render. Anyone who
sees an event (configurers, and sellers of a channel that offers it) may open its pages;
writing needs configuration permission on its organizer (403 otherwise).
"""

from datetime import UTC, date, datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Min, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core import hooks
from apps.core.audit import Actor
from apps.core.exceptions import DomainError
from apps.core.forms import call_for_form
from apps.core.timezones import SHORT, format_in_zone, localdate_in
from apps.events import selectors, services
from apps.events.exceptions import replication_not_in_plan
from apps.events.forms import (
    AgendaFilterForm,
    EventCreateForm,
    EventDateForm,
    EventFilterForm,
    EventForm,
    TicketTypeForm,
)
from apps.events.models import Event, EventDate, Location, ReplicationRequest, TicketType
from apps.events.views.common import (
    control_view,
    enter_zone_of,
    error_text,
    form_status,
    only_one,
    page_of,
    visible_event,
)
from apps.operators.decorators import require
from apps.operators.permissions import (
    Action,
    can,
    distributions_visible_to,
    organizers_configurable_by,
    organizers_visible_to,
)

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
            "page": page_of(request, events, per_page=50),
            "may_create": organizers_configurable_by(user).exists(),
        },
        status=form_status(filters),
    )


@control_view
def event_agenda(request):
    """Dates to come, day by day; each date in its event's time zone, on its day there."""
    user = request.user
    filters = AgendaFilterForm(request.GET or None, organizers=organizers_visible_to(user).order_by("name"))
    first_day, organizer = timezone.localdate(), None
    if filters.is_bound and filters.is_valid():
        first_day = filters.cleaned_data["start"] or first_day
        organizer = filters.cleaned_data["organizer"]
    # The first day begins earliest at UTC+14: a date that ends after that may be on it.
    since = datetime.combine(first_day, time.min, UTC) - timedelta(hours=14)
    dates = (
        selectors.event_dates_visible_to(user)
        .filter(end__gte=since)
        .select_related("event__organizer", "event__location")
        .order_by("start", "pk")
    )
    if organizer is not None:
        dates = dates.filter(event__organizer=organizer)
    page = page_of(request, dates, per_page=50)
    days: list[tuple] = []
    local = sorted(
        ((localdate_in(d.start, d.time_zone), d) for d in page.object_list),
        key=lambda pair: (pair[0], pair[1].start, pair[1].pk),
    )
    for day, event_date in local:
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
        },
        status=form_status(filters),
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
        initial={"organizer": only_one(organizers), "location": only_one(locations)},
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
        status=form_status(form),
    )


DATES_PER_PAGE = 40  # ten days of four timeslots


def _by_day(dates, zone_name: str) -> list[tuple[date, list[tuple[EventDate, int]]]]:
    """A page of dates grouped by their local day, each with the tickets sold on it (sales
    answers: hooks.event_dates_sold)."""
    dates = list(dates)
    sold = hooks.event_dates_sold([d.pk for d in dates]) if dates else {}
    days: dict[date, list[tuple[EventDate, int]]] = {}
    for event_date in dates:
        days.setdefault(localdate_in(event_date.start, zone_name), []).append(
            (event_date, sold.get(event_date.pk, 0))
        )
    return list(days.items())


def _editor(request, event: Event, *, event_form=None, date_form=None, ticket_type_form=None):
    """The one page of an event: its fields, dates, ticket types and replications."""
    enter_zone_of(event)
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
    dates_page = page_of(request, dates, per_page=DATES_PER_PAGE, param="dates_page", anchor="dates")
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
            "dates": dates_page,
            "date_days": _by_day(dates_page.object_list, event.time_zone),
            "ticket_types": page_of(
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
        },
        status=form_status(event_form, date_form, ticket_type_form),
    )


@control_view
def event_detail(request, pk):
    event = visible_event(request, pk)
    if request.method != "POST":
        return _editor(request, event)
    require(request, Action.CONFIGURE, event)
    form = EventForm(request.POST, request.FILES, instance=event)
    if form.is_valid():
        went_through, _result = call_for_form(
            form, services.event_update, event=event, actor=Actor.from_request(request), **form.changes()
        )
        if went_through:
            messages.success(request, _("“%(name)s” saved.") % {"name": event.name})
            return redirect("event-detail", pk=event.pk)
    # The form wrote the rejected input into `event`: show the saved event around it.
    return _editor(request, visible_event(request, pk), event_form=form)


def _event_action(request, pk, service, done: str):
    event = require(request, Action.CONFIGURE, visible_event(request, pk))
    try:
        service(event=event, actor=Actor.from_request(request))
    except (DomainError, ValidationError) as exc:
        messages.error(request, error_text(exc))
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
    event = require(request, Action.CONFIGURE, visible_event(request, pk))
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
    event = require(request, Action.CONFIGURE, visible_event(request, pk))
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
    event = require(request, Action.CONFIGURE, visible_event(request, pk))
    enter_zone_of(event)
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
    return format_in_zone(event_date.start, event_date.time_zone, SHORT)


def _configurable_date(request, pk) -> EventDate:
    event_date = get_object_or_404(
        selectors.event_dates_visible_to(request.user).select_related("event__organizer", "event__location"),
        pk=pk,
    )
    require(request, Action.CONFIGURE, event_date)
    enter_zone_of(event_date.event)
    return event_date


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
        {"form": form, "event": event_date.event, "time_zone": event_date.time_zone},
        status=form_status(form),
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
    event = require(request, Action.CONFIGURE, visible_event(request, pk))
    enter_zone_of(event)
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
    require(request, Action.CONFIGURE, ticket_type)
    enter_zone_of(ticket_type.event)
    return ticket_type


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
        {"form": form, "event": event, "time_zone": event.time_zone},
        status=form_status(form),
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
