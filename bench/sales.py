"""Sale benchmark (shared/BENCH.md "sale"): selling under contention through the REST API.

Serves the app with gunicorn on 127.0.0.1, then for each concurrency C creates a fresh event
date of capacity 1,000 and fires 1,500 box-office orders (one ticket, cash, a new buyer
e-mail each) from C concurrent clients. Prints per C: ok, rejected (sold out), errors (5xx
or timeout), orders/s, p50/p95/p99 latency and oversold (tickets sold − capacity, read from
the database afterwards), and the CPU time per request of the gunicorn workers, of their
PostgreSQL backends and of this client (what other load on a shared machine hardly moves,
unlike orders/s). Every worker serves a few orders on a date of its own before timing
starts, as a server that has been up a while. Writes bench/results/sales.json and drops
what it created.

    .venv/bin/python bench/sales.py [--concurrency 8 32 128] [--requests 1500] [--capacity 1000]
                                    [--workers N] [--worker-class sync|gthread] [--threads T]
"""

import argparse
import datetime as dt
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import _django

# Served as in production (no debug, no static-file rescans), over plain HTTP on loopback.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# One token plays every till here: the per-user order limit (120/min) would refuse the load.
os.environ.setdefault("RATE_LIMIT_API_ORDER_CREATE", "1000000/m")
_django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from apps.accounts.services import api_token_create, user_create  # noqa: E402
from apps.billing.models import BillingAccount  # noqa: E402
from apps.billing.services.accounts import billing_account_open  # noqa: E402
from apps.core.audit import Actor  # noqa: E402
from apps.events import services as events  # noqa: E402
from apps.operators.services import operator_link  # noqa: E402
from apps.organizers.models import Distribution  # noqa: E402
from apps.organizers.services import organizer_create  # noqa: E402
from apps.plans.models import Plan  # noqa: E402
from apps.plans.services import plan_create  # noqa: E402
from apps.sales.models import DateStock, Ticket  # noqa: E402
from apps.tenancy import services as tenancy  # noqa: E402
from apps.tenancy.models import Organization  # noqa: E402
from apps.tenancy.selectors import routes_changed  # noqa: E402

SLUG = "bench-sales"
WARM_UP_PER_WORKER = 20


def client_open(organization, organizer) -> None:
    """The organizer's client account on a plan with the box office (plans gate counter sales)."""
    with schema_context("public"):
        plan = Plan.objects.filter(slug=SLUG).first() or plan_create(
            name="Bench sales",
            slug=SLUG,
            box_office=True,
            price={
                "currency": "EUR",
                "monthly_fee": Decimal("29.00"),
                "setup_fee": Decimal("0.00"),
                "fixed_fee": Decimal("0.49"),
                "percent_fee": Decimal("1.50"),
            },
        )
        billing_account_open(
            organization=organization,
            organizer_id=organizer.pk,
            organizer_name=organizer.name,
            organizer_slug=organizer.slug,
            country="FR",
            plan=plan,
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup() -> dict:
    """The bench organization: organizer, published event, box office, seller token."""
    cleanup()
    organization = tenancy.organization_create(name="Bench sales", slug=SLUG)
    with schema_context(organization.schema_name):
        organizer = organizer_create(name="Bench sales", slug=SLUG, currency="EUR", country="FR")
        client_open(organization, organizer)
        box_office = organizer.distributions.get(kind=Distribution.Kind.BOX_OFFICE)
        location = events.location_create(
            organizer=organizer, name="Hall", address="1 rue", city="Lyon", country="FR"
        )
        event = events.event_create(
            organizer=organizer, location=location, name="Bench show", distributions=[box_office]
        )
        events.event_date_create(
            event=event,
            start=timezone.now() + dt.timedelta(days=1),
            end=timezone.now() + dt.timedelta(days=1, hours=2),
        )
        events.event_publish(event=event)
        seller = user_create(
            email="seller@bench.example", password=None, is_operator=True, email_verified=True
        )
        operator_link(operator=seller, distributions=[box_office])  # (drops the cached catalog)
        token = api_token_create(user=seller, actor=Actor(user=seller))[1]
    return {
        "organization": organization,
        "event": event,
        "box_office": box_office,
        "token": token,
        "host": tenancy.platform_host_for(SLUG),
    }


def fresh_date(world: dict, capacity: int, index: int) -> tuple[int, int]:
    with schema_context(world["organization"].schema_name):
        start = timezone.now() + dt.timedelta(days=2 + index)
        event_date = events.event_date_create(
            event=world["event"], start=start, end=start + dt.timedelta(hours=2), capacity=capacity
        )
        ticket_type = events.ticket_type_create(
            event=world["event"], event_date=event_date, name=f"Seat {index}", price=Decimal("10.00")
        )
    return event_date.pk, ticket_type.pk


def serve(args) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "--config", "config/gunicorn.py",  # production's settings, then the bench's own:
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers),
        "--worker-class", args.worker_class,
        "--threads", str(args.threads),
        "--log-level", "warning",
    ]  # fmt: skip
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
        "DEBUG": "false",
        "GUNICORN_ACCESS_LOG": "",  # (stated in the output: the only change from production)
    }
    server = subprocess.Popen(command, cwd=_django.ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server, port
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def _worker_pids(server: subprocess.Popen) -> list[int]:
    try:
        with open(f"/proc/{server.pid}/task/{server.pid}/children") as children:
            return [int(pid) for pid in children.read().split()]
    except OSError:
        return []


def _database_pids() -> list[int]:
    """The PostgreSQL backends serving the bench database (the workers' connections)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def _cpu_by_pid(pids) -> dict[int, float]:
    return {pid: _django.cpu_seconds([pid]) for pid in pids}


def run(
    world: dict, port: int, *, server: subprocess.Popen, concurrency: int, requests: int, ticket_type_id: int
) -> dict:
    """Fire `requests` orders from `concurrency` clients (one keep-alive connection each).
    Besides latencies, counts the CPU time the gunicorn workers, their PostgreSQL backends
    and this client spent per request: figures that other load on the machine hardly moves."""
    local = threading.local()
    headers = {
        "Host": world["host"],
        "Authorization": f"Token {world['token']}",
        "Content-Type": "application/json",
    }

    def one(number: int) -> tuple[str, float]:
        body = json.dumps(
            {
                "distribution": world["box_office"].pk,
                "email": f"buyer{concurrency}-{number}@bench.example",
                "payment_method": "cash",
                "positions": [{"ticket_type": ticket_type_id, "quantity": 1}],
            }
        )
        started = time.perf_counter()
        try:
            if getattr(local, "conn", None) is None:
                local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            local.conn.request("POST", "/api/v1/orders/", body=body, headers=headers)
            response = local.conn.getresponse()
            response.read()
            if response.getheader("Connection", "").lower() == "close":
                local.conn.close()
                local.conn = None
            outcome = {201: "ok", 409: "rejected"}.get(response.status, f"error {response.status}")
        except (OSError, http.client.HTTPException) as exc:
            local.conn = None
            outcome = f"error {type(exc).__name__}"
        return outcome, (time.perf_counter() - started) * 1000

    app_before = _cpu_by_pid(_worker_pids(server))
    database_before = _cpu_by_pid(_database_pids())
    client_before = time.process_time()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, range(requests)))
    wall = time.perf_counter() - started
    client_cpu = time.process_time() - client_before
    app_cpu = sum(cpu - app_before.get(pid, 0) for pid, cpu in _cpu_by_pid(_worker_pids(server)).items())
    database_cpu = sum(
        cpu - database_before.get(pid, 0) for pid, cpu in _cpu_by_pid(_database_pids()).items()
    )
    latencies = sorted(ms for _outcome, ms in results)
    outcomes = [outcome for outcome, _ms in results]
    errors = [o for o in outcomes if o.startswith("error")]
    return {
        "ok": outcomes.count("ok"),
        "rejected": outcomes.count("rejected"),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "wall_s": round(wall, 2),
        "orders_per_s": round(outcomes.count("ok") / wall, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1),
        "app_cpu_ms_per_request": round(app_cpu * 1000 / requests, 2),
        "db_cpu_ms_per_request": round(database_cpu * 1000 / requests, 2),
        "client_cpu_ms_per_request": round(client_cpu * 1000 / requests, 2),
    }


def oversold(world: dict, event_date_id: int, capacity: int) -> int:
    with schema_context(world["organization"].schema_name):
        counted = DateStock.objects.get(event_date_id=event_date_id)
        tickets = Ticket.objects.filter(event_date_id=event_date_id, status=Ticket.Status.VALID).count()
    assert counted.sold == tickets, f"stock says {counted.sold} sold, {tickets} tickets exist"
    return tickets - capacity


def drop_queued_tasks(schema_name: str) -> int:
    """The tickets e-mails the bench's orders queued (no worker runs here): drop them, since
    their schema is about to go. Messages carry their schema in their headers."""
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    dropped = 0
    for queue in ("email", "default"):
        for raw in client.lrange(queue, 0, -1):
            if f'"{schema_name}"'.encode() in raw:
                dropped += client.lrem(queue, 1, raw)
    return dropped


def cleanup() -> None:
    connection.set_schema_to_public()
    organization = Organization.objects.filter(slug=SLUG).first()
    if organization is not None:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{organization.schema_name}" CASCADE')
        organization.domains.all().delete()
        BillingAccount.objects.filter(organization=organization).delete()
        Organization.objects.filter(pk=organization.pk).delete()
        routes_changed()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32, 128])
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--capacity", type=int, default=1000)
    parser.add_argument(
        "--workers", type=int, default=2 * len(os.sched_getaffinity(0)) + 1
    )  # as config/gunicorn.py
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="leave the bench organization in place")
    args = parser.parse_args()

    call_command("migrate_schemas", interactive=False, verbosity=0)
    world = setup()
    server, port = serve(args)
    rows = []
    try:
        # A server that has been up for a while: every worker has booted and served requests
        # (lazy imports, URL resolvers, serializers, database connection) before timing starts.
        _event_date_id, warm_up_ticket_type_id = fresh_date(world, args.capacity, len(args.concurrency))
        run(
            world,
            port,
            server=server,
            concurrency=args.workers * args.threads,
            requests=WARM_UP_PER_WORKER * args.workers * args.threads,
            ticket_type_id=warm_up_ticket_type_id,
        )
        for index, concurrency in enumerate(args.concurrency):
            event_date_id, ticket_type_id = fresh_date(world, args.capacity, index)
            result = run(
                world,
                port,
                server=server,
                concurrency=concurrency,
                requests=args.requests,
                ticket_type_id=ticket_type_id,
            )
            result["oversold"] = oversold(world, event_date_id, args.capacity)
            rows.append({"concurrency": concurrency, **result})
            print(f"C={concurrency}: {result}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep:
            dropped = drop_queued_tasks(world["organization"].schema_name)
            cleanup()
            print(f"dropped {dropped} queued e-mail tasks of the bench organization", flush=True)

    server_line = (
        f"gunicorn (config/gunicorn.py) {args.workers} × {args.worker_class}"
        + (f" ({args.threads} threads)" if args.worker_class == "gthread" else "")
        + ", access log off"
        + f", {os.cpu_count()} CPUs, PostgreSQL at {settings.DATABASES['default'].get('HOST') or 'socket'}"
    )
    print(f"\nsale — {args.requests} orders per C, capacity {args.capacity}; {server_line}")
    print(
        _django.markdown_table(
            [
                "C",
                "ok",
                "rejected",
                "errors",
                "orders/s",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "oversold",
                "app CPU ms/req",
                "db CPU ms/req",
                "client CPU ms/req",
            ],
            [
                [
                    r["concurrency"],
                    r["ok"],
                    r["rejected"],
                    r["errors"],
                    r["orders_per_s"],
                    r["p50_ms"],
                    r["p95_ms"],
                    r["p99_ms"],
                    r["oversold"],
                    r["app_cpu_ms_per_request"],
                    r["db_cpu_ms_per_request"],
                    r["client_cpu_ms_per_request"],
                ]
                for r in rows
            ],
        )  # fmt: skip
    )
    _django.RESULTS.mkdir(exist_ok=True)
    (_django.RESULTS / "sales.json").write_text(json.dumps({"server": server_line, "runs": rows}, indent=2))


if __name__ == "__main__":
    main()
