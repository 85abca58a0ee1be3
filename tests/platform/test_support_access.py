"""Support sessions: a platform admin opens a live organization's control panel, for a stated
reason, under their own named support identity with admin power, through a single-use link;
the session ends after SUPPORT_SESSION_MINUTES or with its button; the organization's admins
see who came, when, why and for how long, and every write is in its audit log under that name."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import SupportSession, User
from apps.core.models import AuditLogEntry
from apps.operators.selectors import team_member_queryset
from apps.tenancy.models import Organization
from tests.factories import OperatorFactory, OrganizerFactory, UserFactory, totp_for
from tests.tenants import ALPHA, BETA

PLATFORM = "localhost"
REASON = "Ticket #42: the client cannot publish its event"


def _staff(email="staff@platform.example", full_name="Alice Martin"):
    with schema_context("public"):
        staff = UserFactory(email=email, full_name=full_name, is_staff=True)
        totp_for(staff)
    return staff


@pytest.fixture
def staff(organizations):
    return _staff()


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def _open(client, organization, host=PLATFORM, **data):
    data.setdefault("reason", REASON)
    return client.post(f"/platform/organizations/{organization.pk}/support/", data, HTTP_HOST=host)


def _link(response) -> tuple[str, str]:
    assert response.status_code == 302, response.content.decode()[:500]
    match = re.match(r"http://([^/]+)(/control/login/[^/]+/)$", response["Location"])
    assert match, response["Location"]
    return match.group(1), match.group(2)


def _enter(staff_client, organization) -> Client:
    host, path = _link(_open(staff_client, organization))
    tenant = Client()
    assert tenant.get(path, HTTP_HOST=host).status_code == 302
    return tenant


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


def test_a_reason_is_asked_for_and_required(staff_client, alpha):
    path = f"/platform/organizations/{alpha.pk}/support/"
    form = staff_client.get(path, HTTP_HOST=PLATFORM).content.decode()
    button = staff_client.post(path, HTTP_HOST=PLATFORM)  # the dashboard's button: no reason yet
    blank = _open(staff_client, alpha, reason="   ")

    assert 'name="reason"' in form
    assert "at most" in form
    assert "60 minutes" in form
    assert button.status_code == 200
    assert 'name="reason"' in button.content.decode()
    assert blank.status_code == 400
    assert "Say why you open this site" in blank.content.decode()
    with schema_context(ALPHA.schema_name):
        assert not SupportSession.objects.exists()
        assert not User.objects.filter(is_support=True).exists()


def test_each_platform_admin_acts_under_their_own_named_identity(staff_client, staff, alpha):
    with schema_context(ALPHA.schema_name):
        theirs = OrganizerFactory(name="Their own organizer")  # nobody linked the identity to it
    tenant = _enter(staff_client, alpha)
    bob_staff = _staff(email="bob@platform.example", full_name="Bob Durand")
    other = Client()
    with schema_context("public"):
        other.force_login(bob_staff)
    bobs = _enter(other, alpha)

    edit = tenant.get(f"/control/organizers/{theirs.pk}/edit/", HTTP_HOST=ALPHA.host)
    bob = bobs.get("/control/", HTTP_HOST=ALPHA.host).wsgi_request.user

    assert edit.status_code == 200
    user = edit.wsgi_request.user
    assert (user.email, user.full_name) == (f"support+{staff.pk}@localhost", "Alice Martin")
    assert user.is_support
    assert user.is_operator
    assert user.is_admin
    assert not user.has_usable_password()
    assert (bob.email, bob.full_name) == (f"support+{bob_staff.pk}@localhost", "Bob Durand")
    with schema_context(ALPHA.schema_name):
        assert user.emailaddress_set.get().verified
        assert User.objects.filter(is_support=True).count() == 2


def test_a_second_session_of_the_same_admin_reuses_their_identity(staff_client, alpha):
    for _ in range(2):
        _link(_open(staff_client, alpha))

    with schema_context(ALPHA.schema_name):
        assert User.objects.filter(is_support=True).count() == 1
        assert SupportSession.objects.count() == 2


def test_the_banner_names_the_identity_and_offers_to_end(staff_client, alpha):
    tenant = _enter(staff_client, alpha)

    page = tenant.get("/control/", HTTP_HOST=ALPHA.host).content.decode()

    assert 'class="support-banner"' in page
    assert "Support session: you act as Alice Martin (platform support) on Alpha parks, until " in page
    assert 'action="/control/support/end/"' in page
    assert "End support session</button>" in page


def test_no_banner_for_the_organizations_own_operators(client, alpha):
    with schema_context(ALPHA.schema_name):
        client.force_login(OperatorFactory(email="boss@alpha.example", is_admin=True))

    page = client.get("/control/", HTTP_HOST=ALPHA.host).content.decode()

    assert page.count("support-banner") == 0


def test_the_button_ends_the_session(staff_client, alpha):
    tenant = _enter(staff_client, alpha)

    ended = tenant.post("/control/support/end/", HTTP_HOST=ALPHA.host)

    assert ended.status_code == 302
    assert ended["Location"] == "http://localhost/platform/"
    assert not tenant.get("/control/", HTTP_HOST=ALPHA.host).wsgi_request.user.is_authenticated
    with schema_context(ALPHA.schema_name):
        session = SupportSession.objects.get()
        assert session.ended_at is not None
        assert AuditLogEntry.objects.filter(
            action="support.session_ended", target_id=str(session.pk)
        ).exists()


def test_the_session_ends_when_its_time_is_up(staff_client, alpha, settings):
    settings.SUPPORT_SESSION_MINUTES = 30
    tenant = _enter(staff_client, alpha)
    with schema_context(ALPHA.schema_name):
        session = SupportSession.objects.get()
        assert session.expires_at - session.opened_at == timedelta(minutes=30)
        assert tenant.get("/control/", HTTP_HOST=ALPHA.host).status_code == 200
        SupportSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    after = tenant.get("/control/", HTTP_HOST=ALPHA.host)

    assert after.status_code == 302
    assert after["Location"].startswith("/accounts/login/")
    assert not tenant.get("/control/", HTTP_HOST=ALPHA.host).wsgi_request.user.is_authenticated
    with schema_context(ALPHA.schema_name):
        session.refresh_from_db()
        assert session.ended_at is not None
        assert AuditLogEntry.objects.filter(action="support.session_expired").exists()


def test_the_django_session_lasts_no_longer_than_the_support_session(staff_client, alpha):
    tenant = _enter(staff_client, alpha)
    landed = tenant.get("/control/", HTTP_HOST=ALPHA.host)

    with schema_context(ALPHA.schema_name):
        ends = SupportSession.objects.get().expires_at
    assert abs(landed.wsgi_request.session.get_expiry_date() - ends) < timedelta(seconds=5)


def test_a_support_identity_without_its_session_is_logged_out(staff_client, staff, alpha):
    _enter(staff_client, alpha)
    with schema_context(ALPHA.schema_name):
        identity = User.objects.get(is_support=True)
    stray = Client()
    stray.force_login(identity)  # a session not opened by a support link

    response = stray.get("/control/", HTTP_HOST=ALPHA.host)

    assert response.status_code == 302
    assert not stray.get("/control/", HTTP_HOST=ALPHA.host).wsgi_request.user.is_authenticated


def test_the_clients_admins_see_who_came_when_why_and_for_how_long(staff_client, alpha):
    tenant = _enter(staff_client, alpha)
    tenant.post("/control/support/end/", HTTP_HOST=ALPHA.host)
    with schema_context(ALPHA.schema_name):
        boss = OperatorFactory(email="boss@alpha.example", is_admin=True)
        seller = OperatorFactory(email="seller@alpha.example")
    admin, other = Client(), Client()
    admin.force_login(boss)
    other.force_login(seller)

    page = admin.get("/control/support-sessions/", HTTP_HOST=ALPHA.host).content.decode()
    dashboard = admin.get("/control/", HTTP_HOST=ALPHA.host).content.decode()

    assert 'href="/control/support-sessions/"' in dashboard
    assert "Alice Martin" in page
    assert "staff@platform.example" in page
    assert REASON in page
    assert "UTC" in page
    assert "0 minutes" in page
    assert other.get("/control/support-sessions/", HTTP_HOST=ALPHA.host).status_code == 403


def test_every_write_is_in_the_clients_audit_log_under_the_identity(staff_client, staff, alpha):
    with schema_context(ALPHA.schema_name):
        park = OrganizerFactory(name="Alpha park", slug="alpha-park")
    tenant = _enter(staff_client, alpha)

    tenant.post(
        f"/control/organizers/{park.pk}/edit/", {"name": ""}, HTTP_HOST=ALPHA.host
    )  # refused: still a write
    tenant.post("/control/support/end/", HTTP_HOST=ALPHA.host)

    with schema_context(ALPHA.schema_name):
        identity = User.objects.get(is_support=True)
        request, end = AuditLogEntry.objects.filter(action="support.request").order_by("pk")
        assert end.actor == identity
        assert end.data["path"] == "/control/support/end/"
        assert request.actor == identity
        assert request.actor_email == f"support+{staff.pk}@localhost"
        assert request.data["path"] == f"/control/organizers/{park.pk}/edit/"
        assert request.data["method"] == "POST"
        boss = OperatorFactory(email="boss@alpha.example", is_admin=True)
    admin = Client()
    admin.force_login(boss)
    page = admin.get("/control/support-sessions/", HTTP_HOST=ALPHA.host).content.decode()
    assert f"POST /control/organizers/{park.pk}/edit/" in page


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


def test_both_sides_audit_the_session_with_its_reason(staff_client, staff, alpha):
    _link(_open(staff_client, alpha))

    with schema_context("public"):
        opened = AuditLogEntry.objects.get(action="support.opened")
        assert opened.actor_email == "staff@platform.example"
        assert opened.target_id == str(alpha.pk)
        assert opened.host == PLATFORM
        assert opened.data["reason"] == REASON
    with schema_context(ALPHA.schema_name):
        session = SupportSession.objects.get()
        assert (session.platform_admin_email, session.platform_admin_name, session.reason) == (
            "staff@platform.example",
            "Alice Martin",
            REASON,
        )
        entry = AuditLogEntry.objects.get(action="support.session_opened")
        assert entry.actor_email == "staff@platform.example"
        assert entry.actor is None  # the platform admin is no user of this schema
        assert entry.host == PLATFORM
        assert entry.target_id == str(session.pk)
        assert entry.data["identity"] == f"support+{staff.pk}@localhost"


def test_an_organization_that_is_not_live_gets_no_session(staff_client, alpha):
    Organization.objects.filter(pk=alpha.pk).update(status=Organization.Status.FAILED)

    response = _open(staff_client, alpha)

    assert response.status_code == 400
    assert "Alpha parks is not live." in response.content.decode()
    with schema_context("public"):
        assert not AuditLogEntry.objects.filter(action="support.opened").exists()


def test_support_identities_are_no_team_members(staff_client, alpha):
    _link(_open(staff_client, alpha))
    with schema_context(ALPHA.schema_name):
        park = OrganizerFactory(name="Alpha park")
        admin = OperatorFactory(email="boss@alpha.example", is_admin=True)
        configurer = OperatorFactory(email="maker@alpha.example", configures=[park])
        assert list(team_member_queryset(configurer)) == [admin]
        assert list(team_member_queryset(admin)) == [configurer]
        tenant = Client()
        tenant.force_login(configurer)

    page = tenant.get("/control/team/", HTTP_HOST=ALPHA.host).content.decode()

    assert "boss@alpha.example" in page
    assert "support+" not in page


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
    response = _open(staff_client, alpha, next=next_path)
    assert response.status_code == 302
    host_and_path = response["Location"].split("://", 1)[1]
    host, path = host_and_path.split("/", 1)

    landing = Client().get("/" + path, HTTP_HOST=host)

    assert landing.status_code == 302
    assert landing["Location"] == lands_on
