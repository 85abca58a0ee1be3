"""Host routing reads the cache (selectors.routed_domain): a warm host costs no query, and
whatever changes a domain or an organization is seen by the very next request. A persistent
connection keeps the search_path it has, and is never left in another schema's."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.core.audit import Actor
from apps.organizers.services import organizer_create
from apps.tenancy import services
from apps.tenancy.models import Domain, Organization
from apps.tenancy.selectors import routed_domain, routes_changed
from tests.factories import OperatorFactory, UserFactory, api_client, api_token, totp_for
from tests.lookups import lookups_cached  # noqa: F401 - the fixture
from tests.tenants import ALPHA, BETA

pytestmark = pytest.mark.usefixtures("lookups_cached")


def test_a_known_host_is_routed_without_a_query(client, organizations):
    assert client.get("/", HTTP_HOST=ALPHA.host).status_code == 200

    with CaptureQueriesContext(connection) as queries:
        domain = routed_domain(ALPHA.host)

    assert domain.tenant.schema_name == ALPHA.schema_name
    assert len(queries) == 0


def _platform_admin():
    with schema_context("public"):  # the session and last_login live in that schema
        user = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
        totp_for(user)
        admin = Client()
        admin.force_login(user)
    return admin


def test_an_organization_no_longer_live_stops_routing_at_once(client, alpha):
    assert client.get("/", HTTP_HOST=ALPHA.host).status_code == 200
    # No service takes a live organization down: a script that does drops the routes itself.
    Organization.objects.filter(pk=alpha.pk).update(status=Organization.Status.FAILED)
    routes_changed()

    assert client.get("/", HTTP_HOST=ALPHA.host).status_code == 404


def test_a_domain_deleted_in_the_platform_admin_stops_routing_at_once(client, alpha):
    domain = services.domain_add(organization=alpha, domain="tickets.alpha-parks.example")
    assert client.get("/", HTTP_HOST=domain.domain).status_code == 200

    deleted = _platform_admin().post(
        f"/admin/tenancy/domain/{domain.pk}/delete/", {"post": "yes"}, HTTP_HOST="localhost"
    )

    assert deleted.status_code == 302
    assert not Domain.objects.filter(pk=domain.pk).exists()
    assert client.get("/", HTTP_HOST=domain.domain).status_code == 404


def test_a_domain_moved_to_another_organization_in_the_platform_admin_routes_there_at_once(
    client, alpha, beta
):
    domain = services.domain_add(organization=alpha, domain="tickets.alpha-parks.example")
    assert client.get("/", HTTP_HOST=domain.domain).wsgi_request.tenant.schema_name == ALPHA.schema_name

    moved = _platform_admin().post(
        f"/admin/tenancy/domain/{domain.pk}/change/",
        {"domain": domain.domain, "tenant": beta.pk, "organizer_slug": ""},
        HTTP_HOST="localhost",
    )

    assert moved.status_code == 302, moved.content.decode()[:2000]
    response = client.get("/", HTTP_HOST=domain.domain)
    assert response.wsgi_request.tenant.schema_name == BETA.schema_name


def test_a_custom_domain_removed_stops_routing_at_once(client, alpha):
    domain = services.custom_domain_add(
        organization=alpha, organizer_slug="", domain="tickets.alpha-own.example", actor=Actor(user=None)
    )
    Domain.objects.filter(pk=domain.pk).update(verified_at=timezone.now())  # (as verified)
    routes_changed()
    assert client.get("/", HTTP_HOST=domain.domain).status_code == 200

    services.custom_domain_remove(organization=alpha, domain_id=domain.pk, actor=Actor(user=None))

    assert client.get("/", HTTP_HOST=domain.domain).status_code == 404


def test_a_host_not_routed_yet_is_not_remembered_as_unknown(client, alpha):
    assert client.get("/", HTTP_HOST="tickets.alpha-parks.example").status_code == 404
    services.domain_add(organization=alpha, domain="tickets.alpha-parks.example")

    assert client.get("/", HTTP_HOST="tickets.alpha-parks.example").status_code == 200


def _admin_clients():
    clients = {}
    for tenant in (ALPHA, BETA):
        with schema_context(tenant.schema_name):
            organizer_create(name=f"{tenant.name} organizer", slug="", currency="EUR", country="FR")
            token = api_token(OperatorFactory(email="admin@example.com", is_admin=True))
        clients[tenant.slug] = api_client(host=tenant.host, token=token)
    return clients


def test_requests_to_two_organizations_in_turn_on_one_connection_each_see_their_own(organizations):
    clients = _admin_clients()

    seen = []
    for tenant in (ALPHA, ALPHA, BETA, BETA, ALPHA, BETA):
        response = clients[tenant.slug].get("/api/v1/organizers/")
        assert response.status_code == 200, response.content
        seen.append([o["name"] for o in response.json()["results"]])
        assert connection.search_path_set_schemas == [tenant.schema_name, "public"]

    alpha, beta = ["Alpha parks organizer"], ["Beta club organizer"]
    assert seen == [alpha, alpha, beta, beta, alpha, beta]


def test_the_search_path_is_sent_again_after_a_rollback(organizations):
    client = _admin_clients()[ALPHA.slug]
    assert client.get("/api/v1/organizers/").status_code == 200
    assert connection.search_path_set_schemas == [ALPHA.schema_name, "public"]
    connection.savepoint_rollback(connection.savepoint())  # (the test runs in a transaction)
    assert connection.search_path_set_schemas is None

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/organizers/").status_code == 200

    assert queries.captured_queries[0]["sql"] == f'SET search_path = "{ALPHA.schema_name}","public"'


def test_a_fresh_client_request_after_other_hosts_routes_each_to_its_own_schema(organizations):
    for host, schema_name in [(ALPHA.host, ALPHA.schema_name), (BETA.host, BETA.schema_name)] * 2:
        assert Client().get("/", HTTP_HOST=host).wsgi_request.tenant.schema_name == schema_name


def test_outside_the_suite_the_lookups_are_cached_in_redis():
    # (the suite runs with them off, see config/settings/test.py: read base afresh)
    import runpy

    from django.conf import settings

    base = runpy.run_path(str(settings.BASE_DIR / "config" / "settings" / "base.py"))

    assert base["CACHES"]["lookups"]["BACKEND"] == "apps.core.cache.RedisCache"
    assert base["CACHES"]["lookups"]["LOCATION"] == base["REDIS_URL"]
    assert base["REST_FRAMEWORK"]["DEFAULT_AUTHENTICATION_CLASSES"][0] == (
        "apps.accounts.authentication.CachedTokenAuthentication"
    )
