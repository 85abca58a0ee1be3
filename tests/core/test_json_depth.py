"""JSON bodies nested past the bound answer 400, as any malformed body does, through the
API's parser on both hosts, with or without a token (the Stripe webhook: tests/payments)."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.core.json_input import MAX_DEPTH
from tests.factories import PLATFORM_HOST, OperatorFactory, api_client, api_token
from tests.tenants import ALPHA

DEEP = b"[" * 1000 + b"]" * 1000


def _nested(levels: int) -> bytes:
    return b'{"a":' * (levels - 1) + b"[]" + b"}" * (levels - 1)


@pytest.mark.parametrize("host", [ALPHA.host, PLATFORM_HOST])
def test_a_deep_body_to_the_token_endpoint_is_a_400(organizations, host):
    answer = Client().post("/api/v1/auth/token/", DEEP, content_type="application/json", HTTP_HOST=host)

    assert answer.status_code == 400
    assert "nested" in answer.json()["detail"]


def test_a_deep_body_from_an_operator_is_a_400(organizations):
    with schema_context(ALPHA.schema_name):
        token = api_token(OperatorFactory(is_admin=True))

    answer = api_client(host=ALPHA.host, token=token).post(
        "/api/v1/locations/", DEEP, content_type="application/json"
    )

    assert answer.status_code == 400


def test_nesting_up_to_the_bound_is_parsed(organizations):
    at_bound = Client().post(
        "/api/v1/auth/token/", _nested(MAX_DEPTH), content_type="application/json", HTTP_HOST=ALPHA.host
    )
    past_it = Client().post(
        "/api/v1/auth/token/", _nested(MAX_DEPTH + 1), content_type="application/json", HTTP_HOST=ALPHA.host
    )

    assert at_bound.status_code == 400
    assert "nested" not in str(at_bound.json())  # parsed: the fields are what is missing
    assert "username" in at_bound.json()
    assert past_it.status_code == 400
    assert "nested" in past_it.json()["detail"]
