"""The control panel's figures beyond the dashboard: the sales report of a period (by day,
ticket type and channel, with the payments and the platform's fees it reconciles with),
downloadable as CSV or XLSX; an organizer's ledger; and an event's sales (sold / held /
available per date and ticket type, revenue per ticket type).

The event's sales page is served here, by sales, at /control/events/<pk>/sales/ (events is
below sales and may not read orders); the event's page links to it by its URL name.
Who sees what: apps.sales.selectors.figures.figures_scope (the permission module's
configurers, sellers and admins). Reads only: the selectors in apps.sales.selectors.figures
and apps.sales.selectors.ledger.
"""

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core import timezones
from apps.core.money import quantize
from apps.core.spreadsheets import Format, table_response
from apps.events.selectors import events_visible_to
from apps.operators.decorators import control_view
from apps.organizers.models import Organizer
from apps.sales.selectors import figures
from apps.sales.selectors.addon_figures import event_add_on_figures
from apps.sales.selectors.ledger import Kind, ledger, report_rows, sales_report
from apps.sales.selectors.vouchers import voucher_sales
from apps.sales.views.control_dashboard import zone_of

LONGEST_PERIOD_DAYS = 366
LEDGER_PAGE = 500


class PeriodForm(forms.Form):
    organizer = forms.TypedChoiceField(label=gettext_lazy("Organizer"), coerce=int)
    first = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(
        label=gettext_lazy("To (included)"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, organizers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].choices = [(o.pk, o.name) for o in organizers]
        if len(organizers) == 1:
            self.fields["organizer"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last:
            if last < first:
                self.add_error("last", _("The end of the period cannot be before its start."))
            elif (last - first).days >= LONGEST_PERIOD_DAYS:
                self.add_error("last", _("Choose a period of at most a year."))
        return data


def _period_form(request, organizers, *, organizer: Organizer | None = None) -> PeriodForm:
    """The period asked for in the query string, the last 30 days by default."""
    zone = zone_of(organizer)
    today = timezone.localdate(timezone=zone)
    initial = {
        "organizer": (organizer or organizers[0]).pk,
        "first": (today - timedelta(days=29)).isoformat(),
        "last": today.isoformat(),
    }
    data = {key: request.GET.get(key) or value for key, value in initial.items()}
    if organizer is not None:
        data["organizer"] = organizer.pk
    return PeriodForm(data, organizers=organizers)


def _presets(organizer: Organizer) -> list[tuple[str, str, str]]:
    """(label, first, last) of the usual periods."""
    today = timezone.localdate(timezone=zone_of(organizer))
    month = today.replace(day=1)
    previous = (month - timedelta(days=1)).replace(day=1)
    return [
        (_("Last 30 days"), (today - timedelta(days=29)).isoformat(), today.isoformat()),
        (_("This month"), month.isoformat(), today.isoformat()),
        (_("Last month"), previous.isoformat(), (month - timedelta(days=1)).isoformat()),
    ]


def _chosen(request, form: PeriodForm, organizers):
    organizer = next(o for o in organizers if o.pk == form.cleaned_data["organizer"])
    scope = figures.figures_scope(request.user, organizer)
    if scope is None:
        raise Http404
    period = figures.Period(form.cleaned_data["first"], form.cleaned_data["last"], zone_of(organizer))
    return organizer, scope, period


REPORT_HEADER = (
    gettext_lazy("Section"),
    gettext_lazy("Day, ticket type or channel"),
    gettext_lazy("Orders"),
    gettext_lazy("Tickets"),
    gettext_lazy("Ticket revenue"),
    gettext_lazy("Service fees"),
    gettext_lazy("Gross"),
    gettext_lazy("Refunded tickets"),
    gettext_lazy("Refunds"),
    gettext_lazy("Net"),
)


def _download(request, header, rows, *, filename: str, title: str) -> HttpResponse | None:
    """The table as the download asked for with ?format=csv or ?format=xlsx (written by
    apps.core.spreadsheets: formulas neutralized, amounts as numbers), else None (the page)."""
    try:
        wanted = Format(request.GET.get("format", ""))
    except ValueError:
        return None
    return table_response(wanted, [str(name) for name in header], rows, filename=filename, title=title)


def _quantized(row, currency: str) -> tuple:
    """The row with its amounts (Decimals) to the currency's decimals."""
    return tuple(quantize(v, currency) if isinstance(v, Decimal) else v for v in row)


def _report_rows(report, currency: str) -> Iterator[tuple]:
    section_names = {
        "day": _("Day"),
        "ticket_type": _("Ticket type"),
        "channel": _("Channel"),
        "total": _("Total"),
    }
    for section, *cells in report_rows(report):
        yield _quantized((section_names[section], *cells), currency)


def _ledger_header(zone) -> tuple:
    return (
        _("When (%(zone)s)") % {"zone": zone},
        _("Entry"),
        _("Order"),
        _("Payment method"),
        _("Tickets"),
        _("Amount"),
        _("Payments so far"),
        _("Refunds so far"),
        _("Platform fees so far"),
        _("Balance"),
    )


def _ledger_rows(books, zone, currency: str) -> Iterator[tuple]:
    """The ledger's entries, their times in the organizer's zone (`zone`, named in the header)."""
    for e in books.entries:
        yield _quantized(
            (
                e.when.astimezone(zone),
                str(KIND_LABELS[e.kind]),
                e.order_code,
                e.method,
                e.tickets,
                e.amount,
                e.running.payments,
                e.running.refunds,
                e.running.platform_fees,
                e.running.balance,
            ),
            currency,
        )


@control_view
def control_reports(request):
    organizers = figures.figures_organizers(request.user)
    if not organizers:
        raise Http404
    form = _period_form(request, organizers)
    if not form.is_valid():
        return render(
            request, "sales/control/report.html", {"form": form, "organizers": organizers}, status=400
        )
    organizer, scope, period = _chosen(request, form, organizers)
    report = sales_report(scope, period, organizer.currency)
    download = _download(
        request,
        REPORT_HEADER,
        _report_rows(report, organizer.currency),
        filename=f"sales-{organizer.slug}-{period.first.isoformat()}-{period.last.isoformat()}",
        title=_("Sales report"),
    )
    if download is not None:
        return download
    with timezone.override(period.zone):
        return render(
            request,
            "sales/control/report.html",
            {
                "form": form,
                "organizers": organizers,
                "organizer": organizer,
                "scope": scope,
                "report": report,
                "presets": _presets(organizer),
                "time_zone": str(period.zone),
                "currency": organizer.currency,
                "voucher_sales": voucher_sales(scope, period),
            },
        )


@control_view
def control_ledger(request, pk):
    organizers = figures.figures_organizers(request.user)
    organizer = next((o for o in organizers if o.pk == pk), None)
    if organizer is None:
        raise Http404
    form = _period_form(request, organizers, organizer=organizer)
    if not form.is_valid():
        return render(
            request, "sales/control/ledger.html", {"form": form, "organizer": organizer}, status=400
        )
    organizer, scope, period = _chosen(request, form, organizers)
    books = ledger(scope, period, organizer.currency)
    report = sales_report(scope, period, organizer.currency)
    download = _download(
        request,
        _ledger_header(period.zone),
        _ledger_rows(books, period.zone, organizer.currency),
        filename=f"ledger-{organizer.slug}-{period.first.isoformat()}-{period.last.isoformat()}",
        title=_("Ledger"),
    )
    if download is not None:
        return download
    shown = books.entries[-LEDGER_PAGE:]
    with timezone.override(period.zone):
        return render(
            request,
            "sales/control/ledger.html",
            {
                "form": form,
                "organizer": organizer,
                "scope": scope,
                "ledger": books,
                "entries": [(e, KIND_LABELS[e.kind]) for e in shown],
                "left_out": len(books.entries) - len(shown),
                "report": report,
                "presets": _presets(organizer),
                "time_zone": str(period.zone),
                "currency": organizer.currency,
                "agrees": books.closing.payments == report.total.gross
                and books.closing.refunds == report.total.refunds
                and books.closing.platform_fees == report.platform_collected,
            },
        )


KIND_LABELS = {
    Kind.RESERVATION: gettext_lazy("Reservation"),
    Kind.PAYMENT: gettext_lazy("Payment"),
    Kind.SERVICE_FEE: gettext_lazy("Service fees (included in the payment)"),
    Kind.PLATFORM_FEE: gettext_lazy("Platform fee"),
    Kind.REFUND: gettext_lazy("Refund"),
}


@control_view
def event_sales(request, pk):
    event = get_object_or_404(events_visible_to(request.user).select_related("organizer", "location"), pk=pk)
    scope = figures.figures_scope(request.user, event.organizer)
    if scope is None:
        raise Http404
    zone = timezones.zone(event.time_zone)
    with timezone.override(zone):
        return render(
            request,
            "sales/control/event_sales.html",
            {
                "event": event,
                "scope": scope,
                "figures": figures.event_figures(event, scope),
                "add_ons": event_add_on_figures(event, scope),
                "time_zone": str(zone),
            },
        )
