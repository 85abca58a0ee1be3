"""Platform admins need a TOTP authenticator (allauth MFA) for the platform pages and the
platform's Django admin; without one they are sent to set it up."""

import pytest
from django.contrib.messages import get_messages
from django_tenants.utils import schema_context

from apps.accounts.models import User
from tests.factories import UserFactory, totp_for
from tests.tenants import ALPHA

PLATFORM = "localhost"
ACTIVATE_TOTP = "/accounts/2fa/totp/activate/"
PLATFORM_PAGES = [
    "/platform/",
    "/platform/settings/",
    "/platform/approvals/",
    "/platform/pages/",
    "/platform/pages/new/",
]


def _staff(client, *, totp: bool, **fields):
    with schema_context("public"):
        staff = UserFactory(email="staff@platform.example", is_staff=True, **fields)
        if totp:
            totp_for(staff)
    client.force_login(staff)
    return client


@pytest.mark.parametrize("path", PLATFORM_PAGES)
def test_a_platform_admin_without_totp_is_sent_to_set_it_up(client, organizations, path):
    client = _staff(client, totp=False)

    response = client.get(path, HTTP_HOST=PLATFORM)

    assert response.status_code == 302
    assert response["Location"] == ACTIVATE_TOTP
    assert "two-factor authentication" in str(next(iter(get_messages(response.wsgi_request))))


@pytest.mark.parametrize("path", PLATFORM_PAGES)
def test_a_platform_admin_with_totp_gets_in(client, organizations, path):
    client = _staff(client, totp=True)

    assert client.get(path, HTTP_HOST=PLATFORM).status_code == 200


def test_no_support_session_without_totp(client, alpha):
    client = _staff(client, totp=False)

    response = client.post(f"/platform/organizations/{alpha.pk}/support/", HTTP_HOST=PLATFORM)

    assert response["Location"] == ACTIVATE_TOTP
    with schema_context(ALPHA.schema_name):
        assert not User.objects.filter(is_support=True).exists()


def test_other_users_are_still_refused_not_sent_to_set_up_totp(client, organizations):
    with schema_context("public"):
        client.force_login(UserFactory(email="someone@platform.example"))

    assert client.get("/platform/", HTTP_HOST=PLATFORM).status_code == 403


def test_the_platform_django_admin_sends_staff_without_totp_to_set_it_up(client, organizations):
    client = _staff(client, totp=False, is_superuser=True)

    response = client.get("/admin/", HTTP_HOST=PLATFORM, follow=True)

    assert response.redirect_chain[:2] == [("/admin/login/?next=/admin/", 302), (ACTIVATE_TOTP, 302)]
    assert client.get("/admin/tenancy/organization/", HTTP_HOST=PLATFORM).status_code == 302


def test_the_platform_django_admin_lets_staff_with_totp_in(client, organizations):
    client = _staff(client, totp=True, is_superuser=True)

    assert client.get("/admin/", HTTP_HOST=PLATFORM).status_code == 200
    assert client.get("/admin/tenancy/organization/", HTTP_HOST=PLATFORM).status_code == 200


def test_the_platform_django_admin_logs_in_through_allauth(client, organizations):
    response = client.get("/admin/", HTTP_HOST=PLATFORM, follow=True)

    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")
    assert client.post(
        "/admin/login/", {"username": "staff@platform.example", "password": "x"}, HTTP_HOST=PLATFORM
    )["Location"].startswith("/accounts/login/")


def test_an_organization_has_no_django_admin_not_even_for_its_superusers(client, alpha):
    with schema_context(ALPHA.schema_name):
        client.force_login(UserFactory(email="root@alpha.example", is_staff=True, is_superuser=True))

    assert client.get("/admin/", HTTP_HOST=ALPHA.host).status_code == 404


def test_allauth_rate_limits_failed_logins(client, organizations):
    """Not ours: allauth's default ACCOUNT_RATE_LIMITS (5 failed logins per address in 5 minutes)."""
    with schema_context("public"):
        UserFactory(email="staff@platform.example", is_staff=True)
    for _ in range(5):
        client.post(
            "/accounts/login/", {"login": "staff@platform.example", "password": "wrong"}, HTTP_HOST=PLATFORM
        )

    right = client.post(
        "/accounts/login/",
        {"login": "staff@platform.example", "password": "correct horse battery"},
        HTTP_HOST=PLATFORM,
    )

    assert right.status_code != 302
    assert "Too many failed login attempts" in right.content.decode()
