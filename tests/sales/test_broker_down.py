"""A sale committed while the broker is down is a sale: the client gets its 201, and the
tickets e-mail, written down with the order (confirmation_sent_at empty), is sent once by
the sweep when the broker is back."""

import pytest
from django.core import mail
from django.db.models import F
from django_tenants.utils import schema_context

from apps.core.emails import PENDING_AFTER
from apps.sales.models import Order
from apps.sales.tasks import send_pending_confirmations_everywhere
from apps.tenancy.services import platform_host_for
from tests.broker import broker  # noqa: F401 - the fixture
from tests.factories import OperatorFactory, api_client, api_token, clients_open
from tests.sales.helpers import shop_build

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: on_commit runs in the request


def _sweep() -> None:
    send_pending_confirmations_everywhere.delay(schema_name="public")  # what beat sends


def test_a_box_office_sale_with_the_broker_down_answers_201_and_the_sweep_mails_it_once(
    fresh_organization,
    broker,  # noqa: F811
):
    organization = fresh_organization(name="Omicron", slug="omicron-org")
    with schema_context(organization.schema_name):
        shop = shop_build(capacity=10)
        clients_open(shop.organizer)  # on a plan with the box office
        token = api_token(OperatorFactory(email="seller@omicron.example", sells=[shop.box_office]))
    client = api_client(host=platform_host_for("omicron-org"), token=token)

    with broker.down():
        response = client.post(
            "/api/v1/orders/",
            {
                "distribution": shop.box_office.pk,
                "email": "buyer@example.com",
                "payment_method": "cash",
                "positions": [{"ticket_type": shop.day_ticket.pk, "quantity": 2}],
            },
            format="json",
        )

    assert response.status_code == 201, response.content
    with schema_context(organization.schema_name):
        order = Order.objects.get(pk=response.json()["id"])
        assert (order.status, order.confirmation_sent_at) == (Order.Status.PAID, None)
    assert mail.outbox == []

    _sweep()  # too early: the task may still be on its way
    assert mail.outbox == []
    with schema_context(organization.schema_name):
        Order.objects.filter(pk=order.pk).update(paid_at=F("paid_at") - PENDING_AFTER)
    _sweep()
    _sweep()

    assert [message.to for message in mail.outbox] == [["buyer@example.com"]]
    assert order.code in mail.outbox[0].subject
    with schema_context(organization.schema_name):
        assert Order.objects.get(pk=order.pk).confirmation_sent_at is not None


def test_the_beat_sweeps_lost_tickets_emails_every_two_minutes():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["send-pending-order-confirmations"]

    assert entry["task"] == send_pending_confirmations_everywhere.name
    assert entry["schedule"] <= PENDING_AFTER.total_seconds()
