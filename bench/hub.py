"""Events hub benchmark (issue 5): server time of the hub page over a large index.

Fills the hub's index (the public-schema table the page reads) with 2,000 organizers × 20
upcoming events by bulk insert, then times the view through Django's test client on the
platform host with DEBUG off: the first page, and a filtered search (city + text), each
over 200 requests after a few warm-up ones. Prints median and p99, writes
bench/results/hub.json and removes what it created.

    .venv/bin/python bench/hub.py [--organizers 2000] [--events 20] [--requests 200]
"""

import argparse
import datetime as dt
import json
import os
import random
import statistics
import time

import _django

os.environ["DEBUG"] = "false"  # measured as served: no query log, no debug pages
_django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import get_public_schema_name  # noqa: E402

from apps.hub.models import HubEvent, search_text  # noqa: E402
from apps.tenancy.models import Organization  # noqa: E402

PREFIX = "bench_hub_"
CITIES = [
    "Amsterdam", "Rotterdam", "Utrecht", "Eindhoven", "Groningen", "Tilburg", "Almere", "Breda",
    "Nijmegen", "Haarlem", "Arnhem", "Zwolle", "Leiden", "Maastricht", "Delft", "Antwerpen",
    "Gent", "Brugge", "Leuven", "Brussel", "Paris", "Lyon", "Lille", "Nantes", "Bordeaux",
    "Köln", "Düsseldorf", "Berlin", "Hamburg", "München",
]  # fmt: skip
WORDS = [
    "jazz", "summer", "night", "festival", "rock", "classic", "family", "comedy", "open air",
    "theatre", "opera", "dance", "market", "winter", "light", "food", "beer", "garden", "film", "kids",
]  # fmt: skip
KINDS = ["concert", "festival", "theatre", "sport", "theme_park", "exhibition", "other"]


def _fill(organizers: int, events: int) -> int:
    """Rows as the services write them; 10 organizers per organization schema."""
    rng = random.Random(5)
    now = timezone.now()
    rows = []
    for number in range(organizers):
        organizer = f"Organizer {number:04} {rng.choice(WORDS).title()}"
        schema_name = f"{PREFIX}{number // 10:04}"
        home = rng.choice(CITIES)
        for index in range(events):
            city = home if rng.random() < 0.7 else rng.choice(CITIES)
            name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {index}"
            start = now + dt.timedelta(days=rng.uniform(0.5, 365), minutes=rng.randrange(0, 1440))
            rows.append(
                HubEvent(
                    schema_name=schema_name,
                    event_id=(number % 10) * 1000 + index + 1,
                    organizer_name=organizer,
                    organizer_slug=f"organizer-{number:04}",
                    name=name,
                    category=rng.choice(KINDS),
                    city=city,
                    country="NL",
                    location_name=f"{city} hall",
                    next_start=start,
                    last_end=start + dt.timedelta(days=rng.choice([0, 0, 0, 2, 30]), hours=3),
                    date_count=rng.randint(1, 40),
                    host=f"organizer-{number:04}.{settings.PLATFORM_DOMAIN}",
                    search=search_text(name, organizer, city, f"{city} hall"),
                )
            )
    HubEvent.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE hub_hubevent")
    return len(rows)


def _time(client: Client, params: dict, requests: int) -> dict:
    for _warm_up in range(5):
        assert client.get("/events/", params, HTTP_HOST=settings.PLATFORM_DOMAIN).status_code == 200
    samples = []
    for _request in range(requests):
        started = time.perf_counter()
        response = client.get("/events/", params, HTTP_HOST=settings.PLATFORM_DOMAIN)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p99_ms": round(statistics.quantiles(samples, n=100)[98], 1),
        "min_ms": round(min(samples), 1),
        "max_ms": round(max(samples), 1),
        "requests": requests,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--organizers", type=int, default=2000)
    parser.add_argument("--events", type=int, default=20, help="upcoming events per organizer")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per case")
    args = parser.parse_args()

    public, made_public = Organization.objects.get_or_create(
        schema_name=get_public_schema_name(),
        defaults={"name": "Platform", "slug": "platform", "status": Organization.Status.READY},
    )
    HubEvent.objects.filter(schema_name__startswith=PREFIX).delete()  # a run cut short before
    cases = {
        "first page": {},
        "search: city + text": {"city": "utrecht", "q": "jazz night"},
    }
    results = {}
    try:
        started = time.perf_counter()
        indexed = _fill(args.organizers, args.events)
        print(f"indexed {indexed} events in {time.perf_counter() - started:.1f} s", flush=True)
        client = Client()
        for label, params in cases.items():
            results[label] = {"params": params, **_time(client, params, args.requests)}
            print(f"{label}: median {results[label]['median_ms']} ms", flush=True)
    finally:
        HubEvent.objects.filter(schema_name__startswith=PREFIX).delete()
        if made_public:
            public.delete()
    print()
    print(
        _django.markdown_table(
            ["case", "indexed events", "requests", "median ms", "p99 ms"],
            [[label, indexed, r["requests"], r["median_ms"], r["p99_ms"]] for label, r in results.items()],
        )
    )
    print("\n(server time: the view through Django's test client, DEBUG off; target: first page < 100 ms)")
    _django.RESULTS.mkdir(parents=True, exist_ok=True)
    (_django.RESULTS / "hub.json").write_text(
        json.dumps({"indexed_events": indexed, "debug": settings.DEBUG, "cases": results}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
