import re

import pytest
from django.core import mail
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.accounts.models import User
from apps.accounts.services import user_create
from apps.operators.services import operator_link
from apps.organizers.services import organizer_create
from apps.tenancy import services

pytestmark = pytest.mark.e2e
PASSWORD = "a long pass phrase"


@pytest.fixture
def sigma(fresh_organization):
    organization = fresh_organization(name="Sigma parks", slug="sigma")
    with schema_context(organization.schema_name):
        park = organizer_create(name="Sigma park", slug="sigma-park", currency="EUR", country="NL")
        manager = user_create(
            email="manager@sigma.example", password=PASSWORD, full_name="Mia Manager", email_verified=True
        )
        operator_link(operator=manager, organizers=[park])
    services.domain_add(organization=organization, domain="sigma-park.localhost", organizer_slug="sigma-park")
    return organization


def _url(live_server, path: str) -> str:
    return f"http://sigma-park.localhost:{live_server.url.rsplit(':', 1)[1]}{path}"


def test_an_operator_invites_a_team_member_who_accepts(page, browser, live_server, sigma, artifacts):
    page.goto(_url(live_server, "/control/invitations/"))
    page.get_by_label(re.compile("Email", re.I)).fill("manager@sigma.example")
    page.get_by_label(re.compile("Password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()

    page.get_by_label("E-mail address").fill("newbie@sigma.example")
    page.get_by_label("Sigma park", exact=True).check()
    page.get_by_label("Sigma park – Box office").check()
    page.get_by_role("button", name="Send invitation").click()

    expect(page.get_by_role("status")).to_contain_text("Invitation sent to newbie@sigma.example")
    expect(page.get_by_role("cell", name="newbie@sigma.example")).to_be_visible()
    page.screenshot(path=str(artifacts / "invitations.png"), full_page=True)
    link = re.search(r"http://\S+", mail.outbox[-1].body).group(0)

    newcomer = browser.new_context().new_page()
    newcomer.goto(link)
    newcomer.get_by_label("Your name").fill("Nora Newbie")
    newcomer.locator("#id_password1").fill(PASSWORD)
    newcomer.locator("#id_password2").fill(PASSWORD)
    newcomer.get_by_role("button", name="Create my account and accept").click()

    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Sales of Sigma park")
    newcomer.screenshot(path=str(artifacts / "invitation-accepted.png"), full_page=True)
    with schema_context(sigma.schema_name):
        newbie = User.objects.get(email="newbie@sigma.example")
        assert list(newbie.sale_permissions.values_list("distribution__name", flat=True)) == ["Box office"]
