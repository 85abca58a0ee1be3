"""API tokens on an organization's host: the login page's checks, and the second factor of
operators who set one up; a token never skips them."""

import datetime as dt
import hashlib
import importlib
from types import SimpleNamespace

from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import ApiToken
from apps.core.models import AuditLogEntry
from tests.factories import OperatorFactory, api_client, totp_code, totp_for
from tests.tenants import ALPHA, BETA

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
        assert operator.auth_token_set.get().token_key == right.json()["token"][:15]


# --- hashed, expiring, revocable tokens bound to their schema ---------------------------

ME = "/api/v1/orders/"


def _operator_token(email="keeper@example.com", **fields):
    OperatorFactory(email=email, password=PASSWORD, **fields)
    answer = _token(username=email, password=PASSWORD)
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_only_a_digest_of_the_token_and_its_schema_is_stored(in_alpha):
    secret = _operator_token()["token"]

    row = ApiToken.objects.get()
    stored = [str(value) for value in ApiToken.objects.values_list("digest", "token_key").get()]

    assert not any(secret in value for value in stored)
    assert row.digest == hashlib.sha512(f"{ALPHA.schema_name}:{secret}".encode()).hexdigest()
    assert row.token_key == secret[:15]


def test_a_token_expires(in_alpha, settings):
    answer = _operator_token()
    client = api_client(host=ALPHA.host, token=answer["token"])
    assert client.get(ME).status_code == 200
    expiry = ApiToken.objects.get().expiry
    assert dt.timedelta(days=29) < expiry - timezone.now() <= dt.timedelta(days=30)

    ApiToken.objects.update(expiry=timezone.now() - dt.timedelta(seconds=1))
    refused = client.get(ME)

    assert refused.status_code == 401
    assert "expired" in refused.json()["detail"]


def test_its_owner_lists_and_revokes_their_own_tokens_only(in_alpha):
    mine = _operator_token("keeper@example.com")
    other = _operator_token("other@example.com")
    client = api_client(host=ALPHA.host, token=mine["token"])

    listed = client.get("/api/v1/auth/tokens/")
    not_mine = client.delete(f"/api/v1/auth/tokens/{other['token_key']}/")
    revoked = client.delete(f"/api/v1/auth/tokens/{mine['token_key']}/")

    assert listed.status_code == 200
    assert [(t["token_key"], t["current"]) for t in listed.json()] == [(mine["token_key"], True)]
    assert mine["token"] not in listed.content.decode()
    assert not_mine.status_code == 404
    assert revoked.status_code == 204
    assert client.get(ME).status_code == 401
    assert api_client(host=ALPHA.host, token=other["token"]).get(ME).status_code == 200
    assert {"api_token.created", "api_token.revoked"} <= set(
        AuditLogEntry.objects.values_list("action", flat=True)
    )


def test_an_unverified_address_gets_no_token(in_alpha):
    OperatorFactory(email="new@example.com", password=PASSWORD, verified=False)

    answer = _token(username="new@example.com", password=PASSWORD)

    assert answer.status_code == 400
    assert "Confirm your e-mail address" in str(answer.json())
    assert not ApiToken.objects.exists()


def test_a_token_row_copied_into_another_schema_authenticates_nobody(organizations):
    with schema_context(ALPHA.schema_name):
        secret = _operator_token()["token"]
    with schema_context(BETA.schema_name):
        twin = OperatorFactory(email="keeper@example.com", is_admin=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{BETA.schema_name}".accounts_apitoken (digest, token_key, user_id, created, expiry) '  # noqa: S608
            f'SELECT digest, token_key, %s, created, expiry FROM "{ALPHA.schema_name}".accounts_apitoken',
            [twin.pk],
        )

    assert api_client(host=ALPHA.host, token=secret).get(ME).status_code == 200
    assert api_client(host=BETA.host, token=secret).get(ME).status_code == 401


def test_plain_tokens_of_before_are_hashed_and_keep_working(organizations):
    migration = importlib.import_module("apps.accounts.migrations.0006_api_tokens_hashed")
    with schema_context(ALPHA.schema_name):
        operator = OperatorFactory(email="old@example.com")
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz NOT NULL,"
                " user_id bigint NOT NULL)"
            )
            cursor.execute(
                "INSERT INTO authtoken_token VALUES ('0123456789abcdef0123456789abcdef01234567', now(), %s)",
                [operator.pk],
            )
        migration.hash_plain_tokens(None, SimpleNamespace(connection=connection))
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [f'"{ALPHA.schema_name}".authtoken_token'])
            assert cursor.fetchone()[0] is None
        assert ApiToken.objects.get().user == operator

    client = api_client(host=ALPHA.host, token="0123456789abcdef0123456789abcdef01234567")
    assert client.get(ME).status_code == 200
