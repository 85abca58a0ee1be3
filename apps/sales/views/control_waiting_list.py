"""The control panel's waiting list of an event date: who waits, in line, what each was
offered, and the organizer's two actions, remove an entry and send an offer by hand."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.audit import Actor
from apps.core.exceptions import DomainError
from apps.operators.decorators import control_view
from apps.sales.models import WaitingListEntry
from apps.sales.selectors import waiting_list as selected
from apps.sales.services import waiting_list
from apps.sales.services.waiting_list import seats_left
from apps.sales.views import selling_exports


def _date(request, pk):
    event_date = selected.event_date_of_waiting_list(request.user, pk)
    if event_date is None:
        raise Http404
    return event_date


@control_view
def waiting_list_date(request, pk):
    event_date = _date(request, pk)
    entries = list(selected.waiting_list_of(event_date))
    position = 0
    rows = []
    for entry in entries:
        if entry.status == WaitingListEntry.Status.WAITING:
            position += 1
            rows.append((entry, position))
        else:
            rows.append((entry, None))
    exported = selling_exports.download(
        request,
        selling_exports.waiting_list_header(event_date.time_zone),
        selling_exports.waiting_list_rows(rows, event_date.time_zone),
        filename=f"waiting-list-{event_date.event_id}-{event_date.pk}",
        title=_("Waiting list"),
    )
    if exported is not None:
        return exported
    return render(
        request,
        "sales/control/waiting_list.html",
        {
            "event_date": event_date,
            "event": event_date.event,
            "rows": rows,
            "figures": selected.waiting_list_figures(event_date),
            "seats_left": seats_left(event_date),
            "time_zone": event_date.time_zone,
            "statuses": WaitingListEntry.Status,
        },
    )


def _entry(request, entry_pk):
    entry = WaitingListEntry.objects.filter(pk=entry_pk).only("pk", "event_date_id").first()
    if entry is None:
        raise Http404
    _date(request, entry.event_date_id)  # 404 unless one may manage that date's list
    return entry


@control_view
@require_POST
def waiting_list_offer_now(request, entry_pk):
    entry = _entry(request, entry_pk)
    try:
        offered = waiting_list.waiting_list_offer_now(entry_id=entry.pk, actor=Actor.from_request(request))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("An offer was e-mailed to %(email)s.") % {"email": offered.email})
    return redirect("control-waiting-list", pk=entry.event_date_id)


@control_view
@require_POST
def waiting_list_remove(request, entry_pk):
    entry = _entry(request, entry_pk)
    try:
        removed = waiting_list.waiting_list_remove(entry_id=entry.pk, actor=Actor.from_request(request))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(email)s is off the waiting list.") % {"email": removed.email})
    return redirect("control-waiting-list", pk=entry.event_date_id)
