"""REST API of the platform's settings: GET/PATCH /api/v1/platform-settings/ (platform admins
only); secrets are write-only and credentials change only with the caller's password."""

import json

import pytest
from django_tenants.utils import schema_context

from apps.core.audit import Actor
from apps.core.models import AuditLogEntry, Branding
from apps.platform.models import PlatformConfiguration, PlatformSettings
from apps.platform.selectors import platform_brand, platform_configuration
from apps.platform.services.configuration import platform_settings_update
from tests.factories import PLATFORM_ADMIN, only_platform_admins, role_matrix, totp_for, world_build

URL = "/api/v1/platform-settings/"
PASSWORD = "correct horse battery"  # UserFactory's
SECRET_KEY = "sk_test_51HxSecretPartThatMustNeverShow4242"
WEBHOOK_SECRET = "whsec_NeverShownEitherAbcdefgh9876"
FACEBOOK_SECRET = "fbsecretNeverShownAnywhere7777"


@pytest.fixture
def world(alpha, beta):
    world = world_build(alpha, beta)
    totp_for(world.platform_admin)  # the platform API needs two-factor authentication
    return world


@pytest.fixture
def admin(world):
    return world.client(PLATFORM_ADMIN)


@pytest.fixture
def secrets_stored(organizations):
    platform_settings_update(
        changes={
            "stripe_secret_key": SECRET_KEY,
            "stripe_webhook_secret": WEBHOOK_SECRET,
            "facebook_app_id": "1234567890",
            "facebook_app_secret": FACEBOOK_SECRET,
        },
        actor=Actor(user=None),
    )


def _stored() -> PlatformConfiguration:
    with schema_context("public"):
        return platform_configuration()


@role_matrix(only_platform_admins(200))
def test_platform_settings_read(world, role, expected):
    response = world.client(role).get(URL)

    world.check(role, response, expected)


@role_matrix(only_platform_admins(200))
def test_platform_settings_write(world, role, expected):
    response = world.client(role).patch(URL, {"name": "Fancy Tickets"}, format="json")

    world.check(role, response, expected)
    with schema_context("public"):
        stored = Branding.objects.filter(pk=1).first()
    assert (stored is not None and stored.name == "Fancy Tickets") == (expected == 200)


def test_secrets_are_never_in_a_response_only_their_masked_form(admin, secrets_stored):
    read = admin.get(URL)
    written = admin.patch(URL, {"name": "Fancy Tickets"}, format="json")

    for response in (read, written):
        assert response.status_code == 200
        body = response.content.decode()
        for secret in (SECRET_KEY, WEBHOOK_SECRET, FACEBOOK_SECRET, "NeverShown"):
            assert secret not in body
        data = response.json()
        assert "stripe_secret_key" not in data
        assert "facebook_app_secret" not in data
        assert "current_password" not in data
        assert data["stripe_secret_key_masked"] == "sk_test_…4242"
        assert data["stripe_webhook_secret_masked"] == "whsec_…9876"
        assert data["facebook_app_secret_masked"] == "…7777"
        assert data["facebook_app_id"] == "1234567890"
        assert data["facebook_login_enabled"] is True


def test_masked_values_are_read_only(admin, secrets_stored):
    response = admin.patch(URL, {"stripe_secret_key_masked": "sk_test_…0000"}, format="json")

    assert response.status_code == 200
    assert response.json()["stripe_secret_key_masked"] == "sk_test_…4242"
    assert _stored().stripe_secret_key == SECRET_KEY


def test_a_plain_setting_changes_without_a_password_and_drops_the_cached_brand(
    admin, organizations, django_capture_on_commit_callbacks
):
    assert platform_brand().brand.name != "Fancy Tickets"  # now cached

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.patch(URL, {"name": "Fancy Tickets", "base_domain": "Fancy.Example."}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["base_domain"] == "fancy.example"
    assert _stored().name == "Fancy Tickets"
    assert platform_brand().brand.name == "Fancy Tickets"
    entry = AuditLogEntry.objects.get(action="platform.settings_changed")
    assert entry.actor_email == "admin@platform.test"
    assert entry.data["fields"] == ["base_domain", "name"]


@pytest.mark.parametrize(
    "change",
    [
        {"stripe_secret_key": SECRET_KEY},
        {"stripe_webhook_secret": WEBHOOK_SECRET},
        {"stripe_publishable_key": "pk_test_abc123"},
        {"stripe_connect_client_id": "ca_abc123"},
        {"facebook_app_id": "1234567890", "facebook_app_secret": FACEBOOK_SECRET},
    ],
)
def test_a_credential_changes_only_with_the_callers_password(admin, organizations, change):
    missing = admin.patch(URL, change, format="json")
    wrong = admin.patch(URL, {**change, "current_password": "not my password"}, format="json")

    assert missing.status_code == 400
    assert missing.json() == {
        "current_password": ["Enter your password to change the Stripe or Facebook settings."]
    }
    assert wrong.status_code == 400
    assert wrong.json() == {"current_password": ["This is not your password."]}
    assert not PlatformSettings.objects.filter(pk=1).exists()  # nothing written

    right = admin.patch(URL, {**change, "current_password": PASSWORD}, format="json")

    assert right.status_code == 200, right.json()
    stored = _stored()
    for name, value in change.items():
        assert getattr(stored, name) == value
    entry = AuditLogEntry.objects.get(action="platform.settings_changed")
    assert entry.data["fields"] == sorted(change)
    for secret in (SECRET_KEY, WEBHOOK_SECRET, FACEBOOK_SECRET):
        assert secret not in json.dumps(entry.data)


def test_a_credential_sent_again_unchanged_needs_no_password(admin, secrets_stored):
    response = admin.patch(
        URL, {"facebook_app_id": "1234567890", "stripe_secret_key": SECRET_KEY, "name": "Same"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert _stored().name == "Same"


def test_an_empty_secret_with_the_password_removes_it(admin, secrets_stored):
    response = admin.patch(URL, {"stripe_webhook_secret": "", "current_password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert response.json()["stripe_webhook_secret_masked"] == ""
    assert _stored().stripe_webhook_secret == ""
    assert _stored().stripe_secret_key == SECRET_KEY  # the others stay


def test_facebook_login_needs_both_the_app_id_and_its_secret(admin, organizations):
    response = admin.patch(
        URL, {"facebook_app_id": "1234567890", "current_password": PASSWORD}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["facebook_app_secret"]
    assert not PlatformSettings.objects.filter(pk=1).exists()


def test_removing_the_facebook_secret_alone_is_refused(admin, secrets_stored):
    response = admin.patch(URL, {"facebook_app_secret": "", "current_password": PASSWORD}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["facebook_app_secret"]
    assert _stored().facebook_app_secret == FACEBOOK_SECRET


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stripe_secret_key": "not-a-key", "current_password": PASSWORD}, "stripe_secret_key"),
        ({"facebook_app_id": "abc", "current_password": PASSWORD}, "facebook_app_id"),
        ({"primary_color": "red"}, "primary_color"),
        ({"default_currency": "XYZ"}, "default_currency"),
        ({"base_domain": "not a domain"}, "base_domain"),
        ({"mode": "full_service"}, "owner_organization"),  # full service needs the owner's organization
        ({"owner_organization": 999999}, "owner_organization"),
        ({"support_email": "nobody"}, "support_email"),
    ],
)
def test_bad_input_is_a_message_on_the_field(admin, organizations, change, field):
    response = admin.patch(URL, change, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_full_service_with_the_owners_organization(admin, alpha):
    response = admin.patch(URL, {"mode": "full_service", "owner_organization": alpha.pk}, format="json")

    assert response.status_code == 200, response.json()
    assert _stored().owner_organization == alpha


def test_the_platform_itself_is_no_owner_organization(admin, organizations):
    public = organizations[next(iter(organizations))].__class__.objects.get(schema_name="public")

    response = admin.patch(URL, {"owner_organization": public.pk}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["owner_organization"]


def test_the_settings_are_replaced_only_field_by_field(admin, organizations):
    assert admin.put(URL, {"name": "Everything"}, format="json").status_code == 405
    assert admin.post(URL, {"name": "Everything"}, format="json").status_code == 405
    assert admin.delete(URL).status_code == 405
