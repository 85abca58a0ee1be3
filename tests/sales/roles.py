"""Test clients per role for the control panel's pages at alpha's host, and the answer each
role expects (a status code, or TO_LOGIN for the login page)."""

from django.test import Client
from django_tenants.utils import schema_context

from tests.factories import ADMIN, ANONYMOUS, CONFIGURER, CUSTOMER, OTHER, OTHER_ORGANIZATION, SELLER
from tests.tenants import ALPHA, BETA

HOST = ALPHA.host
TO_LOGIN = "to the login page"
# What the roles outside alpha's operators get on any control page: a customer is refused, a
# visitor and the twin organization's admin are sent to log in.
OUTSIDERS = {CUSTOMER: 403, ANONYMOUS: TO_LOGIN, OTHER_ORGANIZATION: TO_LOGIN}


def client_of(user, schema_name: str = ALPHA.schema_name) -> Client:
    """A client at alpha's host logged in as `user` of `schema_name` (another schema's user:
    logged in there, calling alpha)."""
    client = Client(HTTP_HOST=HOST)
    with schema_context(schema_name):
        client.force_login(user)
    return client


def client_for(world, role) -> Client:
    """A client logged in at alpha as `role` of world.team; OTHER_ORGANIZATION is beta's
    twin admin, logged in at beta, calling alpha's host."""
    if role == ANONYMOUS:
        return Client(HTTP_HOST=HOST)
    if role == OTHER_ORGANIZATION:
        return client_of(world.beta_twin().admin, BETA.schema_name)
    team = world.team
    user = {ADMIN: team.admin, CONFIGURER: team.configurer, SELLER: team.seller, OTHER: team.other}.get(role)
    return client_of(user or team.customer)


def expect(response, expected):
    if expected == TO_LOGIN:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith("/accounts/login/"), response["Location"]
    else:
        assert response.status_code == expected, response.content.decode()[:800]
