"""Support access: a platform admin opens a live organization's control panel as its
support identity, with admin power, through a single-use link; audited on both sides."""

import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.core.models import AuditLogEntry
from apps.operators.selectors import team_member_queryset
from apps.tenancy.models import Organization
from tests.factories import OperatorFactory, OrganizerFactory, UserFactory, totp_for
from tests.tenants import ALPHA, BETA

PLATFORM = "localhost"


@pytest.fixture
def staff_client(client, organizations):
    with schema_context("public"):
        staff = UserFactory(email="staff@platform.example", is_staff=True)
        totp_for(staff)
    client.force_login(staff)
    return client


def _open(client, organization, host=PLATFORM):
    return client.post(f"/platform/organizations/{organization.pk}/support/", HTTP_HOST=host)


def _link(response) -> tuple[str, str]:
    assert response.status_code == 302, response.content.decode()[:500]
    match = re.match(r"http://([^/]+)(/control/login/[^/]+/)$", response["Location"])
    assert match, response["Location"]
    return match.group(1), match.group(2)


def test_the_dashboard_offers_a_support_session_per_live_organization(staff_client, alpha):
    page = staff_client.get("/platform/", HTTP_HOST=PLATFORM).content.decode()

    assert f'action="/platform/organizations/{alpha.pk}/support/"' in page
    assert "Open support session" in page


def test_only_platform_admins_open_a_support_session(client, alpha):
    assert _open(client, alpha).status_code == 302  # anonymous: to the login page
    assert "/accounts/login/" in _open(client, alpha)["Location"]
    with schema_context("public"):
        client.force_login(UserFactory(email="someone@platform.example"))
    assert _open(client, alpha).status_code == 403
    with schema_context(ALPHA.schema_name):
        admin = OperatorFactory(email="boss@alpha.example", is_admin=True)
        tenant_client = Client()
        tenant_client.force_login(admin)
    assert _open(tenant_client, alpha, host=ALPHA.host).status_code == 404  # no such page there
    with schema_context(ALPHA.schema_name):
        assert not User.objects.filter(is_support=True).exists()


def test_opening_needs_a_post(staff_client, alpha):
    assert (
        staff_client.get(f"/platform/organizations/{alpha.pk}/support/", HTTP_HOST=PLATFORM).status_code
        == 405
    )


def test_the_link_lands_as_the_support_identity_with_admin_power(staff_client, alpha):
    with schema_context(ALPHA.schema_name):
        theirs = OrganizerFactory(name="Their own organizer")  # nobody linked the support identity
    host, path = _link(_open(staff_client, alpha))
    assert host == ALPHA.host

    tenant = Client()
    landing = tenant.get(path, HTTP_HOST=host)
    edit = tenant.get(f"/control/organizers/{theirs.pk}/edit/", HTTP_HOST=host)

    assert landing.status_code == 302
    assert landing["Location"] == "/control/"
    assert edit.status_code == 200
    user = edit.wsgi_request.user
    assert user.is_support
    assert user.is_operator
    assert user.is_admin
    assert user.email == "support@localhost"
    assert user.full_name == "Platform support"
    assert not user.has_usable_password()
    with schema_context(ALPHA.schema_name):
        assert user.emailaddress_set.get().verified


def test_every_session_uses_the_one_support_identity(staff_client, alpha):
    for _ in range(2):
        _link(_open(staff_client, alpha))

    with schema_context(ALPHA.schema_name):
        assert User.objects.filter(is_support=True).count() == 1


def test_the_support_banner_shows_in_the_control_panel(staff_client, alpha):
    host, path = _link(_open(staff_client, alpha))
    tenant = Client()
    tenant.get(path, HTTP_HOST=host)

    page = tenant.get("/control/", HTTP_HOST=host).content.decode()

    assert 'class="support-banner" role="status"' in page
    assert "Support session: you act as the platform's support on Alpha parks" in page


def test_no_banner_for_the_organizations_own_operators(client, alpha):
    with schema_context(ALPHA.schema_name):
        client.force_login(OperatorFactory(email="boss@alpha.example", is_admin=True))

    page = client.get("/control/", HTTP_HOST=ALPHA.host).content.decode()

    assert page.count("support-banner") == 0


def test_the_link_works_once(staff_client, alpha):
    host, path = _link(_open(staff_client, alpha))
    Client().get(path, HTTP_HOST=host)

    again = Client().get(path, HTTP_HOST=host)

    assert again.status_code == 400
    assert not again.wsgi_request.user.is_authenticated


def test_the_link_is_worthless_on_another_organizations_host(staff_client, alpha, beta):
    _host, path = _link(_open(staff_client, alpha))
    tenant = Client()

    response = tenant.get(path, HTTP_HOST=BETA.host)

    assert response.status_code == 400
    assert not tenant.get("/control/", HTTP_HOST=BETA.host).wsgi_request.user.is_authenticated
    with schema_context(BETA.schema_name):
        assert not User.objects.filter(is_support=True).exists()


def test_both_sides_audit_the_session(staff_client, alpha):
    _link(_open(staff_client, alpha))

    with schema_context("public"):
        opened = AuditLogEntry.objects.get(action="support.opened")
        assert opened.actor_email == "staff@platform.example"
        assert opened.target_id == str(alpha.pk)
        assert opened.host == PLATFORM
    with schema_context(ALPHA.schema_name):
        session = AuditLogEntry.objects.get(action="support.session_opened")
        assert session.actor_email == "staff@platform.example"
        assert session.actor is None  # the platform admin is no user of this schema
        assert session.host == PLATFORM
        assert session.target_id == str(User.objects.get(is_support=True).pk)


def test_an_organization_that_is_not_live_gets_no_session(staff_client, alpha):
    Organization.objects.filter(pk=alpha.pk).update(status=Organization.Status.FAILED)

    response = _open(staff_client, alpha)

    assert response.status_code == 302
    assert response["Location"] == "/platform/"
    page = staff_client.get("/platform/", HTTP_HOST=PLATFORM).content.decode()
    assert "Alpha parks is not live." in page
    with schema_context("public"):
        assert not AuditLogEntry.objects.filter(action="support.opened").exists()


def test_the_support_identity_is_no_team_member(staff_client, alpha):
    _link(_open(staff_client, alpha))
    with schema_context(ALPHA.schema_name):
        park = OrganizerFactory(name="Alpha park")
        admin = OperatorFactory(email="boss@alpha.example", is_admin=True)
        configurer = OperatorFactory(email="maker@alpha.example", configures=[park])
        assert list(team_member_queryset(configurer)) == [admin]
        assert list(team_member_queryset(admin)) == [configurer]
        tenant = Client()
        tenant.force_login(configurer)  # the session lives in the organization's schema

    page = tenant.get("/control/team/", HTTP_HOST=ALPHA.host).content.decode()

    assert "boss@alpha.example" in page
    assert "support@localhost" not in page


@pytest.mark.parametrize(
    ("next_path", "lands_on"),
    [
        ("/control/events/", "/control/events/"),
        ("https://evil.example/control/", "/control/"),
        ("//evil.example/control/", "/control/"),
        ("/admin/", "/control/"),
    ],
)
def test_the_link_lands_on_the_asked_control_panel_page_only(staff_client, alpha, next_path, lands_on):
    response = staff_client.post(
        f"/platform/organizations/{alpha.pk}/support/", {"next": next_path}, HTTP_HOST=PLATFORM
    )
    assert response.status_code == 302
    host_and_path = response["Location"].split("://", 1)[1]
    host, path = host_and_path.split("/", 1)

    landing = Client().get("/" + path, HTTP_HOST=host)

    assert landing.status_code == 302
    assert landing["Location"] == lands_on
