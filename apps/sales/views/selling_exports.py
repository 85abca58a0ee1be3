"""The selling tools' downloads, offered as ?format=csv or ?format=xlsx on their pages (like
the report and the ledger): a date's waiting list and a pass type's passes. The tables are
written by apps.core.spreadsheets (formulas neutralized); times are in the event's zone (the
passes: their organizer's), named in the column's header."""

from collections.abc import Iterable, Iterator

from django.http import HttpResponse
from django.utils.translation import gettext as _

from apps.core import timezones
from apps.core.spreadsheets import Format, Row, table_response
from apps.sales.models import Pass, PassType, WaitingListEntry


def download(request, header, rows: Iterable[Row], *, filename: str, title: str) -> HttpResponse | None:
    """The table as asked for with ?format=csv or ?format=xlsx, else None (the page)."""
    try:
        wanted = Format(request.GET.get("format", ""))
    except ValueError:
        return None
    return table_response(wanted, [str(name) for name in header], rows, filename=filename, title=title)


def waiting_list_header(zone_name: str) -> tuple[str, ...]:
    zone = timezones.zone_label(zone_name)
    return (
        _("Position"),
        _("E-mail address"),
        _("Ticket type"),
        _("Tickets"),
        _("Status"),
        _("Joined (%(zone)s)") % {"zone": zone},
        _("Offered until (%(zone)s)") % {"zone": zone},
        _("Order"),
    )


def waiting_list_rows(rows: Iterable[tuple[WaitingListEntry, int | None]], zone_name: str) -> Iterator[Row]:
    """(entry, its position in line or None) as cells, the times in `zone_name`."""
    for entry, position in rows:
        expires = entry.offer_expires_at
        yield (
            position,
            entry.email,
            entry.ticket_type.name,
            entry.quantity,
            str(entry.get_status_display()),
            timezones.localtime_in(entry.created_at, zone_name),
            timezones.localtime_in(expires, zone_name) if expires else None,
            entry.order.code if entry.order else "",
        )


def passes_header(zone_name: str) -> tuple[str, ...]:
    return (
        _("Code"),
        _("Holder"),
        _("Customer e-mail address"),
        _("Order"),
        _("Valid from"),
        _("Valid until"),
        _("Uses"),
        _("Maximum uses"),
        _("Dates booked"),
        _("Issued (%(zone)s)") % {"zone": timezones.zone_label(zone_name)},
    )


def passes_rows(pass_type: PassType, passes: Iterable[Pass], zone_name: str) -> Iterator[Row]:
    """The passes (with ticket__order selected and `booked` annotated) as cells."""
    for season_pass in passes:
        order = season_pass.ticket.order
        yield (
            season_pass.ticket.code,
            season_pass.holder_name,
            order.email,
            order.code,
            pass_type.valid_from,
            pass_type.valid_until,
            season_pass.uses,
            pass_type.max_uses,
            season_pass.booked,  # type: ignore[attr-defined]  # annotated by the selector
            timezones.localtime_in(season_pass.created_at, zone_name),
        )
