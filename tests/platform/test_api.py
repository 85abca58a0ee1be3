"""REST API of the platform host: organizations and their organizers (platform admins only)."""

import pytest
from django_tenants.utils import schema_context

from apps.core.models import AuditLogEntry
from apps.organizers.models import Organizer
from apps.tenancy import services as tenancy
from apps.tenancy.models import Domain, Organization
from tests.factories import (
    PLATFORM_ADMIN,
    PLATFORM_HOST,
    UserFactory,
    api_client,
    api_token,
    only_platform_admins,
    role_matrix,
    twin_sequences,
    world_build,
)


@pytest.fixture
def world(alpha, beta):
    return world_build(alpha, beta)


def _organization_ids(world):
    return lambda names: [getattr(world, name).pk for name in names]


ORGANIZATION_LIST = only_platform_admins((200, ["alpha", "beta"]))


@role_matrix(ORGANIZATION_LIST)
def test_organization_list(world, role, expected):
    response = world.client(role).get("/api/v1/organizations/")

    world.check(role, response, expected, names_to_ids=_organization_ids(world))


ORGANIZATION_DETAIL = only_platform_admins(200)


@role_matrix(ORGANIZATION_DETAIL)
def test_organization_detail(world, role, expected):
    response = world.client(role).get(f"/api/v1/organizations/{world.alpha.pk}/")

    world.check(role, response, expected)


ORGANIZATION_CREATE = only_platform_admins(201)


@role_matrix(ORGANIZATION_CREATE)
def test_organization_create(world, role, expected):
    response = world.client(role).post(
        "/api/v1/organizations/", {"name": "Gamma events", "slug": "gamma"}, format="json"
    )

    world.check(role, response, expected)
    assert Organization.objects.filter(slug="gamma").exists() == (expected == 201)


ORGANIZER_CREATE = only_platform_admins(201)


@role_matrix(ORGANIZER_CREATE)
def test_organization_organizer_create(world, role, expected):
    response = world.client(role).post(
        f"/api/v1/organizations/{world.alpha.pk}/organizers/",
        {"name": "Gamma park", "country": "NL", "currency": "EUR"},
        format="json",
    )

    world.check(role, response, expected)
    with schema_context(world.alpha.schema_name):
        assert Organizer.objects.filter(name="Gamma park").exists() == (expected == 201)


# --- behaviour --------------------------------------------------------------------------


def test_a_new_organization_is_pending_then_live_once_committed(world, django_capture_on_commit_callbacks):
    client = world.client(PLATFORM_ADMIN)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/api/v1/organizations/", {"name": "Gamma events", "slug": "gamma"}, format="json"
        )

    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    assert response.json()["schema_name"] == "gamma"
    assert response.json()["domains"] == ["gamma.localhost"]
    assert len(callbacks) == 1  # provisioning is queued on commit, not run in the request

    for callback in callbacks:
        callback()  # Celery runs eagerly in tests

    organization = Organization.objects.get(slug="gamma")
    assert organization.status == Organization.Status.READY
    detail = client.get(f"/api/v1/organizations/{organization.pk}/")
    assert detail.json()["status"] == "ready"


def test_an_organizer_needs_a_live_organization(world):
    pending = tenancy.organization_request(name="Gamma events", slug="gamma")
    client = world.client(PLATFORM_ADMIN)
    payload = {"name": "Gamma park", "country": "NL", "currency": "EUR"}

    not_live = client.post(f"/api/v1/organizations/{pending.pk}/organizers/", payload, format="json")
    unknown = client.post("/api/v1/organizations/999999/organizers/", payload, format="json")
    public = client.post(
        f"/api/v1/organizations/{Organization.objects.get(schema_name='public').pk}/organizers/",
        payload,
        format="json",
    )

    assert not_live.status_code == 409
    assert not_live.json() == {"detail": "Gamma events is not live yet."}
    assert unknown.status_code == 404
    assert public.status_code == 404  # the platform itself is no organization


def test_a_platform_admin_adds_an_organizer_to_an_organization(world):
    response = world.client(PLATFORM_ADMIN).post(
        f"/api/v1/organizations/{world.alpha.pk}/organizers/",
        {"name": "Gamma park", "slug": "gamma-park", "country": "BE", "currency": "EUR"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["slug"] == "gamma-park"
    assert [d["name"] for d in response.json()["distributions"]] == ["Online shop", "Box office"]
    with schema_context(world.alpha.schema_name):
        organizer = Organizer.objects.get(slug="gamma-park")
        assert organizer.distributions.count() == 2
        entry = AuditLogEntry.objects.get(action="organizer.created", target_id=str(organizer.pk))
        # the platform admin is no user of alpha: recorded by e-mail, never by a foreign key
        assert (entry.actor_id, entry.actor_email, entry.host) == (None, "admin@platform.test", "localhost")
    with schema_context(world.beta.schema_name):
        assert not Organizer.objects.filter(slug="gamma-park").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Gamma park", "country": "NL", "currency": "XYZ"}, "currency"),
        ({"name": "Gamma park", "country": "NL", "currency": "EUR", "vat_number": "NL1"}, "vat_number"),
        ({"name": "Gamma park", "country": "NL", "currency": "EUR", "bank_account": "NL00X"}, "bank_account"),
        ({"name": "Gamma park", "country": "NL", "currency": "EUR", "slug": "organizer-a"}, "slug"),  # taken
        ({"country": "NL", "currency": "EUR"}, "name"),
    ],
)
def test_invalid_organizer_data_is_a_message_on_the_field(world, payload, field):
    response = world.client(PLATFORM_ADMIN).post(
        f"/api/v1/organizations/{world.alpha.pk}/organizers/", payload, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize(
    ("slug", "message"),
    [("alpha", "already exists"), ("admin", "reserved"), ("Not a slug!", "valid"), ("public", "reserved")],
)
def test_an_unavailable_slug_is_refused_with_a_message(world, slug, message):
    response = world.client(PLATFORM_ADMIN).post(
        "/api/v1/organizations/", {"name": "Gamma events", "slug": slug}, format="json"
    )

    assert response.status_code == 400
    assert message in str(response.json())
    assert not Domain.objects.filter(domain=f"{slug}.localhost", tenant__name="Gamma events").exists()


def test_a_platform_admins_action_is_never_attributed_to_an_organization_user_with_the_same_id(alpha, beta):
    twin_sequences("public", alpha.schema_name, tables=("accounts_user",))
    with schema_context(alpha.schema_name):
        namesake = UserFactory(email="namesake@example.com")
    with schema_context("public"):
        platform_admin = UserFactory(email="admin@platform.test", is_staff=True)
        token = api_token(platform_admin)
    assert platform_admin.pk == namesake.pk

    response = api_client(host=PLATFORM_HOST, token=token).post(
        f"/api/v1/organizations/{alpha.pk}/organizers/",
        {"name": "Gamma park", "country": "NL", "currency": "EUR"},
        format="json",
    )

    assert response.status_code == 201
    with schema_context(alpha.schema_name):
        entry = AuditLogEntry.objects.get(action="organizer.created")
        assert (entry.actor_id, entry.actor_email) == (None, "admin@platform.test")
