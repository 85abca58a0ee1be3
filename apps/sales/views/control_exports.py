"""Control panel pages of exports: ask for one (orders, tickets and attendees, customers;
CSV or Excel), follow its progress, download it.

An export holds what its requester may see (apps.sales.selectors.exports) and is theirs
alone: its page, its status and its file answer 404 to anyone else. The download link is
also signed for this organization's schema and this requester (apps.core.tokens), and
lapses after KEPT_FOR (when the export is deleted), so a link copied to another organization or person opens nothing.
"""

from django import forms
from django.core import signing
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from apps.core.audit import Actor
from apps.core.tokens import token_sign, token_unsign
from apps.operators.decorators import control_view
from apps.sales.models import Export
from apps.sales.selectors import attendees
from apps.sales.selectors.exports import export_of, exports_of
from apps.sales.selectors.figures import shared_zone_of
from apps.sales.services.exports import KEPT_FOR, export_request

LINK_PURPOSE = "export-download"


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=Export.Kind.choices)
    file_format = forms.ChoiceField(
        label=_("Format"), choices=Export.Format.choices, initial=Export.Format.XLSX
    )
    event = forms.IntegerField(required=False, widget=forms.HiddenInput)
    event_date = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        if data.get("event_date"):
            data["event_date"] = attendees.event_date_of_attendees(self.user, data["event_date"])
            if data["event_date"] is None:
                raise forms.ValidationError(_("This date is not one of yours."))
        else:
            data["event_date"] = None
        if data.get("event"):
            data["event"] = attendees.event_of_attendees(self.user, data["event"])
            if data["event"] is None:
                raise forms.ValidationError(_("This event is not one of yours."))
        else:
            data["event"] = None
        return data


def download_link(export: Export) -> str:
    token = token_sign({"export": export.pk, "user": export.requested_by_id}, purpose=LINK_PURPOSE)
    return reverse("control-export-download", args=[token])


def _progress(export: Export) -> str:
    return ngettext(
        "%(done)d of %(total)d row written", "%(done)d of %(total)d rows written", export.total_rows
    ) % {"done": export.done_rows, "total": export.total_rows}


@control_view
def export_list(request):
    """GET: one's exports and the form to ask for one; POST: ask (then its progress page)."""
    form = ExportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        export = export_request(
            kind=data["kind"],
            file_format=data["file_format"],
            requested_by=request.user,
            event=data["event"],
            event_date=data["event_date"],
            language=get_language() or "",
            actor=Actor.from_request(request),
        )
        return redirect("control-export-detail", pk=export.pk)
    rows = [
        {"export": e, "link": download_link(e) if e.status == Export.Status.DONE else ""}
        for e in exports_of(request.user)
    ]
    return render(
        request,
        "sales/control/export_list.html",
        {"form": form, "rows": rows, "time_zone": shared_zone_of(request.user)},
        status=400 if form.errors else 200,
    )


def _own_export(request, pk) -> Export:
    export = export_of(request.user, pk)
    if export is None:
        raise Http404
    return export


@control_view
def export_detail(request, pk):
    """An export's progress while the worker builds it, then its download link."""
    export = _own_export(request, pk)
    return render(
        request,
        "sales/control/export_progress.html",
        {
            "export": export,
            "progress": _progress(export),
            "link": download_link(export) if export.status == Export.Status.DONE else "",
            "refresh_seconds": 2,
        },
    )


@control_view
def export_status(request, pk):
    export = _own_export(request, pk)
    return JsonResponse(
        {
            "status": export.status,
            "label": export.get_status_display(),
            "progress": _progress(export),
            "percent": export.percent,
            "finished": export.is_finished,
        }
    )


@control_view
def export_download(request, token):
    try:
        payload = token_unsign(token, purpose=LINK_PURPOSE, max_age=KEPT_FOR.total_seconds())
    except signing.BadSignature:  # forged, of another organization, or lapsed
        raise Http404 from None
    if not isinstance(payload, dict) or payload.get("user") != request.user.pk:
        raise Http404
    if not isinstance(payload.get("export"), int):
        raise Http404
    export = export_of(request.user, payload.get("export"))
    if export is None or export.status != Export.Status.DONE or not export.file:
        raise Http404
    response = FileResponse(export.file.open("rb"), as_attachment=True, filename=export.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
