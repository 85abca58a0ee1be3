"""The platform's settings page, its write-only Stripe secrets and the brand on every site."""

import io
import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from PIL import Image

from apps.core.audit import Actor
from apps.core.models import AuditLogEntry, Branding
from apps.organizers.services import organizer_create
from apps.platform.models import PlatformConfiguration
from apps.platform.selectors import platform_brand, platform_configuration
from apps.platform.services.configuration import platform_settings_update
from tests.factories import UserFactory, totp_for
from tests.tenants import ALPHA

PASSWORD = "correct horse battery"  # UserFactory's
SECRET_KEY = "sk_test_51HxSecretPartThatMustNeverShow4242"
WEBHOOK_SECRET = "whsec_NeverShownEitherAbcdefgh9876"
UNKNOWN_HOST = "nowhere.localhost"

FORM = {
    "name": "Fancy Tickets",
    "primary_color": "#6d28d9",
    "accent_color": "#f59e0b",
    "support_email": "support@fancy-tickets.example",
    "legal_footer": "Fancy Tickets B.V., Keizersgracht 1, Amsterdam",
    "default_currency": "EUR",
    "base_domain": "localhost",
    "name_servers": "ns1.fancy-tickets.example\nns2.fancy-tickets.example",
    "mode": "self_service",
    "owner_organization": "",
    "stripe_publishable_key": "",
    "stripe_connect_client_id": "",
    "stripe_secret_key": "",
    "stripe_webhook_secret": "",
    "current_password": "",
}


@pytest.fixture
def staff(organizations):
    with schema_context("public"):
        staff = UserFactory(email="staff@platform.example", is_staff=True, is_superuser=True)
        totp_for(staff)
        return staff


@pytest.fixture
def staff_client(client, staff):
    with schema_context("public"):
        client.force_login(staff)
    return client


def _post(client, **changes):
    data = {key: value for key, value in {**FORM, **changes}.items() if value is not None}
    return client.post("/platform/settings/", data, HTTP_HOST="localhost")


def _settings() -> PlatformConfiguration:
    with schema_context("public"):
        return platform_configuration()


def _brand(**changes) -> PlatformConfiguration:
    """Store platform settings the way the page does, the cache dropped on commit."""
    return platform_settings_update(changes=changes, actor=Actor(user=None))


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "#6d28d9").save(buffer, format="PNG")
    return SimpleUploadedFile("fancy.png", buffer.getvalue(), content_type="image/png")


def _html(client, path="/", host="localhost") -> str:
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code in (200, 404), response.status_code
    return response.content.decode()


# --- Who may open it.


def test_a_platform_admin_opens_the_settings_from_the_platform_nav(staff_client):
    home = staff_client.get("/", HTTP_HOST="localhost").content.decode()
    page = staff_client.get("/platform/settings/", HTTP_HOST="localhost")

    assert 'href="/platform/settings/"' in home
    assert page.status_code == 200
    assert "Platform settings" in page.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, organizations):
    response = client.get("/platform/settings/", HTTP_HOST="localhost")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_public_user_who_is_not_staff_is_refused(client, organizations):
    with schema_context("public"):
        client.force_login(UserFactory(email="someone@example.com"))

    assert client.get("/platform/settings/", HTTP_HOST="localhost").status_code == 403
    assert client.post("/platform/settings/", FORM, HTTP_HOST="localhost").status_code == 403


def test_the_page_does_not_exist_on_an_organization_host(client, alpha):
    with schema_context(alpha.schema_name):
        client.force_login(UserFactory(email="admin@alpha.example", is_operator=True, is_admin=True))

    assert client.get("/platform/settings/", HTTP_HOST=ALPHA.host).status_code == 404


# --- Saving and validation.


def test_saving_stores_the_brand_and_audits_it(staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(staff_client, logo=_png(), show_powered_by="on")

    assert response.status_code == 302
    assert response["Location"] == "/platform/settings/"
    platform = _settings()
    assert platform.name == "Fancy Tickets"
    assert (platform.primary_color, platform.accent_color) == ("#6d28d9", "#f59e0b")
    assert platform.support_email == "support@fancy-tickets.example"
    assert platform.name_server_list == ["ns1.fancy-tickets.example", "ns2.fancy-tickets.example"]
    assert platform.logo.name.startswith("platform/logos/fancy")
    assert platform.show_powered_by
    with schema_context("public"):
        entry = AuditLogEntry.objects.get(action="platform.settings_changed")
    assert entry.actor_email == "staff@platform.example"
    assert {"name", "logo", "primary_color", "show_powered_by"} <= set(entry.data["fields"])
    assert entry.data["values"]["name"] == "Fancy Tickets"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("primary_color", "purple"),
        ("accent_color", "#12345"),
        ("support_email", "not an address"),
        ("default_currency", "XYZ"),
        ("base_domain", "not a domain!"),
        ("name_servers", "ns1.example.com\nbad_name server"),
        ("mode", "anything"),
        ("stripe_publishable_key", "sk_test_wrongkind"),
    ],
)
def test_invalid_values_are_field_errors_and_nothing_is_saved(staff_client, field, value):
    response = _post(staff_client, **{field: value}, current_password=PASSWORD)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert _settings().name != "Fancy Tickets"


def test_full_service_needs_the_owners_organization(staff_client):
    response = _post(staff_client, mode="full_service")

    assert response.status_code == 400
    assert "owner_organization" in response.context["form"].errors


def test_full_service_with_the_owners_organization_is_saved(staff_client, alpha):
    response = _post(staff_client, mode="full_service", owner_organization=str(alpha.pk))

    assert response.status_code == 302
    assert _settings().owner_organization == alpha


def test_a_file_that_is_not_an_image_is_refused_as_logo(staff_client):
    fake = SimpleUploadedFile("logo.png", b"not an image", content_type="image/png")

    response = _post(staff_client, logo=fake)

    assert response.status_code == 400
    assert "logo" in response.context["form"].errors


# --- Stripe: write-only secrets behind the admin's password.


def test_stripe_changes_with_the_right_password_are_saved(staff_client):
    response = _post(
        staff_client,
        stripe_secret_key=SECRET_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_publishable_key="pk_test_51HxPublic",
        stripe_connect_client_id="ca_Connect123",
        current_password=PASSWORD,
    )

    assert response.status_code == 302
    platform = _settings()
    assert platform.stripe_secret_key == SECRET_KEY
    assert platform.stripe_webhook_secret == WEBHOOK_SECRET
    assert platform.stripe_publishable_key == "pk_test_51HxPublic"
    assert platform.stripe_connect_client_id == "ca_Connect123"


@pytest.mark.parametrize("password", ["a wrong password", ""])
@pytest.mark.parametrize(
    "stripe_change",
    [
        {"stripe_secret_key": SECRET_KEY},
        {"stripe_webhook_secret": WEBHOOK_SECRET},
        {"stripe_publishable_key": "pk_test_51HxPublic"},
        {"stripe_connect_client_id": "ca_Connect123"},
    ],
)
def test_stripe_changes_without_the_right_password_save_nothing(staff_client, password, stripe_change):
    response = _post(staff_client, **stripe_change, current_password=password)

    assert response.status_code == 400
    assert "current_password" in response.context["form"].errors
    assert SECRET_KEY not in response.content.decode()  # a typed secret is not echoed back
    assert WEBHOOK_SECRET not in response.content.decode()
    platform = _settings()
    assert platform.name != "Fancy Tickets"
    assert not any(getattr(platform, name) for name in PlatformConfiguration.STRIPE_FIELDS)


def test_the_secrets_are_masked_and_never_in_the_page(staff_client):
    _brand(stripe_secret_key=SECRET_KEY, stripe_webhook_secret=WEBHOOK_SECRET)

    page = staff_client.get("/platform/settings/", HTTP_HOST="localhost").content.decode()
    invalid = _post(staff_client, name="").content.decode()
    admin = staff_client.get("/admin/platform/platformsettings/1/change/", HTTP_HOST="localhost")

    assert admin.status_code == 200
    for html in (page, invalid, admin.content.decode()):
        assert "sk_test_…4242" in html
        assert "whsec_…9876" in html
        assert SECRET_KEY not in html
        assert WEBHOOK_SECRET not in html
        assert "SecretPart" not in html


def test_an_empty_secret_keeps_the_stored_one_and_needs_no_password(staff_client):
    _brand(stripe_secret_key=SECRET_KEY, stripe_webhook_secret=WEBHOOK_SECRET)

    response = _post(staff_client)

    assert response.status_code == 302
    platform = _settings()
    assert platform.name == "Fancy Tickets"
    assert platform.stripe_secret_key == SECRET_KEY
    assert platform.stripe_webhook_secret == WEBHOOK_SECRET


def test_a_secret_is_removed_only_with_the_password(staff_client):
    _brand(stripe_secret_key=SECRET_KEY)

    refused = _post(staff_client, stripe_secret_key_clear="on")
    removed = _post(staff_client, stripe_secret_key_clear="on", current_password=PASSWORD)

    assert refused.status_code == 400
    assert removed.status_code == 302
    assert _settings().stripe_secret_key == ""


def test_the_audit_entry_names_the_stripe_fields_without_their_values(staff_client):
    _post(
        staff_client,
        stripe_secret_key=SECRET_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_publishable_key="pk_test_51HxPublic",
        current_password=PASSWORD,
    )

    with schema_context("public"):
        entry = AuditLogEntry.objects.get(action="platform.settings_changed")
    recorded = json.dumps(entry.data) + entry.target_repr
    assert {"stripe_secret_key", "stripe_webhook_secret"} <= set(entry.data["fields"])
    assert SECRET_KEY not in recorded
    assert WEBHOOK_SECRET not in recorded
    assert "4242" not in recorded
    assert PASSWORD not in recorded


def test_the_admin_shows_stripe_values_read_only_and_saves_through_the_service(
    staff_client, django_capture_on_commit_callbacks
):
    _brand(stripe_secret_key=SECRET_KEY)
    page = staff_client.get("/admin/platform/platformsettings/1/change/", HTTP_HOST="localhost")
    data = {
        name: value
        for name, value in FORM.items()
        if name not in PlatformConfiguration.STRIPE_FIELDS and name != "current_password"
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/platform/platformsettings/1/change/",
            {**data, "name": "Admin-made name", "stripe_secret_key": "sk_test_sneaky1111"},
            HTTP_HOST="localhost",
        )

    assert not set(PlatformConfiguration.STRIPE_FIELDS) & set(page.context["adminform"].form.fields)
    assert response.status_code == 302
    assert _settings().name == "Admin-made name"
    assert _settings().stripe_secret_key == SECRET_KEY
    assert platform_brand().brand.name == "Admin-made name"
    with schema_context("public"):
        assert AuditLogEntry.objects.filter(action="platform.settings_changed").count() == 2


# --- The brand on every site.


@pytest.fixture
def branded(organizations, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return _brand(
            name="Fancy Tickets",
            primary_color="#6d28d9",
            accent_color="#f59e0b",
            logo=_png(),
            legal_footer="Fancy Tickets B.V., Amsterdam",
            support_email="help@fancy-tickets.example",
        )


@pytest.mark.parametrize("host", ["localhost", ALPHA.host, UNKNOWN_HOST])
def test_the_platform_brand_is_worn_by_every_site_without_its_own(client, branded, host):
    with schema_context("public"):
        logo_url = branded.logo.url  # media URLs carry the schema: the public one, on every host

    html = _html(client, host=host)

    assert "<strong>Fancy Tickets</strong>" in html
    assert "· Fancy Tickets</title>" in html
    assert "/brand.css?primary=6d28d9&amp;accent=f59e0b" in html
    assert f'src="{logo_url}"' in html
    assert logo_url.startswith("/media/public/platform/logos/fancy")
    assert "Fancy Tickets B.V., Amsterdam" in html
    assert 'href="mailto:help@fancy-tickets.example"' in html
    assert "Tessera" not in html


def test_the_organizers_own_brand_wins_on_its_host(client, branded, alpha):
    with schema_context(alpha.schema_name):
        park = organizer_create(name="Alpha park", slug=ALPHA.organizer_slug, currency="EUR", country="NL")
        park.primary_color = "#0f766e"
        park.save(update_fields=["primary_color"])

    html = _html(client, host=ALPHA.organizer_host)

    assert "<strong>Alpha park</strong>" in html
    assert "/brand.css?primary=0f766e&amp;" in html
    assert "Fancy Tickets" not in html  # neither the platform's name nor its legal footer
    assert "Tessera" not in html


@pytest.mark.parametrize("host", ["localhost", ALPHA.host, UNKNOWN_HOST])
def test_powered_by_tessera_shows_only_when_the_owner_turns_it_on(
    client, branded, host, django_capture_on_commit_callbacks
):
    assert "Tessera" not in _html(client, host=host)

    with django_capture_on_commit_callbacks(execute=True):
        _brand(show_powered_by=True)

    assert "Powered by Tessera" in _html(client, host=host)


def test_the_stored_name_wins_over_the_environment_default(
    client, organizations, settings, django_capture_on_commit_callbacks
):
    settings.PLATFORM_NAME = "Seeded by env"
    assert "<strong>Seeded by env</strong>" in _html(client)  # nothing stored: the env seeds it

    with django_capture_on_commit_callbacks(execute=True):
        _brand(name="Stored name")
    html = _html(client)

    assert "<strong>Stored name</strong>" in html
    assert "Seeded by env" not in html


# --- Cheap: one cached read.


def test_the_cached_brand_is_dropped_when_the_settings_are_saved(
    organizations, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _brand(name="First name")
    assert platform_brand().brand.name == "First name"
    with schema_context("public"):
        Branding.objects.filter(pk=1).update(name="Changed behind the cache's back")
    assert platform_brand().brand.name == "First name"  # served from the cache

    with django_capture_on_commit_callbacks(execute=True):
        _brand(name="Second name")

    assert platform_brand().brand.name == "Second name"


def test_one_cache_entry_serves_every_host(organizations, alpha, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _brand(name="Shared name")
    with schema_context(alpha.schema_name):
        assert platform_brand().brand.name == "Shared name"

    with django_capture_on_commit_callbacks(execute=True):
        _brand(name="Renamed")

    with schema_context(alpha.schema_name):
        assert platform_brand().brand.name == "Renamed"
        assert connection.schema_name == alpha.schema_name  # the read left the schema as it was


def _queries(captured) -> list[str]:
    """The statements run, without django-tenants' `SET search_path` before a schema's first one."""
    return [query["sql"] for query in captured.captured_queries if not query["sql"].startswith("SET ")]


@pytest.mark.parametrize("host", ["localhost", ALPHA.host, UNKNOWN_HOST])
def test_a_page_costs_at_most_one_query_for_the_brand(client, branded, host):
    with schema_context("public"):
        cache.clear()

    with CaptureQueriesContext(connection) as cold:
        client.get("/", HTTP_HOST=host)
    with CaptureQueriesContext(connection) as warm:
        client.get("/", HTTP_HOST=host)

    cold_queries, warm_queries = _queries(cold), _queries(warm)
    # One query for the brand; host routing reads the base domain (its own cached row, since
    # the settings were split by owner) on every host but the platform's default one.
    hosts = sum("tenancy_hostsettings" in sql for sql in cold_queries)
    assert hosts == (0 if host == "localhost" else 1)
    assert len(cold_queries) - len(warm_queries) == 1 + hosts
    assert sum("core_branding" in sql for sql in cold_queries) == 1
    assert not any("core_branding" in sql or "tenancy_hostsettings" in sql for sql in warm_queries)


def test_the_demo_platform_is_branded_once_and_keeps_a_name_chosen_since(organizations, monkeypatch):
    from apps.platform import demo

    monkeypatch.setattr(demo, "DEMO_ORGANIZATIONS", ())  # the brand step alone is checked here
    demo.demo_seed(log=lambda line: None)
    demo.demo_seed(log=lambda line: None)

    platform = _settings()
    assert {name: getattr(platform, name) for name in demo.DEMO_BRAND} == demo.DEMO_BRAND
    with schema_context("public"):
        assert AuditLogEntry.objects.filter(action="platform.settings_changed").count() == 1

    _brand(name="Chosen by the owner")
    demo.demo_seed(log=lambda line: None)

    assert _settings().name == "Chosen by the owner"
