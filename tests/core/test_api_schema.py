"""Each host serves the OpenAPI schema of its own API, and every operation documents the
error answers it can give (apps.core.api_schema)."""

import pytest

from tests.tenants import ALPHA


def _schema(client, host):
    response = client.get("/api/schema/?format=json", HTTP_HOST=host)
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method != "parameters":
                yield method.upper(), path, operation


def test_the_platform_host_serves_its_own_api(client, organizations):
    paths = _schema(client, "localhost")["paths"]

    for own in (
        "/api/v1/organizations/",
        "/api/v1/plans/",
        "/api/v1/invoices/",
        "/api/v1/platform-settings/",
    ):
        assert own in paths
    for theirs in ("/api/v1/events/", "/api/v1/orders/", "/api/v1/tickets/", "/api/v1/check-ins/"):
        assert theirs not in paths


def test_an_organization_host_serves_the_organizations_api(client, organizations):
    paths = _schema(client, ALPHA.host)["paths"]

    for own in ("/api/v1/events/", "/api/v1/orders/", "/api/v1/tickets/", "/api/v1/check-ins/"):
        assert own in paths
    for theirs in (
        "/api/v1/organizations/",
        "/api/v1/plans/",
        "/api/v1/invoices/",
        "/api/v1/platform-settings/",
    ):
        assert theirs not in paths


# Operations anyone may call: no 403 to document.
ANYONE = {"/api/v1/auth/token/", "/api/v1/countries/", "/api/v1/currencies/", "/api/v1/invitations/accept/"}


@pytest.mark.parametrize("host", ["localhost", ALPHA.host])
def test_every_operation_documents_its_error_answers(client, organizations, host):
    for method, path, operation in _operations(_schema(client, host)):
        statuses = set(operation["responses"])
        where = f"{method} {path}: {sorted(statuses)}"
        assert "401" in statuses, where
        if path not in ANYONE:
            assert "403" in statuses, where
        if "{" in path:
            assert "404" in statuses, where
        if method in {"POST", "PUT", "PATCH"}:
            assert "400" in statuses, where
        if method in {"POST", "PUT", "PATCH", "DELETE"} and path != "/api/v1/auth/token/":
            assert "409" in statuses, where


@pytest.mark.parametrize("host", ["localhost", ALPHA.host])
def test_the_token_endpoint_documents_its_rate_limit(client, organizations, host):
    operation = _schema(client, host)["paths"]["/api/v1/auth/token/"]["post"]

    assert {"200", "400", "429"} <= set(operation["responses"])
    assert "403" not in operation["responses"]  # anyone may ask for a token


def test_a_field_error_answer_is_an_object_of_messages(client, organizations):
    operation = _schema(client, ALPHA.host)["paths"]["/api/v1/events/"]["post"]

    answer = operation["responses"]["400"]
    assert answer["content"]["application/json"]["schema"]["type"] == "object"
    assert answer["description"]


@pytest.mark.parametrize(
    ("host", "path"),
    [(ALPHA.host, "/api/v1/invitations/accept/"), ("localhost", "/api/v1/organizations/{id}/organizers/")],
)
def test_creating_actions_document_the_201_they_answer(client, organizations, host, path):
    operation = _schema(client, host)["paths"][path]["post"]

    assert "201" in operation["responses"]
    assert "200" not in operation["responses"]
