"""The Facebook app on the platform settings page: the secret is write-only and masked, and
changing the app needs the platform admin's password."""

import json

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import FacebookApp
from apps.core.audit import Actor
from apps.core.models import AuditLogEntry
from apps.platform.models import PlatformConfiguration
from apps.platform.selectors import platform_configuration
from apps.platform.services.configuration import platform_settings_update
from tests.factories import UserFactory, totp_for
from tests.tenants import ALPHA

PASSWORD = "correct horse battery"  # UserFactory's
APP_ID = "1234567890"
APP_SECRET = "fbSecretThatMustNeverShow5678"
NEW_SECRET = "fbAnotherSecretNeverShown9999"

FORM = {
    "name": "Fancy Tickets",
    "primary_color": "#6d28d9",
    "accent_color": "#f59e0b",
    "support_email": "",
    "legal_footer": "",
    "default_currency": "EUR",
    "base_domain": "localhost",
    "name_servers": "",
    "mode": "self_service",
    "owner_organization": "",
    "stripe_publishable_key": "",
    "stripe_connect_client_id": "",
    "stripe_secret_key": "",
    "stripe_webhook_secret": "",
    "facebook_app_id": "",
    "facebook_app_secret": "",
    "current_password": "",
}


@pytest.fixture
def staff_client(client, organizations):
    with schema_context("public"):
        staff = UserFactory(email="staff@platform.example", is_staff=True)
        totp_for(staff)
        client.force_login(staff)
    return client


@pytest.fixture
def facebook_stored(organizations):
    platform_settings_update(
        changes={"name": "Fancy Tickets", "facebook_app_id": APP_ID, "facebook_app_secret": APP_SECRET},
        actor=Actor(user=None),
    )


def _post(client, **changes):
    return client.post("/platform/settings/", {**FORM, **changes}, HTTP_HOST="localhost")


def _settings() -> PlatformConfiguration:
    with schema_context("public"):
        return platform_configuration()


def _login_page_offers_facebook() -> bool:
    page = Client().get("/accounts/login/", HTTP_HOST=ALPHA.host).content.decode()
    return "Continue with Facebook" in page


def test_the_app_is_stored_with_the_password_and_its_secret_shown_masked(staff_client):
    response = _post(
        staff_client, facebook_app_id=APP_ID, facebook_app_secret=APP_SECRET, current_password=PASSWORD
    )

    assert response.status_code == 302
    assert (_settings().facebook_app_id, _settings().facebook_app_secret) == (APP_ID, APP_SECRET)
    page = staff_client.get("/platform/settings/", HTTP_HOST="localhost").content.decode()
    assert "…5678" in page
    assert APP_SECRET not in page
    assert "NeverShow" not in page
    assert f'value="{APP_ID}"' in page  # the id is no secret
    with schema_context("public"):
        entry = AuditLogEntry.objects.get(action="platform.settings_changed")
    assert {"facebook_app_id", "facebook_app_secret"} <= set(entry.data["fields"])
    assert APP_SECRET not in json.dumps(entry.data) + entry.target_repr
    assert _login_page_offers_facebook()


def test_the_secret_is_never_in_a_page_even_one_with_errors(staff_client, facebook_stored):
    invalid = _post(
        staff_client,
        name="",
        facebook_app_id=APP_ID,
        facebook_app_secret=NEW_SECRET,
        current_password=PASSWORD,
    )

    assert invalid.status_code == 400
    assert list(invalid.context["form"].errors) == ["name"]
    html = invalid.content.decode()
    assert "…5678" in html
    assert APP_SECRET not in html
    assert NEW_SECRET not in html  # what was typed is not sent back either
    assert _settings().facebook_app_secret == APP_SECRET


def test_a_blank_secret_keeps_the_stored_one_and_needs_no_password(staff_client, facebook_stored):
    response = _post(staff_client, name="Renamed", facebook_app_id=APP_ID)

    assert response.status_code == 302
    assert _settings().name == "Renamed"
    assert (_settings().facebook_app_id, _settings().facebook_app_secret) == (APP_ID, APP_SECRET)
    assert _login_page_offers_facebook()


def test_a_new_secret_replaces_the_stored_one_with_the_password(staff_client, facebook_stored):
    refused = _post(staff_client, facebook_app_id=APP_ID, facebook_app_secret=NEW_SECRET)

    assert refused.status_code == 400
    assert _settings().facebook_app_secret == APP_SECRET

    response = _post(
        staff_client, facebook_app_id=APP_ID, facebook_app_secret=NEW_SECRET, current_password=PASSWORD
    )

    assert response.status_code == 302
    assert _settings().facebook_app_secret == NEW_SECRET


def test_clearing_the_app_removes_facebook_login(staff_client, facebook_stored):
    response = _post(
        staff_client, facebook_app_id="", facebook_app_secret_clear="on", current_password=PASSWORD
    )

    assert response.status_code == 302
    assert (_settings().facebook_app_id, _settings().facebook_app_secret) == ("", "")
    assert not _login_page_offers_facebook()


@pytest.mark.parametrize(
    "change",
    [
        {"facebook_app_id": "987654321"},  # another app id
        {"facebook_app_id": APP_ID, "facebook_app_secret": NEW_SECRET},
        {"facebook_app_id": "", "facebook_app_secret_clear": "on"},  # removal too
    ],
)
@pytest.mark.parametrize("password", ["", "not my password"])
def test_no_facebook_change_without_the_right_password(staff_client, facebook_stored, change, password):
    response = _post(staff_client, current_password=password, **change)

    assert response.status_code == 400
    assert "current_password" in response.context["form"].errors
    assert (_settings().facebook_app_id, _settings().facebook_app_secret) == (APP_ID, APP_SECRET)


def test_an_app_id_without_a_secret_is_refused(staff_client, organizations):
    response = _post(staff_client, facebook_app_id=APP_ID, current_password=PASSWORD)

    assert response.status_code == 400
    assert response.context["form"].errors["facebook_app_secret"] == [
        "Facebook login needs both the app id and the app secret."
    ]
    with schema_context("public"):
        assert not FacebookApp.objects.filter(facebook_app_id=APP_ID).exists()
    assert not _login_page_offers_facebook()


def test_removing_only_the_secret_is_refused(staff_client, facebook_stored):
    response = _post(
        staff_client, facebook_app_id=APP_ID, facebook_app_secret_clear="on", current_password=PASSWORD
    )

    assert response.status_code == 400
    assert "facebook_app_secret" in response.context["form"].errors
    assert _settings().facebook_app_secret == APP_SECRET


def test_an_app_id_is_made_of_digits(staff_client, organizations):
    response = _post(
        staff_client, facebook_app_id="my-app", facebook_app_secret=APP_SECRET, current_password=PASSWORD
    )

    assert response.status_code == 400
    assert "facebook_app_id" in response.context["form"].errors
