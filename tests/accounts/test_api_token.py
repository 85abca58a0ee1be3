"""API tokens on an organization's host: the login page's checks, and the second factor of
operators who set one up; a token never skips them."""

from django.test import Client
from django_tenants.utils import schema_context

from tests.factories import OperatorFactory, totp_code, totp_for
from tests.tenants import ALPHA

PASSWORD = "a long operator pass phrase"


def _token(**data):
    return Client().post("/api/v1/auth/token/", data, HTTP_HOST=ALPHA.host, REMOTE_ADDR="203.0.113.9")


def test_an_operator_without_two_factor_gets_a_token_for_the_password(in_alpha):
    OperatorFactory(email="plain@example.com", password=PASSWORD)

    answer = _token(username="plain@example.com", password=PASSWORD)

    assert answer.status_code == 200
    assert answer.json()["token"]


def test_an_operator_with_two_factor_needs_its_code(in_alpha):
    operator = OperatorFactory(email="careful@example.com", password=PASSWORD)
    authenticator = totp_for(operator)

    without = _token(username="careful@example.com", password=PASSWORD)
    wrong = _token(username="careful@example.com", password="not it", code=totp_code(authenticator))
    right = _token(username="careful@example.com", password=PASSWORD, code=totp_code(authenticator))

    assert without.status_code == 400
    assert "code" in without.json()
    assert wrong.status_code == 400
    assert right.status_code == 200
    with schema_context(ALPHA.schema_name):
        assert right.json()["token"] == operator.auth_token.key
