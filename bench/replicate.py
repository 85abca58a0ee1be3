"""Replication benchmark (issue 4): time to replicate an event to 100, 500 and 2,000 dates.

For each size, a fresh event with one date and two date-bound ticket types plus a pass is
replicated by an approved operator through the service the API calls (one transaction,
bulk inserts: the dates and, for each date, a copy of each date-bound ticket type). Prints
wall time and the database time of the transaction, writes bench/results/replicate.json and
removes what it created.

    .venv/bin/python bench/replicate.py [--sizes 100 500 2000] [--repeat 3]
"""

import argparse
import json
import statistics
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import _django

_django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from apps.accounts.services import user_create  # noqa: E402
from apps.core.audit import Actor  # noqa: E402
from apps.events.models import EventDate, TicketType  # noqa: E402
from apps.events.services import (  # noqa: E402
    event_create,
    event_date_create,
    location_create,
    replication_request,
    ticket_type_create,
)
from apps.organizers.services import organizer_create  # noqa: E402
from apps.tenancy import services as tenancy  # noqa: E402
from apps.tenancy.models import Organization  # noqa: E402
from apps.tenancy.selectors import routes_changed  # noqa: E402

SLUG = "bench-replicate"


def _setup():
    organization = Organization.objects.filter(slug=SLUG).first() or tenancy.organization_create(
        name=SLUG, slug=SLUG
    )
    with schema_context(organization.schema_name):
        organizer = organizer_create(name="Bench park", currency="EUR", country="NL")
        location = location_create(
            organizer=organizer, name="Bench", address="1 Road", city="Utrecht", country="NL"
        )
        operator = user_create(email="bench@bench.example", password=None, is_operator=True, is_admin=True)
        operator.replication_approved_at = timezone.now()
        operator.save()
    return organization, organizer, location, operator


def _event(organizer, location):
    event = event_create(organizer=organizer, location=location, name="Bench event")
    start = datetime(2027, 1, 1, 10, tzinfo=UTC)
    first = event_date_create(event=event, start=start, end=start + timedelta(hours=8))
    ticket_type_create(event=event, event_date=first, name="Adult", price=Decimal("30.00"))
    ticket_type_create(event=event, event_date=first, name="Child", price=Decimal("20.00"))
    ticket_type_create(event=event, name="Pass", price=Decimal("90.00"))
    return event


def run_once(organizer, location, operator, size: int) -> dict:
    event = _event(organizer, location)
    plan = {
        "kind": "recurrence",
        "frequency": "daily",
        "times": ["10:00"],
        "duration_minutes": 480,
        "starts_on": "2027-01-02",
        "count": size,
        "timezone": "Europe/Amsterdam",
    }
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        request = replication_request(event=event, plan=plan, actor=Actor(user=operator))
        wall = time.perf_counter() - started
    assert request.created_count == size, request.status
    db_seconds = sum(float(query["time"]) for query in queries.captured_queries)
    return {"wall_s": wall, "db_s": db_seconds, "queries": len(queries.captured_queries)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 2000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the median is printed")
    args = parser.parse_args()

    organization, organizer, location, operator = _setup()
    rows, results = [], {}
    try:
        with schema_context(organization.schema_name):
            for size in args.sizes:
                runs = [run_once(organizer, location, operator, size) for _ in range(args.repeat)]
                summary = {
                    "dates": size,
                    "ticket_types_created": size * 2,
                    "wall_s_median": round(statistics.median(r["wall_s"] for r in runs), 3),
                    "db_s_median": round(statistics.median(r["db_s"] for r in runs), 3),
                    "queries": runs[0]["queries"],
                }
                results[str(size)] = summary
                rows.append(list(summary.values()))
                print(f"{size} dates: {summary['wall_s_median']} s", flush=True)
            totals = {"dates": EventDate.objects.count(), "ticket_types": TicketType.objects.count()}
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{organization.schema_name}" CASCADE')
        Organization.objects.filter(pk=organization.pk).delete()
        routes_changed()
    print()
    print(
        _django.markdown_table(
            ["dates", "ticket types made", "wall s (median)", "db s (median)", "queries"], rows
        )
    )
    print(
        f"\n(created in all: {totals['dates']} dates, {totals['ticket_types']} ticket types; removed again)"
    )
    _django.RESULTS.mkdir(parents=True, exist_ok=True)
    (_django.RESULTS / "replicate.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
