"""REST API of the platform host: organizations and their organizers (platform admins only)."""

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.billing.models import BillingAccount
from apps.core.models import AuditLogEntry
from apps.organizers.models import Organizer
from apps.plans.services import plan_update
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
    totp_for,
    twin_sequences,
    world_build,
)
from tests.plans.factories import plan_build


@pytest.fixture
def world(alpha, beta):
    world = world_build(alpha, beta)
    totp_for(world.platform_admin)  # the platform API needs two-factor authentication
    return world


@pytest.fixture
def plans(organizations):
    """Two public plans, "pro" first by sort order, and a hidden one: an organizer created
    through the API opens its client account on a plan."""
    return {
        "basic": plan_build(slug="basic", sort_order=2),
        "pro": plan_build(slug="pro", sort_order=1),
        "custom": plan_build(slug="custom", sort_order=0, is_public=False),
    }


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
def test_organization_organizer_create(world, plans, role, expected):
    response = world.client(role).post(
        f"/api/v1/organizations/{world.alpha.pk}/organizers/",
        {"name": "Gamma park", "country": "NL", "currency": "EUR"},
        format="json",
    )

    world.check(role, response, expected)
    with schema_context(world.alpha.schema_name):
        assert Organizer.objects.filter(name="Gamma park").exists() == (expected == 201)
    assert BillingAccount.objects.filter(organizer_name="Gamma park").exists() == (expected == 201)


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


def test_an_organizer_needs_a_live_organization(world, plans):
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


def test_a_platform_admin_adds_an_organizer_to_an_organization(world, plans):
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
def test_invalid_organizer_data_is_a_message_on_the_field(world, plans, payload, field):
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


def test_a_platform_admins_action_is_never_attributed_to_an_organization_user_with_the_same_id(
    alpha, beta, plans
):
    twin_sequences("public", alpha.schema_name, tables=("accounts_user",))
    with schema_context(alpha.schema_name):
        namesake = UserFactory(email="namesake@example.com")
    with schema_context("public"):
        platform_admin = UserFactory(email="admin@platform.test", is_staff=True)
        totp_for(platform_admin)
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


# --- the client (billing) account of an organizer created through the API ---------------


def _create_organizer(world, **extra):
    return world.client(PLATFORM_ADMIN).post(
        f"/api/v1/organizations/{world.alpha.pk}/organizers/",
        {"name": "Gamma park", "slug": "gamma-park", "country": "BE", "currency": "EUR", **extra},
        format="json",
    )


def test_an_organizer_opens_its_client_account_on_the_first_public_plan(world, plans):
    response = _create_organizer(world)

    assert response.status_code == 201
    with schema_context(world.alpha.schema_name):
        organizer = Organizer.objects.get(slug="gamma-park")
    account = BillingAccount.objects.get(organization=world.alpha, organizer_id=organizer.pk)
    assert account.plan == plans["pro"]  # sort order 1, before basic; custom is not public
    assert (account.organizer_name, account.organizer_slug, str(account.country)) == (
        "Gamma park",
        "gamma-park",
        "BE",
    )
    assert account.currency == "EUR"
    opened = AuditLogEntry.objects.get(action="client.opened")  # in the public schema
    assert opened.actor_email == "admin@platform.test"
    assert "plan" not in response.json()  # write-only


def test_an_organizer_opens_its_client_account_on_the_plan_named(world, plans):
    response = _create_organizer(world, plan="custom")

    assert response.status_code == 201
    assert BillingAccount.objects.get(organizer_slug="gamma-park").plan == plans["custom"]


@pytest.mark.parametrize("plan", ["no-such-plan", "Not a slug!"])
def test_an_unknown_plan_is_a_message_on_the_field_and_creates_nothing(world, plans, plan):
    response = _create_organizer(world, plan=plan)

    assert response.status_code == 400
    assert list(response.json()) == ["plan"]
    with schema_context(world.alpha.schema_name):
        assert not Organizer.objects.filter(slug="gamma-park").exists()
    assert not BillingAccount.objects.exists()


def test_without_any_public_plan_the_organizer_is_refused_with_a_message(world):
    hidden = plan_build(slug="custom", is_public=False)

    response = _create_organizer(world)

    assert response.status_code == 400
    assert "plan" in response.json()
    with schema_context(world.alpha.schema_name):
        assert not Organizer.objects.filter(slug="gamma-park").exists()
    # once the plan is public it is the default
    plan_update(plan=hidden, is_public=True)
    assert _create_organizer(world).status_code == 201
    assert BillingAccount.objects.get(organizer_slug="gamma-park").plan == hidden


def test_no_organizer_is_left_without_its_client_account(world):
    """The account cannot be opened (a plan with no price in the client's currency nor in
    the default one): the organizer created just before in alpha's schema is rolled back."""
    plan_build(slug="pounds", price={"currency": "GBP", "monthly_fee": 25})
    with schema_context(world.alpha.schema_name):
        entries_before = AuditLogEntry.objects.count()

    response = _create_organizer(world)

    assert response.status_code == 409
    assert "no price in EUR" in response.json()["detail"]
    with schema_context(world.alpha.schema_name):
        assert not Organizer.objects.filter(slug="gamma-park").exists()
        assert AuditLogEntry.objects.count() == entries_before
    assert not BillingAccount.objects.exists()


# --- two-factor authentication ------------------------------------------------------------


@pytest.fixture
def admin_without_totp(organizations):
    with schema_context("public"):
        return UserFactory(email="admin@platform.test", is_staff=True)


def test_a_platform_admin_without_totp_cannot_use_the_api_with_a_token(admin_without_totp):
    with schema_context("public"):
        token = api_token(admin_without_totp)
    client = api_client(host=PLATFORM_HOST, token=token)

    response = client.post("/api/v1/organizations/", {"name": "Gamma events", "slug": "gamma"}, format="json")

    assert response.status_code == 403
    assert "two-factor authentication" in response.json()["detail"]
    assert not Organization.objects.filter(slug="gamma").exists()
    assert client.get("/api/v1/organizations/").status_code == 403

    with schema_context("public"):
        totp_for(admin_without_totp)
    assert client.get("/api/v1/organizations/").status_code == 200


def test_a_platform_admin_without_totp_cannot_use_the_api_with_a_session(client, admin_without_totp):
    with schema_context("public"):
        client.force_login(admin_without_totp)

    response = client.get("/api/v1/organizations/", HTTP_HOST=PLATFORM_HOST)

    assert response.status_code == 403
    assert "two-factor authentication" in response.json()["detail"]


def test_a_user_who_is_no_platform_admin_is_not_told_about_two_factor_authentication(organizations):
    with schema_context("public"):
        token = api_token(UserFactory(email="user@platform.test"))
        totp_for(User.objects.get(email="user@platform.test"))

    response = api_client(host=PLATFORM_HOST, token=token).get("/api/v1/organizations/")

    assert response.status_code == 403
    assert "two-factor" not in response.json()["detail"]
