"""Redis unreachable: the caches step aside. Every host still answers, API tokens and sales
read the database, logins go through, and writes that would drop cached entries still save."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.services import login_token_consume, login_token_create
from apps.events import services as events
from apps.organizers.services import organizer_create, organizer_update
from apps.sales.models import Order
from apps.tenancy.models import Domain
from apps.tenancy.services import domain_add
from tests.factories import SELLER, OperatorFactory, UserFactory, clients_open, programme_build, world_build
from tests.tenants import ALPHA

PLATFORM = "localhost"
NO_REDIS = "redis://127.0.0.1:1/0"  # a port where no Redis listens


@pytest.fixture
def lookups_down(settings):
    """Production's caches, all pointed at a port where no Redis listens."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": NO_REDIS},
        "lookups": {**settings.LOOKUPS_CACHE_WHEN_TESTED, "LOCATION": NO_REDIS},
        "ratelimit": {**settings.CACHES["ratelimit"], "LOCATION": NO_REDIS},
    }
    return caches["lookups"]


@pytest.mark.parametrize(
    ("host", "path", "status"),
    [
        (ALPHA.host, "/", 200),
        (ALPHA.organizer_host, "/", 200),
        (ALPHA.host, "/accounts/login/", 200),
        (PLATFORM, "/", 200),
        (PLATFORM, "/accounts/login/", 200),
        ("nobody.localhost", "/", 404),
    ],
)
def test_every_host_answers_from_the_database(client, organizations, lookups_down, host, path, status):
    assert client.get(path, HTTP_HOST=host).status_code == status


def test_a_login_goes_through(client, alpha, lookups_down):
    """allauth's rate limits live in the cache: with it gone they stand aside, logins go on."""
    with schema_context(ALPHA.schema_name):
        UserFactory(email="buyer@alpha.example")

    response = client.post(
        "/accounts/login/",
        {"login": "buyer@alpha.example", "password": "correct horse battery"},
        HTTP_HOST=ALPHA.host,
    )

    assert response.status_code == 302, response.content.decode()[:500]
    assert client.get("/account/orders/", HTTP_HOST=ALPHA.host).wsgi_request.user.is_authenticated


def test_a_sign_in_link_still_works_once(alpha, lookups_down):
    """Single use is decided by the database, never by the cache."""
    with schema_context(ALPHA.schema_name):
        operator = OperatorFactory(email="new@alpha.example", is_admin=True)
        token = login_token_create(user=operator)

        assert login_token_consume(token=token) == operator
        assert login_token_consume(token=token) is None


def test_a_sign_in_link_lands_logged_in(alpha, lookups_down):
    with schema_context(ALPHA.schema_name):
        token = login_token_create(user=OperatorFactory(email="new@alpha.example", is_admin=True))
    tenant = Client()

    landing = tenant.get(f"/control/login/{token}/", HTTP_HOST=ALPHA.host)

    assert landing.status_code == 302
    assert tenant.get("/control/", HTTP_HOST=ALPHA.host).status_code == 200


def test_writes_that_drop_cached_entries_still_save(alpha, lookups_down):
    # services that drop the routes and the catalog as they write
    domain_add(organization=alpha, domain="down.alpha-parks.example")
    with schema_context(ALPHA.schema_name):
        organizer = organizer_create(name="Made while Redis is down", currency="EUR", country="NL")
        organizer_update(organizer=organizer, name="Renamed while Redis is down")

    assert Domain.objects.filter(domain="down.alpha-parks.example", tenant=alpha).exists()
    with schema_context(ALPHA.schema_name):
        organizer.refresh_from_db()
    assert organizer.name == "Renamed while Redis is down"


def test_a_box_office_sale_by_api_token_goes_through(alpha, beta, lookups_down):
    world = world_build(alpha, beta)
    clients_open(world.team.a, organization=alpha)  # its plan's features are read too
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
