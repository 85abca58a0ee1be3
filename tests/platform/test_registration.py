import re

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.accounts.permissions import organizers_configurable_by
from apps.core.models import AuditLogEntry
from apps.organizers.models import Organizer
from apps.platform.models import PlatformSettings
from apps.tenancy.models import Domain, Organization
from tests.tenants import ALPHA

FORM = {
    "organizer_name": "Zeta zoo",
    "slug": "zeta-zoo",
    "legal_name": "Zeta Zoo B.V.",
    "country": "NL",
    "currency": "EUR",
    "full_name": "Zoe Zeta",
    "email": "zoe@zeta.example",
    "password1": "a long pass phrase",
    "password2": "a long pass phrase",
    "accept_terms": "on",
}


def _register(client, **changes):
    return client.post("/register/", {**FORM, **changes}, HTTP_HOST="localhost")


def _token_path(response) -> tuple[str, str]:
    match = re.match(r"http://([^/]+)(/control/login/[^/]+/)$", response["Location"])
    assert match, response["Location"]
    return match.group(1), match.group(2)


def test_self_service_registration_creates_organization_organizer_and_admin_operator(client, organizations):
    response = _register(client)

    assert response.status_code == 302
    host, path = _token_path(response)
    assert host == "zeta-zoo.localhost"
    organization = Organization.objects.get(slug="zeta-zoo")
    assert organization.is_ready
    assert Domain.objects.get(domain="zeta-zoo.localhost").organizer_slug == "zeta-zoo"
    with schema_context(organization.schema_name):
        organizer = Organizer.objects.get()
        assert organizer.legal_name == "Zeta Zoo B.V."
        assert sorted(organizer.distributions.values_list("kind", flat=True)) == ["box_office", "online_shop"]
        operator = User.objects.get(email="zoe@zeta.example")
        assert operator.is_operator
        assert operator.is_admin
        assert list(operator.configuration_permissions.values_list("organizer__slug", flat=True)) == [
            "zeta-zoo"
        ]
        assert AuditLogEntry.objects.filter(action="organizer.registered").exists()


def test_registration_lands_the_operator_logged_in_in_its_own_control_panel(client, organizations):
    host, path = _token_path(_register(client))

    landing = client.get(path, HTTP_HOST=host)
    dashboard = client.get("/control/", HTTP_HOST=host)

    assert landing.status_code == 302
    assert landing["Location"] == "/control/"
    assert dashboard.status_code == 200
    assert "Zeta zoo" in dashboard.content.decode()


def test_the_login_link_works_once(client, organizations):
    host, path = _token_path(_register(client))
    client.get(path, HTTP_HOST=host)
    client.post("/accounts/logout/", HTTP_HOST=host)

    again = client.get(path, HTTP_HOST=host)

    assert again.status_code == 400
    assert "expired or was already used" in again.content.decode()


def test_the_login_link_is_worthless_on_another_organizations_host(client, organizations):
    host, path = _token_path(_register(client))

    response = client.get(path, HTTP_HOST=ALPHA.host)

    assert response.status_code == 400
    assert not client.get("/control/", HTTP_HOST=ALPHA.host).wsgi_request.user.is_authenticated


def test_full_service_registration_joins_the_owners_organization(client, alpha):
    PlatformSettings.objects.update_or_create(
        pk=1, defaults={"mode": PlatformSettings.Mode.FULL_SERVICE, "owner_organization": alpha}
    )

    response = _register(client)

    host, _path = _token_path(response)
    assert host == "zeta-zoo.localhost"
    assert not Organization.objects.filter(slug="zeta-zoo").exists()
    assert Domain.objects.get(domain="zeta-zoo.localhost").tenant == alpha
    with schema_context(alpha.schema_name):
        operator = User.objects.get(email="zoe@zeta.example")
        assert not operator.is_admin  # the owner's organization is not theirs
        assert [o.slug for o in organizers_configurable_by(operator)] == ["zeta-zoo"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"slug": "www"}, "slug", "reserved"),
        ({"slug": "alpha"}, "slug", "already taken"),
        ({"slug": "Not a slug!"}, "slug", "valid"),
        ({"password2": "something else entirely"}, "password2", "differ"),
        ({"password1": "123", "password2": "123"}, "password1", "too short"),
        ({"currency": "XYZ"}, "currency", "valid choice"),
        ({"country": "ZZ"}, "country", "valid choice"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"accept_terms": ""}, "accept_terms", "required"),
    ],
)
def test_bad_registration_input_shows_field_errors_and_creates_nothing(
    client, organizations, changes, field, message
):
    response = _register(client, **changes)

    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors.lower()
    assert (
        not Organization.objects.filter(slug__in=["zeta-zoo", changes.get("slug", "")])
        .exclude(slug="alpha")
        .exists()
    )


def test_registration_form_is_served_on_the_platform_host_only(client, organizations):
    assert client.get("/register/", HTTP_HOST="localhost").status_code == 200
    assert client.get("/register/", HTTP_HOST=ALPHA.host).status_code == 404
