"""The sale's background work on a real Celery worker fed through Redis: beat's expiry run
frees the seats of carts left behind in every organization, and a paid order's tickets are
e-mailed once by the worker, in the order's own schema."""

import re
from decimal import Decimal

import pytest
import redis
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.core.emails import PENDING_AFTER
from apps.sales.models import DateStock, Order
from apps.sales.services.cart import order_checkout
from apps.sales.services.orders import OrderLine, order_create, order_mark_paid
from apps.sales.tasks import (
    expire_orders_everywhere,
    send_order_confirmation,
    send_pending_confirmations_everywhere,
)
from config.celery import app
from tests.core.test_celery_worker import _wait_for, worker, worker_running  # noqa: F401 - the worker fixture
from tests.sales.helpers import shop_build

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _cart(shop, quantity: int) -> Order:
    return order_create(
        distribution=shop.online,
        lines=[OrderLine(ticket_type=shop.day_ticket, quantity=quantity)],
        email="buyer@example.com",
        payment_method=Order.PaymentMethod.STRIPE,
        hold=True,
    )


def test_beats_expiry_run_frees_left_carts_in_every_organization(worker, fresh_organization):  # noqa: F811
    shops = {}
    for slug in ("rho-org", "sigma-org"):
        organization = fresh_organization(name=slug.title(), slug=slug)
        with schema_context(organization.schema_name):
            shop = shop_build(capacity=10)
            left = _cart(shop, 3)
            Order.objects.filter(pk=left.pk).update(expires_at=timezone.now() - timezone.timedelta(minutes=1))
            kept = _cart(shop, 2)  # still within its 15 minutes
            shops[organization.schema_name] = (shop, left, kept)

    expire_orders_everywhere.delay(schema_name="public")  # what beat sends every minute

    def all_freed():
        for schema_name, (_shop, left, _kept) in shops.items():
            with schema_context(schema_name):
                if Order.objects.get(pk=left.pk).status != Order.Status.EXPIRED:
                    return False
        return True

    _wait_for(all_freed, timeout=60, what=f"the expiry run:\n{worker.read_text()}")
    for schema_name, (shop, _left, kept) in shops.items():
        with schema_context(schema_name):
            assert DateStock.objects.get(event_date=shop.dates[0]).held == 2
            assert Order.objects.get(pk=kept.pk).status == Order.Status.PENDING
    assert "expire_orders" in worker.read_text()


def test_a_paid_orders_tickets_are_emailed_once_by_the_worker(worker, fresh_organization):  # noqa: F811
    organization = fresh_organization(name="Tau", slug="tau-org")
    with schema_context(organization.schema_name):
        shop = shop_build(capacity=10)
        order = _cart(shop, 2)
        order_checkout(order_id=order.pk, email="tau@example.com")
        order_mark_paid(order_id=order.pk)  # queues the e-mail after commit
        send_order_confirmation.delay(schema_name=organization.schema_name, order_id=order.pk)  # a repeat

        def sent():
            return Order.objects.get(pk=order.pk).confirmation_sent_at is not None

        _wait_for(sent, timeout=60, what=f"the tickets e-mail:\n{worker.read_text()}")
        order.refresh_from_db()
        assert (order.status, order.total) == (Order.Status.PAID, Decimal("20.00"))
    _wait_for(
        # both finished (the worker's banner also names the task: count its results, not its name)
        lambda: len(re.findall(r"send_order_confirmation\[[^\]]+\] succeeded", worker.read_text())) >= 2,
        timeout=30,
        what=f"both e-mail tasks:\n{worker.read_text()}",
    )
    log = worker.read_text()
    assert ": True" in log  # one sent
    assert ": False" in log  # the repeat did nothing


def test_a_tickets_email_lost_with_redis_is_rebuilt_from_the_order_by_the_sweep(fresh_organization, tmp_path):
    """Redis crashes with the e-mail task in its queue: the order says what is owed, and the
    sweep beat sends has the worker e-mail it, once."""
    organization = fresh_organization(name="Upsilon", slug="upsilon-org")
    app.conf.task_always_eager = False  # queued for real, with no worker running yet
    try:
        with schema_context(organization.schema_name):
            shop = shop_build(capacity=10)
            order = order_create(
                distribution=shop.box_office,
                lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)],
                email="upsilon@example.com",
                payment_method=Order.PaymentMethod.CASH,
            )
        queued = redis.Redis.from_url(settings.REDIS_URL)
        assert queued.llen("email") == 1
        queued.flushdb()  # the crash: Redis comes back empty
        with schema_context(organization.schema_name):
            Order.objects.filter(pk=order.pk).update(paid_at=F("paid_at") - PENDING_AFTER)

        with worker_running(tmp_path / "worker.log") as log:
            send_pending_confirmations_everywhere.delay(schema_name="public")

            def sent():
                with schema_context(organization.schema_name):
                    return Order.objects.get(pk=order.pk).confirmation_sent_at is not None

            _wait_for(sent, timeout=60, what=f"the swept e-mail:\n{log.read_text()}")
            send_pending_confirmations_everywhere.delay(schema_name="public")  # the next sweep: nothing owed
            _wait_for(
                lambda: log.read_text().count("send_pending_confirmations_everywhere") >= 4,
                timeout=30,
                what=f"the second sweep:\n{log.read_text()}",
            )
        sends = [line for line in log.read_text().splitlines() if "send_order_confirmation[" in line]
        assert [line.rsplit(": ", 1)[1] for line in sends if "succeeded" in line] == ["True"]
    finally:
        app.conf.task_always_eager = True
