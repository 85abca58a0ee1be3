"""Control panel of events: replicating an event (a recurrence, or a copy to a list of
dates), its preview and its progress."""

import hashlib
import json
from datetime import timedelta

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.core.audit import Actor
from apps.core.forms import call_for_form
from apps.core.timezones import TIME, format_in_zone, localdate_in
from apps.events import services
from apps.events.exceptions import replication_not_in_plan
from apps.events.forms import DailyScheduleForm, ReplicationForm
from apps.events.models import Event, ReplicationRequest
from apps.events.views.common import (
    control_view,
    enter_zone_of,
    form_status,
    visible_event,
)
from apps.operators.decorators import require
from apps.operators.permissions import (
    Action,
    can,
)

PREVIEW_EDGE = 20  # the preview lists this many first and last dates


def _plan_digest(plan: dict) -> str:
    """Ties a confirmation to the preview it follows: a changed plan is previewed again."""
    return hashlib.sha256(json.dumps(plan, sort_keys=True).encode()).hexdigest()


def _replication_initial(event: Event) -> dict:
    """The plan proposed: in the event's zone, from today there, at its first date's time."""
    initial = {"timezone": event.time_zone, "starts_on": timezone.localdate()}
    first = event.dates.order_by("start").first()
    if first is not None:
        initial["times"] = format_in_zone(first.start, event.time_zone, TIME, label=False)
        initial["duration_minutes"] = max(1, int((first.end - first.start).total_seconds() // 60))
    return initial


@control_view
def event_replicate(request, pk):
    """Preview the dates a plan makes, then confirm to create them (or to ask for approval)."""
    return _plan_page(request, pk, ReplicationForm, "events/event_replicate.html", _replication_initial)


def _schedule_initial(event: Event) -> dict:
    """From tomorrow in the event's zone, for a month, every hour from 10:00 to 17:00."""
    tomorrow = localdate_in(timezone.now(), event.time_zone) + timedelta(days=1)
    return {
        "starts_on": tomorrow,
        "until": tomorrow + timedelta(days=30),
        "times": ", ".join(f"{hour}:00" for hour in range(10, 18)),
    }


@control_view
def event_schedule(request, pk):
    """A daily schedule of timeslots (days × start times, a capacity each): previewed (how
    many dates, on how many days), then made by the replication (its progress when large)."""
    return _plan_page(request, pk, DailyScheduleForm, "events/event_schedule.html", _schedule_initial)


def _plan_page(request, pk, form_class, template, initial_of):
    event = require(request, Action.CONFIGURE, visible_event(request, pk))
    enter_zone_of(event)
    if not can(request.user, Action.REPLICATE, event):
        return render(
            request,
            template,
            {"event": event, "not_in_plan": replication_not_in_plan(event.organizer)},
            status=403,
        )
    form = form_class(request.POST or None, event=event, initial=initial_of(event))
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
        request, template, {"event": event, "form": form, "preview": preview}, status=form_status(form)
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
        "zone": form.plan.get("timezone") or form.event.time_zone,
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
    return redirect(reverse("event-detail", args=[event.pk]) + "#dates")


def _replication_of(request, pk, replication_pk) -> ReplicationRequest:
    event = visible_event(request, pk)
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
