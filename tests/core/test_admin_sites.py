"""Each host's Django admin shows the models whose tables live in that host's schema."""

from django_tenants.utils import schema_context

from tests.factories import UserFactory, totp_for
from tests.tenants import ALPHA


def _superuser_client(client, schema_name, host):
    with schema_context(schema_name):  # the session and last_login live in that schema
        user = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
        totp_for(user)
        client.force_login(user)
    return client


def test_the_platform_admin_lists_public_models_only(client, organizations):
    client = _superuser_client(client, "public", "localhost")

    index = client.get("/admin/", HTTP_HOST="localhost").content.decode()

    assert "/admin/tenancy/organization/" in index
    assert "/admin/platform/platformsettings/" in index
    assert "/admin/organizers/" not in index
    assert client.get("/admin/tenancy/organization/", HTTP_HOST="localhost").status_code == 200
    assert client.get("/admin/organizers/organizer/", HTTP_HOST="localhost").status_code == 404


def test_an_organization_admin_lists_its_own_models_only(client, alpha):
    client = _superuser_client(client, ALPHA.schema_name, ALPHA.host)

    index = client.get("/admin/", HTTP_HOST=ALPHA.host).content.decode()

    assert "/admin/organizers/organizer/" in index
    assert "/admin/operators/invitation/" in index
    assert "/admin/tenancy/" not in index
    assert client.get("/admin/organizers/organizer/", HTTP_HOST=ALPHA.host).status_code == 200
    assert client.get("/admin/tenancy/organization/", HTTP_HOST=ALPHA.host).status_code == 404
    assert client.get("/admin/platform/platformsettings/", HTTP_HOST=ALPHA.host).status_code == 404
