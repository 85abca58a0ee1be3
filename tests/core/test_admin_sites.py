"""The Django admin is the platform host's alone (public-schema models, staff with TOTP,
logged in through allauth); organization hosts have none, for anybody."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tests.factories import OperatorFactory, UserFactory, totp_for
from tests.tenants import ALPHA

ADMIN_PATHS = [
    "/admin/",
    "/admin/login/",
    "/admin/organizers/organizer/",
    "/admin/accounts/user/",
    "/admin/core/auditlogentry/",
]


def _superuser_client(client, schema_name):
    with schema_context(schema_name):  # the session and last_login live in that schema
        user = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
        totp_for(user)
        client.force_login(user)
    return client


def test_the_platform_admin_lists_public_models_only(client, organizations):
    client = _superuser_client(client, "public")

    index = client.get("/admin/", HTTP_HOST="localhost").content.decode()

    assert "/admin/tenancy/organization/" in index
    assert "/admin/platform/platformsettings/" in index
    assert "/admin/organizers/" not in index
    assert client.get("/admin/tenancy/organization/", HTTP_HOST="localhost").status_code == 200
    assert client.get("/admin/organizers/organizer/", HTTP_HOST="localhost").status_code == 404


@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_an_organization_host_has_no_django_admin(alpha, path):
    anonymous = Client()
    superuser = _superuser_client(Client(), ALPHA.schema_name)
    with schema_context(ALPHA.schema_name):
        admin = Client()
        admin.force_login(OperatorFactory(email="boss@alpha.example", is_admin=True))

    for client in (anonymous, superuser, admin):
        assert client.get(path, HTTP_HOST=ALPHA.host).status_code == 404
    login = anonymous.post(
        "/admin/login/",
        {"username": "root@example.com", "password": "correct horse battery"},
        HTTP_HOST=ALPHA.host,
    )
    assert login.status_code == 404
