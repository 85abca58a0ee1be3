"""The control panel's home (/control/): an organizer's sales at a glance, or the whole
organization's for its admins.

Tickets sold, orders and revenue (gross, service fees, refunds, platform fees, net) for
today, the last 7 and the last 30 days; sales per day over 30 days and per channel, as
charts; the dates to come with sold / held / capacity bars; today's check-ins per date; the
latest orders; and, until it is done, a "before you sell" checklist (payments connected, a
location, a published event, the online shop on), each step with its link.

Sales serves this page (not operators, below it) because the figures are sales'. Who sees
which figures is apps.sales.selectors.figures.figures_scope, built on the permission module:
an organizer's configurers see all of its figures, its sellers those of their channels, the
organization's admins every organizer's and the whole organization's.

The charts are SVG drawn by the server (apps.sales.charts says why: no script under the
strict CSP, readable without JavaScript, a title, a description, axes, the values and a
table behind each chart for screen readers).
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.http import Http404
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from apps.core import timezones
from apps.operators.decorators import control_view
from apps.operators.permissions import is_organization_admin
from apps.organizers.models import Organizer
from apps.sales.charts import bar_chart, column_chart
from apps.sales.selectors import figures
from apps.sales.selectors.addon_figures import with_add_on_refunds

ALL = "all"


def zone_of(organizer: Organizer | None) -> ZoneInfo:
    """The zone the figures' days are counted in, named on the page: the organizer's (the
    whole organization's figures: the platform's)."""
    return timezones.zone(organizer.zone_name if organizer else settings.TIME_ZONE)


def chosen_organizer(request, organizers: list[Organizer]) -> tuple[Organizer | None, bool]:
    """(the organizer picked with ?organizer=, or None for the whole organization; whether
    the whole organization is what was picked). Admins start on the whole organization when
    there are several organizers, everyone else on their first organizer; an organizer one
    may not see is a 404."""
    admin = is_organization_admin(request.user)
    wanted = request.GET.get("organizer", "")
    if wanted == ALL or (not wanted and admin and len(organizers) > 1):
        if not admin:
            raise Http404
        return None, True
    if not wanted:
        return (organizers[0] if organizers else None), False
    found = next((o for o in organizers if str(o.pk) == wanted), None)
    if found is None:
        raise Http404
    return found, False


def _daily_chart(series: figures.SalesSeries):
    points = [
        (formats.date_format(day.day, "SHORT_DATE_FORMAT"), day.tickets, str(day.tickets))
        for day in series.days
    ]
    return column_chart(
        title=_("Tickets sold per day, last 30 days"),
        description=_(
            "One bar per day, its height the number of tickets sold that day; the table below gives the figures."
        ),
        points=points,
        label_every=5,
    )


def _channel_chart(series: figures.SalesSeries, many_organizers: bool):
    points = [
        (f"{c.organizer} – {c.name}" if many_organizers else c.name, c.tickets, str(c.tickets))
        for c in series.channels
    ]
    return bar_chart(
        title=_("Tickets sold per channel, last 30 days"),
        description=_(
            "One bar per sale channel, its length the number of tickets sold through it; the table below gives the figures."
        ),
        points=points,
    )


@control_view
def control_dashboard(request):
    organizers = figures.figures_organizers(request.user)
    organizer, whole = chosen_organizer(request, organizers)
    context = {
        "organizers": organizers,
        "organizer": organizer,
        "whole": whole,
        "may_see_whole": is_organization_admin(request.user) and len(organizers) > 1,
    }
    if organizer is None and not whole:  # no organizer to show yet
        return render(request, "sales/control/dashboard.html", context)
    scope = figures.figures_scope(request.user, organizer)
    if scope is None:
        raise Http404
    zone = zone_of(organizer)
    today = timezone.localdate(timezone=zone)
    periods = [
        (_("Today"), figures.period_of_last(1, zone, today=today)),
        (_("Last 7 days"), figures.period_of_last(7, zone, today=today)),
        (_("Last 30 days"), figures.period_of_last(30, zone, today=today)),
    ]
    series = figures.sales_by_day_and_channel(scope, periods[2][1])
    currencies = sorted({c for day in series.days for c in day.gross})
    checklists = []
    if scope.full:
        checklists = [
            c
            for c in figures.setup_checklists(
                [organizer] if organizer else organizers, connection.schema_name
            )
            if not c.done
        ]
    with timezone.override(zone):
        return render(
            request,
            "sales/control/dashboard.html",
            {
                **context,
                "scope": scope,
                "time_zone": str(zone),
                "period_labels": [label for label, _period in periods],
                "totals": with_add_on_refunds(
                    figures.sales_totals(scope, [period for _label, period in periods]),
                    scope,
                    [period for _label, period in periods],
                ),
                "series": series,
                "daily_chart": _daily_chart(series),
                "channel_chart": _channel_chart(series, organizer is None),
                "currencies": currencies,
                "upcoming": figures.upcoming_dates(scope),
                "check_ins": figures.check_ins_today(scope, zone, today=today),
                "latest_orders": figures.latest_orders(scope),
                "checklists": checklists,
                "daily_rows": [
                    (day, [(day.gross.get(c, figures.ZERO), c) for c in currencies]) for day in series.days
                ],
                "channel_rows": [
                    (channel, [(channel.gross.get(c, figures.ZERO), c) for c in currencies])
                    for channel in series.channels
                ],
            },
        )
