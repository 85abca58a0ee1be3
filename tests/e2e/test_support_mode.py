"""A platform admin logs in with password + TOTP, finds a client and opens its site in support mode."""

import re
import time

import pytest
from allauth.mfa.app_settings import TOTP_PERIOD
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.billing.services.accounts import billing_account_open
from apps.organizers.services import organizer_create
from apps.tenancy import services
from tests.factories import UserFactory, totp_code, totp_for
from tests.plans.factories import plan_build

pytestmark = pytest.mark.e2e
PASSWORD = "a long pass phrase"


@pytest.fixture
def kappa(fresh_organization):
    """A live client: Kappa park of Kappa parks, on the Starter plan, with its own host."""
    organization = fresh_organization(name="Kappa parks", slug="kappa")
    with schema_context(organization.schema_name):
        park = organizer_create(name="Kappa park", slug="kappa-park", currency="EUR", country="NL")
    services.domain_add(organization=organization, domain="kappa-park.localhost", organizer_slug="kappa-park")
    billing_account_open(
        organization=organization,
        organizer_id=park.pk,
        organizer_name=park.name,
        organizer_slug=park.slug,
        country="NL",
        plan=plan_build(slug="starter"),
    )
    return organization


@pytest.fixture
def platform_admin(transactional_db):
    with schema_context("public"):
        admin = UserFactory(
            email="staff@platform.test", full_name="Alice Martin", is_staff=True, password=PASSWORD
        )
        return totp_for(admin)


def _url(live_server, host: str, path: str) -> str:
    return f"http://{host}:{live_server.url.rsplit(':', 1)[1]}{path}"


def test_a_platform_admin_opens_a_clients_site_in_support_mode(
    page, live_server, settings, kappa, platform_admin, artifacts
):
    settings.PLATFORM_PORT = live_server.url.rsplit(":", 1)[1]  # support links name the host's port

    page.goto(_url(live_server, "localhost", "/platform/clients/"))
    page.get_by_label(re.compile("Email", re.I)).fill("staff@platform.test")
    page.get_by_label(re.compile("Password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    if time.time() % TOTP_PERIOD > TOTP_PERIOD - 3:  # a code about to expire could arrive stale
        time.sleep(3)
    page.locator("input[name=code]").fill(totp_code(platform_admin))
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()

    expect(page).to_have_url(_url(live_server, "localhost", "/platform/clients/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Clients")
    row = page.get_by_role("row").filter(has_text="Kappa park")
    expect(row).to_contain_text("Kappa parks")
    expect(row).to_contain_text("Starter")
    page.screenshot(path=str(artifacts / "platform-clients.png"), full_page=True)
    row.get_by_role("link", name="Kappa park").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Kappa park")
    expect(page.get_by_role("img", name="Monthly ticket sales of Kappa park")).to_be_visible()
    page.screenshot(path=str(artifacts / "platform-client.png"), full_page=True)
    page.get_by_role("button", name="Open support session").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Support session on Kappa parks")
    expect(page.get_by_label("Reason")).to_have_attribute("required", "")  # no session without one
    page.get_by_label("Reason").fill("Ticket 42: Kappa cannot publish its event")
    page.get_by_role("button", name="Open support session").click()

    expect(page).to_have_url(_url(live_server, "kappa.localhost", "/control/"))
    banner = page.locator(".support-banner")
    expect(banner.get_by_role("status")).to_contain_text(
        "Support session: you act as Alice Martin (platform support) on Kappa parks, until "
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Sales of Kappa park")
    page.screenshot(path=str(artifacts / "support-session.png"), full_page=True)
    banner.get_by_role("button", name="End support session").click()

    expect(page).to_have_url(_url(live_server, "localhost", "/platform/"))
    page.goto(_url(live_server, "kappa.localhost", "/control/"))
    expect(page).to_have_url(re.compile(r"/accounts/login/"))  # the identity is logged out

    # The client's admin sees who came, when, why and for how long.
    with schema_context(kappa.schema_name):
        UserFactory(email="boss@kappa.test", password=PASSWORD, is_operator=True, is_admin=True)
    page.get_by_label(re.compile("Email", re.I)).fill("boss@kappa.test")
    page.get_by_label(re.compile("Password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()
    page.get_by_role("navigation", name="Main").get_by_text(
        "Settings", exact=True
    ).click()  # the menu's group
    page.get_by_role("link", name="Support sessions").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Support sessions")
    session = page.locator("article.support-session")
    expect(session).to_contain_text("Alice Martin")
    expect(session).to_contain_text("staff@platform.test")
    expect(session).to_contain_text("Ticket 42: Kappa cannot publish its event")
    expect(session).to_contain_text("0 minutes")
    page.screenshot(path=str(artifacts / "support-sessions.png"), full_page=True)
