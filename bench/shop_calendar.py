"""Shop calendar benchmark (issue 15 §5; shared/BENCH.md "shop"): server time of the event
page of a theme park open every day of a year with 4 timeslots (365 × 4 = 1,460 dates),
shown as a month calendar, a day's timeslots and a timeslot's tickets; and, to compare, the
page of an event with 4 dates (the list of quantity boxes).

Builds a bench organization (schema cloned from the template) with one organizer whose
payments are connected, the park (dates and one ticket type per timeslot bulk-inserted,
some timeslots sold out, some nearly) and the 4-date event, then ANALYZEs. Times the pages
through Django's test client on the organizer's host with DEBUG off, anonymous: for each,
median and p99 server time over R requests after a few warm-up ones, the queries of one
request, and the CPU per request of this process (the app: view, ORM, templates) and of
its PostgreSQL backend. Prints a markdown table, writes bench/results/shop_calendar.json
and drops the organization.

    .venv/bin/python bench/shop_calendar.py [--days 365] [--slots 4] [--requests 200] [--keep]
"""

import argparse
import datetime as dt
import json
import os
import time
from decimal import Decimal

import _django

os.environ["DEBUG"] = "false"  # measured as served: no query log, no debug pages
_django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from apps.core.timezones import localdate_in, make_aware_in  # noqa: E402
from apps.events import services as events  # noqa: E402
from apps.events.models import EventDate, TicketType  # noqa: E402
from apps.organizers.models import Distribution  # noqa: E402
from apps.organizers.services import organizer_create  # noqa: E402
from apps.payments.models import ConnectedAccount  # noqa: E402
from apps.sales.models import DateStock  # noqa: E402
from apps.tenancy import services as tenancy  # noqa: E402
from apps.tenancy.models import Organization  # noqa: E402
from apps.tenancy.selectors import routes_changed  # noqa: E402

SLUG = "bench-calendar"
TIMES = ("10:00", "12:00", "14:00", "16:00")


def cleanup() -> None:
    connection.set_schema_to_public()
    organization = Organization.objects.filter(slug=SLUG).first()
    if organization is not None:
        ConnectedAccount.objects.filter(schema_name=organization.schema_name).delete()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{organization.schema_name}" CASCADE')
        organization.domains.all().delete()
        Organization.objects.filter(pk=organization.pk).delete()
        routes_changed()


def setup(days: int, slots: int) -> dict:
    """The bench organization: organizer (payments connected), the park and a 4-date event."""
    cleanup()
    organization = tenancy.organization_create(name="Bench calendar", slug=SLUG)
    with schema_context(organization.schema_name):
        organizer = organizer_create(name="Bench park", slug=SLUG, currency="EUR", country="FR")
        shop = organizer.distributions.get(kind=Distribution.Kind.ONLINE_SHOP)
        location = events.location_create(
            organizer=organizer, name="Park", address="1 allée", city="Lyon", country="FR"
        )
        park = events.event_create(organizer=organizer, location=location, name="Park", distributions=[shop])
        zone = park.time_zone
        first_day = localdate_in(timezone.now(), zone) + dt.timedelta(days=1)
        starts = [
            make_aware_in(
                dt.datetime.combine(first_day + dt.timedelta(days=i), dt.time.fromisoformat(t)), zone
            )
            for i in range(days)
            for t in TIMES[:slots]
        ]
        dates = EventDate.objects.bulk_create(
            [EventDate(event=park, start=s, end=s + dt.timedelta(hours=2), capacity=200) for s in starts]
        )
        TicketType.objects.bulk_create(
            [TicketType(event=park, event_date=d, name="Entry", price=Decimal("29.00")) for d in dates]
        )
        # every 7th timeslot sold out, every 5th nearly
        DateStock.objects.bulk_create(
            [
                DateStock(event_date=d, sold=200 if i % 7 == 0 else 190)
                for i, d in enumerate(dates)
                if i % 7 == 0 or i % 5 == 0
            ]
        )
        events.event_publish(event=park)
        show = events.event_create(organizer=organizer, location=location, name="Show", distributions=[shop])
        for day in range(4):
            start = timezone.now() + dt.timedelta(days=10 + day)
            date = events.event_date_create(
                event=show, start=start, end=start + dt.timedelta(hours=2), capacity=500
            )
            events.ticket_type_create(event=show, event_date=date, name="Seat", price=Decimal("20.00"))
        events.event_publish(event=show)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        slot = dates[(3 * slots) + 1]  # the fourth day's second timeslot
    with schema_context("public"):
        # the organization's host is the organizer's storefront
        organization.domains.filter(is_primary=True).update(organizer_slug=SLUG)
        routes_changed()
        ConnectedAccount.objects.create(
            schema_name=organization.schema_name,
            organizer_id=organizer.pk,
            stripe_account_id=f"acct_1bench{organizer.pk}",
            charges_enabled=True,
        )
    return {
        "organization": organization,
        "park": park,
        "show": show,
        "day": localdate_in(slot.start, zone),
        "slot": slot,
        "dates": len(dates),
        "host": tenancy.platform_host_for(SLUG),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=365, help="days the park is open")
    parser.add_argument(
        "--slots", type=int, default=4, choices=range(1, len(TIMES) + 1), help="timeslots a day"
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per case")
    parser.add_argument("--keep", action="store_true", help="keep the bench organization afterwards")
    args = parser.parse_args()

    results = {}
    try:
        started = time.perf_counter()
        world = setup(args.days, args.slots)
        print(f"built {world['dates']} dates in {time.perf_counter() - started:.1f} s", flush=True)
        park, show = world["park"].pk, world["show"].pk
        cases = {
            f"calendar: month ({world['dates']} dates)": f"/events/{park}/",
            "calendar: a day's timeslots": f"/events/{park}/?date={world['day'].isoformat()}",
            "calendar: a timeslot's tickets": f"/events/{park}/?slot={world['slot'].pk}",
            "calendar: a later month": f"/events/{park}/?month={(world['day'] + dt.timedelta(days=200)):%Y-%m}",
            "list: an event of 4 dates": f"/events/{show}/",
        }
        connection.set_schema_to_public()
        for label, path in cases.items():
            results[label] = _django.measure_view(
                Client(), world["host"], path, args.requests
            )  # anonymous, no cart
            print(f"{label}: median {results[label]['median_ms']} ms", flush=True)
    finally:
        if not args.keep:
            cleanup()
    print()
    headers = [
        "case",
        "requests",
        "median ms",
        "p99 ms",
        "queries",
        "HTML KiB",
        "app CPU ms/req",
        "db CPU ms/req",
    ]
    rows = [
        [
            label,
            r["requests"],
            r["median_ms"],
            r["p99_ms"],
            r["queries"],
            r["html_kb"],
            r["app_cpu_ms_per_request"],
            r["db_cpu_ms_per_request"],
        ]
        for label, r in results.items()
    ]
    print(_django.markdown_table(headers, rows))
    print(
        "\n(server time: the view through Django's test client, DEBUG off, anonymous; "
        f"{os.cpu_count()} CPUs shared; target (BENCH.md shop): ≤ 3 ms CPU per view, p99 ≤ 150 ms)"
    )
    _django.RESULTS.mkdir(parents=True, exist_ok=True)
    (_django.RESULTS / "shop_calendar.json").write_text(
        json.dumps(
            {"days": args.days, "slots": args.slots, "debug": settings.DEBUG, "cases": results}, indent=2
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
