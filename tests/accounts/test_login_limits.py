"""Failed logins are limited per (account, client address): a stranger's wrong passwords lock
the account for that stranger's address only, never for its owner elsewhere — platform admins
included, behind proxies too. The API answers its refusals 429 with Retry-After; with Redis
down nothing answers 500."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tests.factories import OperatorFactory, UserFactory
from tests.tenants import ALPHA

PLATFORM = "localhost"
STAFF = "staff@platform.example"
PASSWORD = "correct horse battery"  # UserFactory's
TOO_MANY = "Too many failed login attempts"
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def staff(organizations):
    with schema_context("public"):
        return UserFactory(email=STAFF, is_staff=True, is_superuser=True)


def _log_in(password, *, host=PLATFORM, email=STAFF, **address):
    address = address or {"REMOTE_ADDR": "203.0.113.7"}
    return Client().post(
        "/accounts/login/", {"login": email, "password": password}, HTTP_HOST=host, **address
    )


def test_a_strangers_wrong_passwords_do_not_lock_a_platform_admin_out_elsewhere(staff):
    for _ in range(5):
        _log_in("wrong", REMOTE_ADDR="203.0.113.7")

    stranger = _log_in(PASSWORD, REMOTE_ADDR="203.0.113.7")
    owner = _log_in(PASSWORD, REMOTE_ADDR="192.0.2.200")

    assert TOO_MANY in stranger.content.decode()
    assert owner.status_code == 302


def test_a_customer_is_not_locked_out_by_failures_from_another_address(in_alpha):
    UserFactory(email="john@example.com")
    for _ in range(5):
        _log_in("wrong", host=ALPHA.host, email="john@example.com", REMOTE_ADDR="203.0.113.7")

    owner = _log_in(PASSWORD, host=ALPHA.host, email="john@example.com", REMOTE_ADDR="192.0.2.200")

    assert owner.status_code == 302


def test_behind_a_proxy_allauth_counts_the_forwarded_address(staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(5):
        _log_in("wrong", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)

    stranger = _log_in(PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.7", **proxy)  # forged first
    owner = _log_in(PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200", **proxy)

    assert TOO_MANY in stranger.content.decode()
    assert owner.status_code == 302


def test_a_token_refused_for_failed_logins_answers_429_with_retry_after(staff):
    def token(password, address):
        return Client().post(
            TOKEN_URL, {"username": STAFF, "password": password}, HTTP_HOST=PLATFORM, REMOTE_ADDR=address
        )

    for _ in range(5):
        assert token("wrong", "203.0.113.7").status_code == 400

    refused = token(PASSWORD, "203.0.113.7")
    elsewhere = token(PASSWORD, "192.0.2.200")

    assert refused.status_code == 429
    assert refused["Retry-After"] == "300"
    assert TOO_MANY in refused.json()["detail"]
    assert elsewhere.status_code == 200


def test_the_token_endpoint_is_throttled_per_address(in_alpha, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_token": "3/m"}
    OperatorFactory(email="clerk@example.com", password=PASSWORD)

    def token(address):
        return Client().post(
            TOKEN_URL,
            {"username": "clerk@example.com", "password": PASSWORD},
            HTTP_HOST=ALPHA.host,
            REMOTE_ADDR=address,
        )

    answers = [token("203.0.113.7").status_code for _ in range(4)]
    refused = token("203.0.113.7")

    assert answers == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert token("192.0.2.200").status_code == 200


def test_with_redis_down_the_limits_open_and_nothing_answers_500(staff, settings):
    down = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": down},
        "ratelimit": {**settings.CACHES["ratelimit"], "LOCATION": down},
    }
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_token": "1/m"}

    page = Client().get("/accounts/login/", HTTP_HOST=PLATFORM)
    login = _log_in(PASSWORD)
    tokens = [
        Client().post(TOKEN_URL, {"username": STAFF, "password": PASSWORD}, HTTP_HOST=PLATFORM)
        for _ in range(2)
    ]

    assert page.status_code == 200
    assert login.status_code == 302
    assert [token.status_code for token in tokens] == [200, 200]
