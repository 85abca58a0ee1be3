"""A template site gives its clones structure and an allow-list of rows, never identities,
credentials, sessions or sales; it is not served to the public, and only platform admins
enter it, in a support session."""

import io

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.core.audit import Actor
from apps.core.models import AuditLogEntry
from apps.hub.models import HubEvent
from apps.hub.services import hub_event_refresh
from apps.operators.models import ConfigurationPermission
from apps.platform.services.support import support_session_open
from apps.sales.models import FeeRule
from apps.tenancy import services
from apps.tenancy.models import Organization
from tests.factories import OperatorFactory, OrganizerFactory, api_client, api_token, totp_for
from tests.hub.helpers import event_with_dates

TEMPLATE_HOST = "tpl-walls.localhost"
CLIENT_HOST = "client-walls.localhost"
PASSWORD = "a long pass phrase"


def _template() -> Organization:
    return services.organization_create(name="Template", slug="tpl-walls", is_template=True)


def _clone() -> Organization:
    return services.organization_create(name="Client", slug="client-walls", template_schema="tpl_walls")


def _fill_template() -> str:
    """Everything an organization can hold, in the template; returns an admin's API token."""
    with schema_context("tpl_walls"):
        admin = OperatorFactory(email="admin@template.example", is_admin=True, is_staff=True)
        totp_for(admin)
        SocialAccount.objects.create(user=admin, provider="facebook", uid="1")
        EmailConfirmation.create(admin.emailaddress_set.get())
        session = SessionStore()
        session["_auth_user_id"] = str(admin.pk)
        session.create()
        organizer = OrganizerFactory(name="Template organizer", slug="template-organizer")
        ConfigurationPermission.objects.create(operator=admin, organizer=organizer)
        event_with_dates(organizer, name="Template event")
        FeeRule.objects.create(name="Organization fee", fixed="0.50")
        FeeRule.objects.create(name="Organizer fee", organizer=organizer, fixed="1.00")
        AuditLogEntry.objects.create(action="template.marker", data={})
        return api_token(admin)


def _row_counts(schema_name: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r'",
            [schema_name],
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{schema_name}"."{table}"')  # noqa: S608 - names from pg_class
            counts[table] = cursor.fetchone()[0]
    return counts


def test_a_clone_gets_the_templates_structure_and_allowed_rows_only(organizations):
    _template()
    _fill_template()

    client = _clone()

    template_rows, client_rows = _row_counts("tpl_walls"), _row_counts(client.schema_name)
    assert set(client_rows) == set(template_rows)  # every table
    copied = {table for table, count in client_rows.items() if count}
    assert copied == {"django_migrations", "django_content_type", "auth_permission", "sales_feerule"}
    assert copied <= set(services.TEMPLATE_ROWS)
    for table in ("django_migrations", "django_content_type", "auth_permission"):
        assert client_rows[table] == template_rows[table]
    for held in (
        "accounts_user",
        "account_emailaddress",
        "account_emailconfirmation",
        "accounts_apitoken",
        "django_session",
        "mfa_authenticator",
        "socialaccount_socialaccount",
        "operators_configurationpermission",
        "organizers_organizer",
        "events_event",
        "core_auditlogentry",
    ):
        assert template_rows[held] > 0, held  # it was there to be copied, and was not
    with schema_context(client.schema_name):
        assert list(FeeRule.objects.values_list("name", flat=True)) == ["Organization fee"]
        assert not User.objects.exists()
        assert not EmailAddress.objects.exists()
        assert not Authenticator.objects.exists()
        # ids start afresh where nothing was copied
        assert OrganizerFactory(slug="first").pk == 1


def test_a_token_made_on_the_template_authenticates_nobody(organizations):
    _template()
    token = _fill_template()
    client = _clone()

    on_client = api_client(host=CLIENT_HOST, token=token).get("/api/v1/organizers/")
    on_template = api_client(host=TEMPLATE_HOST, token=token).get("/api/v1/organizers/")

    assert on_client.status_code == 401
    assert on_template.status_code == 404
    with schema_context(client.schema_name):
        assert not User.objects.filter(email="admin@template.example").exists()


def test_a_template_site_is_not_served_to_the_public(organizations):
    _template()
    _fill_template()
    visitor = Client()

    for path in ("/", "/accounts/signup/", "/accounts/login/", "/control/", "/api/v1/organizers/"):
        assert visitor.get(path, HTTP_HOST=TEMPLATE_HOST).status_code == 404, path
    signup = visitor.post(
        "/accounts/signup/",
        {"email": "someone@example.com", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST=TEMPLATE_HOST,
    )
    login = visitor.post(
        "/accounts/login/",
        {"login": "admin@template.example", "password": "correct horse battery"},
        HTTP_HOST=TEMPLATE_HOST,
    )
    token = visitor.post(
        "/api/v1/auth/token/",
        {"username": "admin@template.example", "password": "correct horse battery"},
        HTTP_HOST=TEMPLATE_HOST,
    )

    assert (signup.status_code, login.status_code, token.status_code) == (404, 404, 404)
    with schema_context("tpl_walls"):
        assert not User.objects.filter(email="someone@example.com").exists()
        assert User.objects.get(email="admin@template.example").last_login is None


def test_its_own_operators_cannot_use_a_template_site(organizations):
    _template()
    with schema_context("tpl_walls"):
        operator = OperatorFactory(email="boss@template.example", is_admin=True)
        browser = Client()
        browser.force_login(operator)

    assert browser.get("/control/", HTTP_HOST=TEMPLATE_HOST).status_code == 404


def test_a_platform_admin_edits_a_template_site_in_a_support_session(organizations):
    template = _template()
    with schema_context("public"):
        staff = OperatorFactory(email="staff@platform.example", is_operator=False, is_staff=True)
        url = support_session_open(organization=template, actor=Actor(user=staff), reason="Edit the template")
    browser = Client()

    landing = browser.get(url.split(TEMPLATE_HOST, 1)[1], HTTP_HOST=TEMPLATE_HOST)
    control = browser.get("/control/", HTTP_HOST=TEMPLATE_HOST)

    assert landing.status_code == 302
    assert control.status_code == 200
    assert control.wsgi_request.user.is_support


def test_a_template_sites_events_are_not_in_the_events_hub(organizations):
    _template()
    with schema_context("tpl_walls"):
        event = event_with_dates(OrganizerFactory(slug="tpl-organizer"), name="Template show")
        hub_event_refresh(schema_name="tpl_walls", event_id=event.pk)
    call_command("hub_rebuild", stdout=io.StringIO())

    assert not HubEvent.objects.filter(schema_name="tpl_walls").exists()
