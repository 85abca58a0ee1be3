from django.db import connection
from django_tenants.utils import schema_context

from apps.organizers.services import organizer_create
from apps.tenancy import services
from apps.tenancy.models import Organization
from tests.tenants import ALPHA, BETA


def test_platform_host_is_served_from_the_public_schema(client, organizations):
    response = client.get("/", HTTP_HOST="localhost")

    assert response.status_code == 200
    assert response.wsgi_request.tenant.schema_name == "public"
    assert response.context["site_area"] == "platform"


def test_subdomain_is_served_from_its_organization_schema(client, organizations):
    response = client.get("/", HTTP_HOST=ALPHA.host)

    assert response.status_code == 200
    assert response.wsgi_request.tenant.schema_name == ALPHA.schema_name
    assert response.context["site_area"] == "storefront"


def test_port_in_host_is_ignored_for_routing(client, organizations):
    response = client.get("/", HTTP_HOST=f"{BETA.host}:8000")

    assert response.wsgi_request.tenant.schema_name == BETA.schema_name


def test_host_names_are_matched_case_insensitively_and_without_the_root_dot(client, organizations):
    assert client.get("/", HTTP_HOST="ALPHA.Localhost").wsgi_request.tenant.schema_name == ALPHA.schema_name
    assert client.get("/", HTTP_HOST="alpha.localhost.").wsgi_request.tenant.schema_name == ALPHA.schema_name
    assert client.get("/", HTTP_HOST="LocalHost").wsgi_request.tenant.schema_name == "public"


def test_www_prefix_routes_like_the_bare_host(client, organizations):
    assert client.get("/", HTTP_HOST=f"www.{ALPHA.host}").wsgi_request.tenant.schema_name == ALPHA.schema_name


def test_api_schema_is_served_on_both_kinds_of_host(client, organizations):
    assert client.get("/api/schema/", HTTP_HOST="localhost").status_code == 200
    assert client.get("/api/schema/", HTTP_HOST=ALPHA.host).status_code == 200


def test_custom_domain_is_served_from_its_organization_schema(client, alpha):
    services.domain_add(organization=alpha, domain="Tickets.Alpha-Parks.example")

    response = client.get("/", HTTP_HOST="tickets.alpha-parks.example")

    assert response.status_code == 200
    assert response.wsgi_request.tenant.schema_name == ALPHA.schema_name


def test_organizer_domain_serves_that_organizers_storefront_with_its_brand(client, alpha):
    with schema_context(alpha.schema_name):
        organizer = organizer_create(
            name="Alpha park", slug=ALPHA.organizer_slug, currency="EUR", country="NL"
        )
        organizer.primary_color = "#123456"
        organizer.save()

    response = client.get("/", HTTP_HOST=ALPHA.organizer_host)

    assert response.context["organizer"].slug == ALPHA.organizer_slug
    assert "/brand.css?primary=123456&amp;" in response.content.decode()
    assert "<strong>Alpha park</strong>" in response.content.decode()


def test_unknown_host_gets_a_branded_404_not_the_platform_site(client, organizations):
    response = client.get("/", HTTP_HOST="nobody.localhost")

    assert response.status_code == 404
    assert "tenancy/unknown_host.html" in [template.name for template in response.templates]
    assert "nobody.localhost" in response.content.decode()
    assert connection.schema_name == "public"


def test_unknown_host_under_any_path_is_404(client, organizations):
    for path in ["/control/", "/admin/", "/accounts/login/", "/platform/"]:
        assert client.get(path, HTTP_HOST="evil.example.org").status_code == 404


def test_domain_of_an_organization_not_yet_live_is_not_served(client, organizations):
    pending = services.organization_request(name="Gamma", slug="gamma")
    assert pending.status == Organization.Status.PENDING

    response = client.get("/", HTTP_HOST="gamma.localhost")

    assert response.status_code == 404


def test_platform_admin_is_only_on_the_platform_host(client, organizations):
    assert client.get("/platform/", HTTP_HOST="localhost").status_code == 302  # to login
    assert client.get("/platform/", HTTP_HOST=ALPHA.host).status_code == 404


def test_control_panel_is_only_on_organization_hosts(client, organizations):
    assert client.get("/control/", HTTP_HOST=ALPHA.host).status_code == 302  # to login
    assert client.get("/control/", HTTP_HOST="localhost").status_code == 404


def test_django_admin_is_served_on_the_platform_host_only(client, organizations):
    # the platform's admin logs in through allauth's login page (it asks for the TOTP code)
    platform_login = client.get("/admin/login/", HTTP_HOST="localhost")
    assert platform_login.status_code == 302
    assert platform_login["Location"].startswith("/accounts/login/?next=")
    assert client.get("/admin/login/", HTTP_HOST=ALPHA.host).status_code == 404


def test_healthz_answers_on_any_host(client, organizations):
    for host in ["localhost", ALPHA.host, "10.0.0.7"]:
        response = client.get("/healthz", HTTP_HOST=host)
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}
