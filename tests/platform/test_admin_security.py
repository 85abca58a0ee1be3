"""Platform admin accounts: strong passwords (AUTH_PASSWORD_VALIDATORS through allauth's forms)
and rate-limited logins (allauth's ACCOUNT_RATE_LIMITS, per account and IP address), for the
password and the TOTP code."""

import pytest
from django.contrib.auth.password_validation import get_default_password_validators
from django_tenants.utils import schema_context

from apps.accounts.models import User
from tests.factories import UserFactory, totp_code, totp_for

PLATFORM = "localhost"
EMAIL = "staff@platform.example"
PASSWORD = "correct horse battery"  # UserFactory's
TOO_MANY = "Too many failed login attempts"


@pytest.fixture
def staff(organizations):
    with schema_context("public"):
        staff = UserFactory(email=EMAIL, full_name="Stella Staffer", is_staff=True, is_superuser=True)
        authenticator = totp_for(staff)
    staff.authenticator = authenticator
    return staff


def _log_in(client, password, *, ip="203.0.113.7", email=EMAIL):
    return client.post(
        "/accounts/login/", {"login": email, "password": password}, HTTP_HOST=PLATFORM, REMOTE_ADDR=ip
    )


def _password_is(user, password) -> bool:
    with schema_context("public"):
        return User.objects.get(pk=user.pk).check_password(password)


# --- strong passwords ----------------------------------------------------------------------


def test_the_password_validators_are_djangos_four():
    assert [type(validator).__name__ for validator in get_default_password_validators()] == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]


@pytest.mark.parametrize(
    ("weak", "message"),
    [
        ("k3y!Zq", "too short"),
        ("password123", "too common"),
        ("8126473950", "entirely numeric"),
        ("stella.staffer", "too similar"),
    ],
)
def test_a_platform_admin_cannot_choose_a_weak_password(client, staff, weak, message):
    with schema_context("public"):
        client.force_login(staff)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": weak, "password2": weak},
        HTTP_HOST=PLATFORM,
    )

    assert response.status_code == 200  # the form again, with the reason
    assert message in response.content.decode()
    assert _password_is(staff, PASSWORD)


def test_a_platform_admin_changes_to_a_strong_password(client, staff):
    with schema_context("public"):
        client.force_login(staff)

    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "quiet lantern orbit 58",
            "password2": "quiet lantern orbit 58",
        },
        HTTP_HOST=PLATFORM,
    )

    assert response.status_code == 302
    assert _password_is(staff, "quiet lantern orbit 58")


# --- rate-limited logins ---------------------------------------------------------------------


def test_the_right_password_takes_a_platform_admin_to_the_totp_step(client, staff):
    response = _log_in(client, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"


def test_five_wrong_passwords_lock_the_account_for_that_ip_address_only(client, staff):
    """Per (account, IP address): nobody can keep a platform admin locked out from elsewhere."""
    for _attempt in range(5):
        _log_in(client, "wrong", ip="198.51.100.1")
    for attempt in range(5):
        _log_in(client, "wrong", ip=f"198.51.100.{attempt + 2}")

    there = _log_in(client, PASSWORD, ip="198.51.100.1")
    elsewhere = _log_in(client, PASSWORD, ip="192.0.2.200")

    assert there.status_code == 200
    assert TOO_MANY in there.content.decode()
    assert elsewhere.status_code == 302


def test_four_wrong_passwords_do_not_lock_the_address(client, staff):
    for _ in range(4):
        _log_in(client, "wrong")

    assert _log_in(client, PASSWORD).status_code == 302


def test_one_ip_address_cannot_try_many_addresses(client, staff, organizations):
    """10 failed logins a minute per IP address: guessing across accounts is slowed too."""
    for n in range(10):
        _log_in(client, "wrong", email=f"someone{n}@platform.example")

    from_that_ip = _log_in(client, PASSWORD, ip="203.0.113.7")
    from_elsewhere = _log_in(client, PASSWORD, ip="192.0.2.200")

    assert TOO_MANY in from_that_ip.content.decode()
    assert from_elsewhere.status_code == 302


def test_wrong_totp_codes_are_rate_limited_too(client, staff):
    assert _log_in(client, PASSWORD).status_code == 302
    wrong = "000000" if totp_code(staff.authenticator) != "000000" else "111111"
    for _ in range(5):
        refused = client.post("/accounts/2fa/authenticate/", {"code": wrong}, HTTP_HOST=PLATFORM)
        assert refused.status_code == 200

    right = client.post(
        "/accounts/2fa/authenticate/", {"code": totp_code(staff.authenticator)}, HTTP_HOST=PLATFORM
    )

    assert right.status_code == 200
    assert TOO_MANY in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_right_totp_code_logs_the_platform_admin_in(client, staff):
    _log_in(client, PASSWORD)

    response = client.post(
        "/accounts/2fa/authenticate/", {"code": totp_code(staff.authenticator)}, HTTP_HOST=PLATFORM
    )

    assert response.status_code == 302
    assert client.get("/platform/", HTTP_HOST=PLATFORM).status_code == 200
    assert client.get("/api/v1/platform-settings/", HTTP_HOST=PLATFORM).status_code == 200  # the session


# --- API tokens: the same password checks and limits, and the second factor --------------------

TOKEN_URL = "/api/v1/auth/token/"


def _token(client, password=PASSWORD, **extra):
    return client.post(
        TOKEN_URL,
        {"username": EMAIL, "password": password, **extra},
        HTTP_HOST=PLATFORM,
        REMOTE_ADDR="203.0.113.7",
    )


def test_a_platform_admin_with_totp_needs_its_code_for_an_api_token(client, staff):
    without = _token(client)
    wrong = _token(client, code="000000" if totp_code(staff.authenticator) != "000000" else "111111")

    assert without.status_code == 400
    assert without.json() == {"code": ["Enter the code of your authenticator app."]}
    assert wrong.status_code == 400
    assert list(wrong.json()) == ["code"]
    assert "token" not in without.json()

    right = _token(client, code=totp_code(staff.authenticator))

    assert right.status_code == 200
    token = right.json()["token"]
    organizations = client.get(
        "/api/v1/organizations/", HTTP_HOST=PLATFORM, HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert organizations.status_code == 200


def test_a_wrong_password_gets_no_token(client, staff):
    response = _token(client, password="wrong", code=totp_code(staff.authenticator))

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}


def test_failed_token_requests_count_as_failed_logins(client, staff):
    for _ in range(5):
        assert _token(client, password="wrong").status_code == 400

    by_api = _token(client, code=totp_code(staff.authenticator))
    by_page = _log_in(client, PASSWORD)

    assert by_api.status_code == 429
    assert TOO_MANY in str(by_api.json())
    assert TOO_MANY in by_page.content.decode()


def test_wrong_codes_for_a_token_are_rate_limited(client, staff):
    wrong = "000000" if totp_code(staff.authenticator) != "000000" else "111111"
    for _ in range(5):
        assert _token(client, code=wrong).status_code == 400

    right = _token(client, code=totp_code(staff.authenticator))

    assert right.status_code == 429
    assert right["Retry-After"] == "300"
    assert TOO_MANY in str(right.json())


def test_a_user_without_two_factor_authentication_gets_a_token_with_the_password(client, organizations):
    with schema_context("public"):
        UserFactory(email=EMAIL, is_staff=True)

    response = _token(client)

    assert response.status_code == 200
    # ... which the platform API refuses until the admin sets up TOTP
    refused = client.get(
        "/api/v1/organizations/", HTTP_HOST=PLATFORM, HTTP_AUTHORIZATION=f"Token {response.json()['token']}"
    )
    assert refused.status_code == 403
