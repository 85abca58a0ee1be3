"""API tokens are read from the cache (apps.accounts.authentication), per schema: a token
deleted or replaced, a user deactivated or deleted is refused on the very next request."""

import datetime as dt
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.authentication import accounts_changed, api_token_digest
from apps.accounts.models import ApiToken, User
from tests.factories import OperatorFactory, api_client, api_token
from tests.lookups import lookups_cached  # noqa: F401 - the fixture
from tests.tenants import ALPHA, BETA

pytestmark = pytest.mark.usefixtures("lookups_cached")

ME = "/api/v1/orders/"


def _operator_with_token(schema_name: str, email: str = "seller@example.com"):
    with schema_context(schema_name):
        operator = OperatorFactory(email=email)
        return operator, api_token(operator)


def test_a_known_token_is_read_from_the_cache(organizations):
    _operator, token = _operator_with_token(ALPHA.schema_name)
    client = api_client(host=ALPHA.host, token=token)
    assert client.get(ME).status_code == 200

    with CaptureQueriesContext(connection) as queries:
        assert client.get(ME).status_code == 200

    assert not [q for q in queries.captured_queries if "accounts_apitoken" in q["sql"]]


def test_a_deleted_token_is_refused_at_once(organizations):
    _operator, token = _operator_with_token(ALPHA.schema_name)
    client = api_client(host=ALPHA.host, token=token)
    assert client.get(ME).status_code == 200
    with schema_context(ALPHA.schema_name):
        ApiToken.objects.filter(digest=api_token_digest(token)).delete()

    assert client.get(ME).status_code == 401


def test_a_deactivated_operator_is_refused_at_once(organizations):
    operator, token = _operator_with_token(ALPHA.schema_name)
    client = api_client(host=ALPHA.host, token=token)
    assert client.get(ME).status_code == 200
    with schema_context(ALPHA.schema_name):
        operator.is_active = False
        operator.save(update_fields=["is_active"])

    response = client.get(ME)

    assert response.status_code == 401
    assert "inactive" in response.json()["detail"]


def test_a_deleted_operator_is_refused_at_once(organizations):
    operator, token = _operator_with_token(ALPHA.schema_name)
    client = api_client(host=ALPHA.host, token=token)
    assert client.get(ME).status_code == 200
    with schema_context(ALPHA.schema_name):
        User.objects.filter(pk=operator.pk).delete()

    assert client.get(ME).status_code == 401


def test_an_operator_no_longer_operator_loses_the_api_at_once(organizations):
    operator, token = _operator_with_token(ALPHA.schema_name)
    client = api_client(host=ALPHA.host, token=token)
    assert client.get(ME).status_code == 200
    with schema_context(ALPHA.schema_name):
        operator.is_operator = False
        operator.save()

    assert client.get(ME).status_code == 403


def test_a_login_keeps_the_cached_token(organizations):
    operator, token = _operator_with_token(ALPHA.schema_name)
    client = api_client(host=ALPHA.host, token=token)
    assert client.get(ME).status_code == 200
    with schema_context(ALPHA.schema_name):
        from django.contrib.auth.models import update_last_login

        update_last_login(None, operator)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(ME).status_code == 200

    assert not [q for q in queries.captured_queries if "accounts_apitoken" in q["sql"]]


def test_a_token_works_only_in_the_schema_it_was_made_in(organizations):
    with schema_context(BETA.schema_name):
        OperatorFactory(email="seller@example.com")
    _operator, token = _operator_with_token(ALPHA.schema_name)
    assert api_client(host=ALPHA.host, token=token).get(ME).status_code == 200

    assert api_client(host=BETA.host, token=token).get(ME).status_code == 401


def test_a_cached_token_is_refused_once_it_expires(organizations):
    _operator, token = _operator_with_token(ALPHA.schema_name)
    with schema_context(ALPHA.schema_name):
        ApiToken.objects.update(expiry=timezone.now() + dt.timedelta(seconds=1))
        accounts_changed()  # update() sends no signal
    client = api_client(host=ALPHA.host, token=token)
    assert client.get(ME).status_code == 200  # read, and cached with its expiry

    time.sleep(1.1)
    with CaptureQueriesContext(connection) as queries:
        refused = client.get(ME)

    assert refused.status_code == 401
    assert not [q for q in queries.captured_queries if "accounts_apitoken" in q["sql"]]


def test_a_token_revoked_by_its_owner_is_refused_at_once(organizations):
    _operator, token = _operator_with_token(ALPHA.schema_name)
    client = api_client(host=ALPHA.host, token=token)
    assert client.get(ME).status_code == 200
    with schema_context(ALPHA.schema_name):
        token_key = ApiToken.objects.get().token_key

    assert client.delete(f"/api/v1/auth/tokens/{token_key}/").status_code == 204
    assert client.get(ME).status_code == 401
