"""Redis unreachable: the lookups cache steps aside. Every host still answers, API tokens
and sales read the database, and writes that would drop cached entries still save."""

import pytest
from django_tenants.utils import schema_context

from apps.events import services as events
from apps.sales.models import Order
from tests.factories import SELLER, programme_build, world_build
from tests.tenants import ALPHA


@pytest.fixture
def lookups_down(settings):
    """Production's lookups cache, pointed at a port where no Redis listens."""
    from django.core.cache import caches

    settings.CACHES = {
        **settings.CACHES,
        "lookups": {**settings.LOOKUPS_CACHE_WHEN_TESTED, "LOCATION": "redis://127.0.0.1:1/0"},
    }
    return caches["lookups"]


def test_every_host_answers_from_the_database(client, organizations, lookups_down):
    assert client.get("/", HTTP_HOST=ALPHA.host).status_code == 200
    assert client.get("/", HTTP_HOST="nobody.localhost").status_code == 404


def test_writes_that_drop_cached_entries_still_save(alpha, lookups_down):
    alpha.name = "Alpha renamed while Redis is down"
    alpha.save()

    alpha.refresh_from_db()
    assert alpha.name == "Alpha renamed while Redis is down"


def test_a_box_office_sale_by_api_token_goes_through(alpha, beta, lookups_down):
    world = world_build(alpha, beta)
    with schema_context(ALPHA.schema_name):
        programme = programme_build(world.team)
        events.event_publish(event=programme.concert)

    response = world.client(SELLER).post(
        "/api/v1/orders/",
        {
            "distribution": world.team.a_box.pk,
            "email": "buyer@example.com",
            "payment_method": "cash",
            "positions": [{"ticket_type": programme.day1_ticket.pk, "quantity": 1}],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    with schema_context(ALPHA.schema_name):
        assert Order.objects.get(pk=response.json()["id"]).status == Order.Status.PAID
