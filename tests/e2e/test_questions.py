"""Questions end to end: the organizer adds two questions in the control panel (one per
ticket, required, in English and French; one choice per order); a buyer answers them at
checkout (after a refusal that keeps what was typed), reads them on the order page and
corrects one; a French browser reads the French labels. Every new page passes axe, on a
desktop and at 375 px."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.accounts.services import user_create
from apps.events import services as events
from apps.operators.services import operator_link
from apps.organizers.services import organizer_create
from apps.sales.models import Order
from apps.tenancy import services
from tests.e2e.accessibility import assert_accessible

pytestmark = pytest.mark.e2e
HOST = "quiz-park.localhost"
PASSWORD = "a long pass phrase"
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def quiz_park(fresh_organization):
    """Quiz park with one free event in its shop, and its manager, who configures it."""
    organization = fresh_organization(name="Quiz parks", slug="quiz")
    with schema_context(organization.schema_name):
        park = organizer_create(name="Quiz park", slug="quiz-park", currency="EUR", country="FR")
        manager = user_create(
            email="manager@quiz.example", password=PASSWORD, full_name="Q Manager", email_verified=True
        )
        operator_link(operator=manager, organizers=[park])
        shop = park.distributions.get(kind="online_shop")
        location = events.location_create(
            organizer=park, name="Quiz hall", address="1 rue", city="Lyon", country="FR"
        )
        event = events.event_create(
            organizer=park, location=location, name="Quiz night", distributions=[shop]
        )
        start = timezone.now() + timezone.timedelta(days=20)
        day = events.event_date_create(
            event=event, start=start, end=start + timezone.timedelta(hours=3), capacity=50
        )
        events.ticket_type_create(event=event, event_date=day, name="Seat", price=Decimal("0"))
        events.event_publish(event=event)
    services.domain_add(organization=organization, domain=HOST, organizer_slug="quiz-park")
    organization.manager = manager
    return organization


def _url(live_server, path: str) -> str:
    return f"http://{HOST}:{live_server.url.rsplit(':', 1)[1]}{path}"


def _manager_context(browser, park, **options):
    client = Client(HTTP_HOST=HOST)
    with schema_context(park.schema_name):
        client.force_login(park.manager)
    context = browser.new_context(**options)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "domain": HOST, "path": "/"}]
    )
    return context


def _reserve(page, live_server, button="Reserve these tickets"):
    page.goto(_url(live_server, "/"))
    page.get_by_role("link", name="Quiz night").first.click()
    page.locator("input[name^=qty-]").first.fill("1")
    page.get_by_role("button", name=button).click()
    expect(page).to_have_url(re.compile(r"/cart/$"))


def test_the_organizer_asks_the_buyer_answers_corrects_and_reads_in_french(
    browser, live_server, quiz_park, artifacts
):
    organizer = _manager_context(browser, quiz_park).new_page()
    organizer.goto(_url(live_server, "/control/questions/"))
    expect(organizer.get_by_role("heading", level=1)).to_have_text("Questions")
    assert_accessible(organizer, context="the questions page, empty")
    organizer.get_by_role("button", name="Add a question").click()

    organizer.get_by_label("Question (English)").fill("Attendee's full name")
    organizer.get_by_label("Question (French)").fill("Nom complet du participant")
    organizer.get_by_label("Kind of answer").select_option(label="Attendee's name")
    organizer.get_by_label("An answer is required").check()
    assert_accessible(organizer, context="the question form")
    organizer.get_by_role("button", name="Add the question").click()
    expect(organizer.get_by_text("Question “Attendee's full name” saved.")).to_be_visible()

    organizer.get_by_role("button", name="Add a question").click()
    organizer.get_by_label("Question (English)").fill("Dinner")
    organizer.get_by_label("Question (French)").fill("Dîner")
    organizer.get_by_label("Kind of answer").select_option(label="One choice from a list")
    organizer.get_by_label("Once per order").check()
    organizer.get_by_role("button", name="Add the question").click()
    expect(organizer.get_by_role("alert")).to_contain_text("A choice question needs at least two options.")
    assert_accessible(organizer, context="the question form with an error")
    organizer.get_by_label("Options").fill("Meat | Viande\nVegetarian | Végétarien")
    organizer.get_by_role("button", name="Add the question").click()
    expect(organizer.get_by_role("cell", name="Once per order")).to_be_visible()
    organizer.screenshot(path=str(artifacts / "questions-list.png"), full_page=True)
    assert_accessible(organizer, context="the questions page")

    buyer = browser.new_context(viewport=PHONE, locale="en-GB").new_page()
    _reserve(buyer, live_server)
    buyer.get_by_label("E-mail address").fill("ada@example.com")
    buyer.get_by_label("Vegetarian").check()
    buyer.get_by_role("button", name="Get my tickets").click()
    expect(buyer.get_by_text("This field is required.")).to_be_visible()
    expect(buyer.get_by_label("Vegetarian")).to_be_checked()  # kept
    buyer.screenshot(path=str(artifacts / "questions-checkout-375.png"), full_page=True)
    assert_accessible(buyer, context="checkout with questions, refused, 375 px")
    buyer.get_by_label("Attendee's full name").fill("Ada Lovelace")
    buyer.get_by_role("button", name="Get my tickets").click()

    expect(buyer.get_by_role("heading", name="Your answers")).to_be_visible()
    expect(buyer.get_by_text("Ada Lovelace")).to_be_visible()
    expect(buyer.get_by_text("Vegetarian")).to_be_visible()
    assert_accessible(buyer, context="the order page with answers, 375 px")
    buyer.get_by_role("link", name="Correct your answers").click()
    assert_accessible(buyer, context="correcting answers, 375 px")
    buyer.get_by_label("Attendee's full name").fill("Ada King")
    buyer.get_by_label("Meat").check()
    buyer.get_by_role("button", name="Save my answers").click()
    expect(buyer.get_by_text("Your answers are saved.")).to_be_visible()
    expect(buyer.get_by_text("Ada King")).to_be_visible()
    expect(buyer.get_by_text("Meat")).to_be_visible()
    with schema_context(quiz_park.schema_name):
        order = Order.objects.get()
        assert order.tickets.get().attendee_name == "Ada King"
    desktop = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    desktop.goto(_url(live_server, f"/orders/{order.code}/{order.secret}/answers/"))
    assert_accessible(desktop, context="correcting answers, desktop")

    french = browser.new_context(locale="fr-FR").new_page()
    _reserve(french, live_server, button="Réserver ces billets")
    expect(french.get_by_label("Nom complet du participant")).to_be_visible()
    expect(french.get_by_label("Végétarien")).to_be_visible()
    expect(french.get_by_text("À propos de votre commande")).to_be_visible()
    french.screenshot(path=str(artifacts / "questions-checkout-fr.png"), full_page=True)
    assert_accessible(french, context="checkout with questions in French")
