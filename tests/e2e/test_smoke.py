import re

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.accounts.services import user_create
from apps.organizers.services import organizer_create
from apps.tenancy import services

pytestmark = pytest.mark.e2e


@pytest.fixture
def omega(fresh_organization):
    organization = fresh_organization(name="Omega parks", slug="omega")
    with schema_context(organization.schema_name):
        organizer = organizer_create(name="Omega park", slug="omega-park", currency="EUR", country="NL")
        organizer.primary_color = "#8a1c7c"
        organizer.save()
        user_create(
            email="operator@omega.example",
            password="a long pass phrase",
            is_operator=True,
            is_admin=True,
            email_verified=True,
        )
    services.domain_add(organization=organization, domain="omega-park.localhost", organizer_slug="omega-park")
    return organization


def _url(live_server, host: str, path: str = "/") -> str:
    port = live_server.url.rsplit(":", 1)[1]
    return f"http://{host}:{port}{path}"


def test_platform_home_and_a_tenant_storefront_render_in_chromium(page, live_server, omega, artifacts):
    page.goto(_url(live_server, "localhost"))
    expect(page).to_have_title(re.compile("Tessera"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tessera")
    page.screenshot(path=str(artifacts / "platform-home.png"), full_page=True)

    page.goto(_url(live_server, "omega-park.localhost"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Omega park")
    brand = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--brand-primary').trim()"
    )
    assert brand == "#8a1c7c"
    page.screenshot(path=str(artifacts / "storefront-omega-park.png"), full_page=True)


def test_unknown_host_shows_the_branded_not_found_page(page, live_server, omega, artifacts):
    response = page.goto(_url(live_server, "nobody.localhost"))

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("There is no site at this address")
    page.screenshot(path=str(artifacts / "unknown-host.png"), full_page=True)


def test_an_operator_logs_in_and_reaches_the_control_panel(page, live_server, omega, artifacts):
    page.goto(_url(live_server, "omega-park.localhost", "/control/"))
    page.get_by_label(re.compile("Email", re.I)).fill("operator@omega.example")
    page.get_by_label(re.compile("Password", re.I)).fill("a long pass phrase")
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()

    expect(page).to_have_url(_url(live_server, "omega-park.localhost", "/control/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sales of Omega park")
    page.screenshot(path=str(artifacts / "control-panel.png"), full_page=True)
