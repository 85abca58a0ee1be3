"""Test clients per role for the control panel's pages at alpha's host, and the answer each
role expects (a status code, or TO_LOGIN for the login page)."""

from django.test import Client
from django_tenants.utils import schema_context

from tests.factories import ADMIN, ANONYMOUS, CONFIGURER, OTHER, OTHER_ORGANIZATION, SELLER
from tests.tenants import ALPHA, BETA

HOST = ALPHA.host
TO_LOGIN = "to the login page"


def client_for(world, role) -> Client:
    """A client logged in at alpha as `role` of world.team; OTHER_ORGANIZATION is beta's
    twin admin, logged in at beta, calling alpha's host."""
    client = Client(HTTP_HOST=HOST)
    if role == ANONYMOUS:
        return client
    if role == OTHER_ORGANIZATION:
        twin = world.beta_twin()
        with schema_context(BETA.schema_name):
            client.force_login(twin.admin)
        return client
    team = world.team
    user = {ADMIN: team.admin, CONFIGURER: team.configurer, SELLER: team.seller, OTHER: team.other}.get(role)
    with schema_context(ALPHA.schema_name):
        client.force_login(user or team.customer)
    return client


def expect(response, expected):
    if expected == TO_LOGIN:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith("/accounts/login/"), response["Location"]
    else:
        assert response.status_code == expected, response.content.decode()[:500]
