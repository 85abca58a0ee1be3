"""Database connections killed during a sale lose nothing: every 201 is a committed order, and
tickets = the date's sold counter = the 201 answers. A request whose connection died answers
an error and committed nothing (the next one reconnects)."""

import http.client
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings
from django.db import connection, connections
from django_tenants.utils import schema_context

from apps.sales.models import DateStock, Order, Ticket
from apps.tenancy.services import platform_host_for
from config.celery import app
from tests.factories import OperatorFactory, api_token, clients_open
from tests.sales.helpers import shop_build

pytestmark = pytest.mark.django_db(transaction=True)

SELLERS = 6
ORDERS_EACH = 25
KILL_EVERY_SECONDS = 0.5


def _kill_others(cursor, spared: set[int]) -> int:
    """Terminate every other client connection to the test database (not one in COMMIT: the
    server may have committed what the client would then see fail)."""
    cursor.execute(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND backend_type = 'client backend' "
        "AND pid <> pg_backend_pid() AND NOT (pid = ANY(%s)) AND query NOT ILIKE 'commit%%'",
        [list(spared)],
    )
    return cursor.fetchone()[0]


def test_killing_database_connections_during_a_sale_loses_nothing(fresh_organization, live_server):
    organization = fresh_organization(name="Phi", slug="phi-org")
    with schema_context(organization.schema_name):
        shop = shop_build(capacity=SELLERS * ORDERS_EACH)
        clients_open(shop.organizer)
        tokens = [
            api_token(OperatorFactory(email=f"seller{n}@phi.example", sells=[shop.box_office]))
            for n in range(SELLERS)
        ]
    host = platform_host_for("phi-org")
    address, port = urlsplit(live_server.url).hostname, urlsplit(live_server.url).port
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        spared = {cursor.fetchone()[0]}
    app.conf.task_always_eager = False  # e-mails queue in Redis as in production, not in the request
    selling = threading.Event()
    kills = []

    def killer():
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            spared.add(cursor.fetchone()[0])
            while not selling.wait(KILL_EVERY_SECONDS):
                kills.append(_kill_others(cursor, spared))
        connections.close_all()

    def sell(n):
        """One box-office clerk's sales over HTTP to the live server (Django's own handler,
        which drops a dead connection at the next request as in production)."""
        outcomes = []
        for i in range(ORDERS_EACH):
            conn = http.client.HTTPConnection(address, port, timeout=30)
            body = {
                "distribution": shop.box_office.pk,
                "email": f"buyer{n}-{i}@example.com",
                "payment_method": "cash",
                "positions": [{"ticket_type": shop.day_ticket.pk, "quantity": 1}],
            }
            conn.request(
                "POST",
                "/api/v1/orders/",
                body=json.dumps(body),
                headers={
                    "Host": host,
                    "Authorization": f"Token {tokens[n]}",
                    "Content-Type": "application/json",
                },
            )
            response = conn.getresponse()
            payload = response.read()
            conn.close()
            order_id = json.loads(payload)["id"] if response.status == 201 else None
            outcomes.append((response.status, order_id))
        return outcomes

    try:
        with ThreadPoolExecutor(max_workers=SELLERS + 1) as pool:
            killing = pool.submit(killer)
            outcomes = [o for result in pool.map(sell, range(SELLERS)) for o in result]
            selling.set()
            killing.result()
    finally:
        app.conf.task_always_eager = True
        redis.Redis.from_url(settings.REDIS_URL).flushdb()  # the tickets e-mails nobody will send

    connection.close()  # read the outcome on a connection of its own
    sold = {order_id for status, order_id in outcomes if status == 201}
    failed = [status for status, _order_id in outcomes if status != 201]
    assert sum(kills) > 0
    assert failed, "no request met a killed connection: kill more often"
    assert set(failed) <= {500, 503}, failed
    with schema_context(organization.schema_name):
        assert set(Order.objects.values_list("pk", flat=True)) == sold
        assert Ticket.objects.count() == len(sold)
        assert DateStock.objects.get(event_date=shop.dates[0]).sold == len(sold)
