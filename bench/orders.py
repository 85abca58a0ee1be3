"""Orders list benchmark (issue 14): server time of the control panel's order list over
100,000 orders in one organization.

Builds a bench organization (schema cloned from the template) with one organizer, two
events (30 dates), its two channels and an organization admin, then bulk-inserts N orders
(1–3 tickets each, placed over the last year; paid mostly, some pending, refunded,
cancelled; card, cash and card terminal) and ANALYZEs. Times the page through Django's
test client on the organization's host with DEBUG off, logged in as the admin: the first
page, a search (a buyer's surname), a filtered list (status + channel + payment method +
period), and a sorted later page (by total, page 40). For each: median and p99 server time
over R requests after a few warm-up ones, the queries of one request, and the CPU per
request of this process (the app: view, ORM, templates) and of its PostgreSQL backend.
Prints a markdown table, writes bench/results/orders.json and drops the organization.

    .venv/bin/python bench/orders.py [--orders 100000] [--requests 100] [--keep]
"""

import argparse
import datetime as dt
import json
import os
import random
import secrets
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

from apps.accounts.services import user_create  # noqa: E402
from apps.events import services as events  # noqa: E402
from apps.organizers.models import Distribution  # noqa: E402
from apps.organizers.services import organizer_create  # noqa: E402
from apps.sales.models import CODE_ALPHABET, Order, Ticket  # noqa: E402
from apps.tenancy import services as tenancy  # noqa: E402
from apps.tenancy.models import Organization  # noqa: E402
from apps.tenancy.selectors import routes_changed  # noqa: E402

SLUG = "bench-orders"
FIRST_NAMES = [
    "Anna", "Bram", "Chloé", "Daan", "Emma", "Finn", "Gijs", "Hanna", "Inès", "Jules", "Lotte",
    "Milan", "Noor", "Olivier", "Pim", "Roos", "Sem", "Tess", "Vera", "Wout", "Yara", "Zoë",
]  # fmt: skip
SURNAMES = [
    "de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer",
    "de Boer", "Mulder", "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit",
    "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Peeters",
    "Maes", "Jacobs", "Willems", "Claes", "Goossens", "Wouters", "Smithson", "Vermeulen",
]  # fmt: skip
STATUSES = ["paid"] * 16 + ["pending", "refunded", "cancelled", "expired"]
METHODS = ["stripe"] * 6 + ["cash"] * 3 + ["card_terminal"]


def cleanup() -> None:
    connection.set_schema_to_public()
    organization = Organization.objects.filter(slug=SLUG).first()
    if organization is not None:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{organization.schema_name}" CASCADE')
        organization.domains.all().delete()
        Organization.objects.filter(pk=organization.pk).delete()
        routes_changed()


def setup() -> dict:
    """The bench organization: organizer, events with dates and ticket types, the admin."""
    cleanup()
    organization = tenancy.organization_create(name="Bench orders", slug=SLUG)
    with schema_context(organization.schema_name):
        organizer = organizer_create(name="Bench orders", slug=SLUG, currency="EUR", country="FR")
        shop = organizer.distributions.get(kind=Distribution.Kind.ONLINE_SHOP)
        box = organizer.distributions.get(kind=Distribution.Kind.BOX_OFFICE)
        location = events.location_create(
            organizer=organizer, name="Hall", address="1 rue", city="Lyon", country="FR"
        )
        ticket_types = []
        for name in ("Bench concert", "Bench theatre"):
            event = events.event_create(
                organizer=organizer, location=location, name=name, distributions=[shop, box]
            )
            for day in range(15):
                start = timezone.now() + dt.timedelta(days=10 + day)
                date = events.event_date_create(event=event, start=start, end=start + dt.timedelta(hours=2))
                ticket_types.append(
                    events.ticket_type_create(
                        event=event, event_date=date, name=f"Seat {day + 1}", price=Decimal(20 + day)
                    )
                )
            events.event_publish(event=event)
        admin = user_create(
            email="admin@bench-orders.example", password=None, is_operator=True, email_verified=True
        )
        type(admin).objects.filter(pk=admin.pk).update(is_admin=True)
        admin.refresh_from_db()
    return {
        "organization": organization,
        "organizer": organizer,
        "channels": (shop, box),
        "ticket_types": ticket_types,
        "admin": admin,
        "host": tenancy.platform_host_for(SLUG),
    }


def _code(rng: random.Random) -> str:
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(10))


def fill(world: dict, count: int, batch: int = 5000) -> float:
    """`count` orders with 1–3 tickets each, by bulk insert; returns the seconds it took."""
    rng = random.Random(14)
    started = time.perf_counter()
    shop, box = world["channels"]
    organizer = world["organizer"]
    now = timezone.now()
    codes: set[str] = set()
    with schema_context(world["organization"].schema_name):
        for offset in range(0, count, batch):
            orders, lines = [], []
            for _number in range(min(batch, count - offset)):
                code = _code(rng)
                while code in codes:
                    code = _code(rng)
                codes.add(code)
                method = rng.choice(METHODS)
                status = rng.choice(STATUSES)
                ticket_type = rng.choice(world["ticket_types"])
                quantity = rng.choice([1, 1, 2, 2, 3])
                subtotal = ticket_type.price * quantity
                first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
                placed = now - dt.timedelta(seconds=rng.uniform(0, 365 * 86400))
                orders.append(
                    Order(
                        code=code,
                        secret=secrets.token_urlsafe(24),
                        organizer=organizer,
                        distribution=shop if method == "stripe" else box,
                        status=status,
                        payment_method=method,
                        email=f"{first}.{last}.{len(codes)}@example.com".lower().replace(" ", ""),
                        buyer_name=f"{first} {last}",
                        currency="EUR",
                        subtotal=subtotal,
                        fee_total=0,
                        total=subtotal,
                        holds_capacity=status in ("paid", "pending"),
                        expires_at=placed + dt.timedelta(minutes=15) if status == "pending" else None,
                        paid_at=placed if status in ("paid", "refunded") else None,
                        language=rng.choice(["en", "fr"]),
                    )
                )
                lines.append((ticket_type, quantity, placed, status))
            Order.objects.bulk_create(orders, batch_size=batch)
            tickets = []
            placed_at = {}
            for order, (ticket_type, quantity, placed, status) in zip(orders, lines, strict=True):
                placed_at[order.pk] = placed
                ticket_status = {"paid": "valid", "pending": "valid", "refunded": "refunded"}.get(
                    status, "cancelled"
                )
                tickets += [
                    Ticket(
                        order=order,
                        ticket_type=ticket_type,
                        event_date_id=ticket_type.event_date_id,
                        code=secrets.token_urlsafe(16),
                        price=ticket_type.price,
                        status=ticket_status,
                        attendee_name=order.buyer_name if n == 0 else "",
                    )
                    for n in range(quantity)
                ]
            Ticket.objects.bulk_create(tickets, batch_size=batch)
            # created_at is auto_now_add: spread the orders over the year afterwards.
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE sales_order AS o SET created_at = v.placed FROM (SELECT unnest(%s::bigint[]) AS id, "
                    "unnest(%s::timestamptz[]) AS placed) AS v WHERE o.id = v.id",
                    [list(placed_at), list(placed_at.values())],
                )
    # What autovacuum does after so many inserts: statistics, and the visibility map that lets
    # the count read the list's index alone (VACUUM cannot run in a transaction: autocommit).
    with schema_context(world["organization"].schema_name), connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE sales_order")
        cursor.execute("VACUUM ANALYZE sales_ticket")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100, help="timed requests per case")
    parser.add_argument("--keep", action="store_true", help="keep the bench organization afterwards")
    args = parser.parse_args()

    results = {}
    try:
        world = setup()
        seconds = fill(world, args.orders)
        print(f"built {args.orders} orders in {seconds:.1f} s", flush=True)
        shop, box = world["channels"]
        today = timezone.localdate()
        cases = {
            "first page": "/control/orders/",
            "search: a surname": "/control/orders/?q=vermeulen",
            "filtered: status + channel + method + period": (
                f"/control/orders/?status=paid&distribution={box.pk}&payment_method=cash"
                f"&placed_from={today - dt.timedelta(days=90)}&placed_until={today}"
            ),
            "sorted by total, page 40": "/control/orders/?sort=-total&page=40",
        }
        client = Client()
        with schema_context(world["organization"].schema_name):
            client.force_login(world["admin"])
        connection.set_schema_to_public()
        for label, path in cases.items():
            results[label] = _django.measure_view(client, world["host"], path, args.requests)
            print(f"{label}: median {results[label]['median_ms']} ms", flush=True)
    finally:
        if not args.keep:
            cleanup()
    print()
    print(
        _django.markdown_table(
            [
                "case",
                "orders",
                "requests",
                "median ms",
                "p99 ms",
                "queries",
                "app CPU ms/req",
                "db CPU ms/req",
            ],
            [
                [
                    label,
                    args.orders,
                    r["requests"],
                    r["median_ms"],
                    r["p99_ms"],
                    r["queries"],
                    r["app_cpu_ms_per_request"],
                    r["db_cpu_ms_per_request"],
                ]
                for label, r in results.items()
            ],
        )
    )
    print(
        "\n(server time: the view through Django's test client, DEBUG off, logged in as the "
        f"organization's admin; {os.cpu_count()} CPUs; target: first page < 200 ms p99)"
    )
    _django.RESULTS.mkdir(parents=True, exist_ok=True)
    (_django.RESULTS / "orders.json").write_text(
        json.dumps({"orders": args.orders, "debug": settings.DEBUG, "cases": results}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
