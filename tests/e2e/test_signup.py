"""A new organizer signs up from the pricing page and lands in its own control panel."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from playwright.sync_api import expect

from apps.plans.services import plan_create, plan_price_create
from apps.platform.models import ClientSignup
from apps.platform.services import signup as services

pytestmark = pytest.mark.e2e
PASSWORD = "a long pass phrase"


@pytest.fixture
def plans(fresh_organization):
    fresh_organization(name="Kappa", slug="kappa")  # the public rows of a live platform
    euros = {"currency": "EUR", "monthly_fee": Decimal("29.00"), "fixed_fee": Decimal("0.49")}
    plan_create(name="Starter", slug="starter", sort_order=1, price=euros)
    pro = plan_create(name="Pro", slug="pro", sort_order=2, price={**euros, "monthly_fee": Decimal("99.00")})
    plan_price_create(plan=pro, currency="GBP", monthly_fee=Decimal("85.00"))
    yield
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute('DROP SCHEMA IF EXISTS "rho_rides" CASCADE')


def _url(live_server, host: str, path: str) -> str:
    return f"http://{host}:{live_server.url.rsplit(':', 1)[1]}{path}"


def test_a_new_organizer_signs_up_from_the_pricing_page_to_its_control_panel(
    page, live_server, plans, artifacts
):
    page.goto(_url(live_server, "localhost", "/pricing/"))
    page.get_by_label("Your country", exact=True).select_option("GB")
    page.get_by_role("button", name="Show the prices").click()
    pro = page.locator("article.plan", has=page.get_by_role("heading", name="Pro"))
    expect(pro).to_contain_text("85.00 GBP")
    pro.get_by_role("button", name="Sign up").click()

    expect(page).to_have_url(re.compile(r"/register/\?plan=pro&country=GB$"))
    expect(page.get_by_role("radio", name=re.compile("^Pro"))).to_be_checked()
    expect(page.locator("#signup-plans")).to_contain_text("85.00 GBP")
    page.get_by_label("Organization name").fill("Rho holding")
    page.get_by_label("Organizer name").fill("Rho rides")
    page.get_by_label("Site address").fill("rho-rides")
    page.get_by_label("Legal name").fill("Rho Rides Ltd")
    expect(page.get_by_label("Country")).to_have_value("GB")
    page.get_by_label("Country").select_option("NL")  # re-priced in place by the page's script
    expect(page.locator("#signup-plans")).to_contain_text("99.00 EUR")
    expect(page.get_by_label("Currency")).to_have_value("EUR")
    expect(page.get_by_role("radio", name=re.compile("^Pro"))).to_be_checked()
    page.get_by_label("Country").select_option("GB")
    expect(page.locator("#signup-plans")).to_contain_text("85.00 GBP")
    expect(page.get_by_label("Currency")).to_have_value("GBP")
    page.get_by_label("Your name").fill("Rita Rho")
    page.get_by_label("Your e-mail address").fill("rita@rho.example")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_label("I accept the terms of service").check()
    page.screenshot(path=str(artifacts / "signup-form.png"), full_page=True)
    page.get_by_role("button", name="Create my site").click()

    expect(page).to_have_url(re.compile(r"/register/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("status")).to_contain_text("Your site is ready")
    page.screenshot(path=str(artifacts / "signup-progress.png"), full_page=True)
    page.get_by_role("button", name="Go to your control panel").click()

    expect(page).to_have_url(_url(live_server, "rho-rides.localhost", "/control/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sales of Rho rides")
    page.screenshot(path=str(artifacts / "signup-control-panel.png"), full_page=True)
    signup = ClientSignup.objects.get()
    assert (signup.plan.slug, signup.country, signup.currency) == ("pro", "GB", "GBP")
    assert signup.landed_at is not None
    assert any(message.to == ["rita@rho.example"] for message in mail.outbox)


@pytest.fixture
def queued_tasks():
    """Tasks go to the broker instead of running at once (no worker takes them here); the
    queue is emptied afterwards."""
    from config.celery import app

    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True
    app.control.purge()


def test_the_progress_page_follows_the_provisioning_by_itself(
    page, live_server, plans, queued_tasks, artifacts
):
    page.goto(_url(live_server, "localhost", "/register/?plan=starter&country=NL"))
    page.get_by_label("Organization name").fill("Rho holding")
    page.get_by_label("Organizer name").fill("Rho rides")
    page.get_by_label("Site address").fill("rho-rides")
    page.get_by_label("Legal name").fill("Rho Rides B.V.")
    page.get_by_label("Your name").fill("Rita Rho")
    page.get_by_label("Your e-mail address").fill("rita@rho.example")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_label("I accept the terms of service").check()
    page.get_by_role("button", name="Create my site").click()

    expect(page.get_by_role("status")).to_contain_text("Waiting to start")
    expect(page.locator("meta[http-equiv=refresh]")).to_have_count(0)  # the script polls instead
    page.screenshot(path=str(artifacts / "signup-waiting.png"), full_page=True)
    signup = ClientSignup.objects.get()
    assert signup.status == ClientSignup.Status.PENDING

    services.client_signup_provision(signup_id=signup.pk)

    expect(page.get_by_role("button", name="Go to your control panel")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Rho rides is online")
