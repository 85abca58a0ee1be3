import datetime as dt
import re

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.accounts.services import user_create
from apps.events.models import Event
from apps.operators.services import operator_link
from apps.organizers.models import Organizer
from apps.organizers.services import organizer_create
from apps.tenancy import services
from tests.factories import clients_open

pytestmark = pytest.mark.e2e
PASSWORD = "a long pass phrase"


@pytest.fixture
def kappa(fresh_organization):
    organization = fresh_organization(name="Kappa parks", slug="kappa")
    with schema_context(organization.schema_name):
        park = organizer_create(name="Kappa park", slug="kappa-park", currency="EUR", country="NL")
        clients_open(park, organization=organization)  # on a plan with event replication
        manager = user_create(
            email="manager@kappa.example", password=PASSWORD, full_name="Kim Manager", email_verified=True
        )
        operator_link(operator=manager, organizers=[park])
    services.domain_add(organization=organization, domain="kappa-park.localhost", organizer_slug="kappa-park")
    return organization


def _url(live_server, path: str) -> str:
    return f"http://kappa-park.localhost:{live_server.url.rsplit(':', 1)[1]}{path}"


def test_an_operator_builds_an_event_in_the_control_panel_and_finds_it_in_the_shop(
    page, live_server, kappa, artifacts
):
    year = dt.datetime.now(tz=dt.UTC).year + 1
    page.goto(_url(live_server, "/control/events/"))
    _log_in(page)

    # No location yet: the new-event page says so and leads to the location form, and back.
    expect(page.get_by_role("heading", level=1)).to_have_text("Events")
    page.get_by_role("button", name="New event").click()
    expect(page.get_by_role("status")).to_contain_text("you have no location yet")
    page.get_by_role("button", name="Add a location").click()
    page.get_by_role("textbox", name="Name", exact=True).fill("Open-air stage")
    page.get_by_role("textbox", name="Address", exact=True).fill("Parkweg 1")
    page.get_by_role("textbox", name="City", exact=True).fill("Utrecht")
    page.get_by_label("Country").select_option("NL")
    page.get_by_label("Capacity").fill("800")
    page.get_by_role("button", name="Add location").click()

    expect(page.get_by_role("status")).to_contain_text("Location “Open-air stage” added.")
    expect(page.get_by_role("heading", level=1)).to_have_text("New event")
    page.get_by_role("textbox", name="Name", exact=True).fill("Summer nights")
    page.get_by_label("Category").select_option("concert")
    page.get_by_role("button", name="Create event").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Summer nights")
    dates = page.locator("#dates")
    for day in (f"{year}-07-03", f"{year}-07-04"):
        dates.get_by_role("textbox", name="Start", exact=True).fill(f"{day}T20:00")
        dates.get_by_role("textbox", name="End", exact=True).fill(f"{day}T23:00")
        dates.get_by_role("button", name="Add date").click()
        expect(page.get_by_role("status")).to_contain_text("added")
    expect(page.locator("#dates tbody tr")).to_have_count(2)

    ticket_types = page.locator("#ticket-types")
    ticket_types.get_by_role("textbox", name="Name", exact=True).fill("Weekend pass")
    ticket_types.get_by_label("Price (EUR)").fill("59.50")
    ticket_types.get_by_label("Limit").fill("500")
    ticket_types.get_by_role("button", name="Add ticket type").click()
    expect(page.get_by_role("cell", name="Weekend pass", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="59.50 EUR", exact=True)).to_be_visible()

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("“Summer nights” is published.")
    expect(page.get_by_role("button", name="Back to draft")).to_be_visible()
    page.screenshot(path=str(artifacts / "event-editor.png"), full_page=True)

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_text("Events", exact=True).click()  # the menu's group
    nav.get_by_role("link", name="All events").click()
    page.get_by_role("link", name="Upcoming dates").click()
    expect(page.get_by_role("link", name="Summer nights")).to_have_count(2)
    page.screenshot(path=str(artifacts / "event-calendar.png"), full_page=True)

    page.goto(_url(live_server, "/"))
    event = page.get_by_role("article").filter(has=page.get_by_role("heading", name="Summer nights"))
    expect(event).to_contain_text("Open-air stage, Utrecht")
    expect(event).to_contain_text(f"3 July {year}, 20:00")
    expect(event).to_contain_text("2 dates to come")
    page.screenshot(path=str(artifacts / "storefront-events.png"), full_page=True)

    with schema_context(kappa.schema_name):
        event = Event.objects.get(name="Summer nights")
        assert event.status == Event.Status.PUBLISHED
        assert event.dates.count() == 2
        assert list(event.ticket_types.values_list("name", flat=True)) == ["Weekend pass"]


def _log_in(page):
    page.get_by_label(re.compile("Email", re.I)).fill("manager@kappa.example")
    page.get_by_label(re.compile("Password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()


def _event(kappa, name: str) -> Event:
    from apps.events import services as events

    with schema_context(kappa.schema_name):
        park = Organizer.objects.get(slug="kappa-park")
        stage = events.location_create(
            organizer=park, name="Stage", address="Parkweg 1", city="Utrecht", country="NL"
        )
        return events.event_create(organizer=park, location=stage, name=name)


def test_an_operator_previews_a_replication_and_sees_it_held_for_approval(
    page, live_server, kappa, artifacts
):
    event = _event(kappa, "Guided tour")
    year = dt.datetime.now(tz=dt.UTC).year + 1
    page.goto(_url(live_server, f"/control/events/{event.pk}/replicate/"))
    _log_in(page)

    expect(page.get_by_label("Start dates and times")).to_be_hidden()  # the copy part, while repeating
    page.get_by_label("Weekly").check()
    page.get_by_label("Saturday").check()
    page.get_by_label("Sunday").check()
    page.get_by_label("Times of day").fill("10:00, 14:00")
    page.get_by_label("Starts on").fill(f"{year}-05-01")
    page.get_by_label("Or a number of dates").fill("60")
    page.get_by_label("Duration (minutes)").fill("90")
    page.get_by_role("button", name="Preview the dates").click()

    expect(page.get_by_role("heading", name="This creates 60 dates.")).to_be_visible()
    expect(page.locator("#preview li")).to_have_count(40)
    page.screenshot(path=str(artifacts / "replication-preview.png"), full_page=True)
    page.get_by_role("button", name="Create 60 dates").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Guided tour")
    expect(page.locator("#replications")).to_contain_text("needs a one-time approval by the platform")
    expect(page.locator("#replications")).to_contain_text("Awaiting platform approval")
    page.screenshot(path=str(artifacts / "replication-held.png"), full_page=True)
    with schema_context(kappa.schema_name):
        assert event.dates.count() == 0


def test_the_event_editor_fits_a_phone_screen(page, live_server, kappa, artifacts):
    event = _event(kappa, "Phone check")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(_url(live_server, f"/control/events/{event.pk}/"))
    _log_in(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Phone check")
    page.screenshot(path=str(artifacts / "event-editor-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_replication_page_follows_the_workers_progress_by_polling(page, live_server, kappa, artifacts):
    from apps.accounts.models import User
    from apps.events.models import ReplicationRequest
    from apps.events.services import replication_execute

    event = _event(kappa, "Night walk")
    with schema_context(kappa.schema_name):
        manager = User.objects.get(email="manager@kappa.example")
        request = ReplicationRequest.objects.create(
            event=event,
            requested_by=manager,
            plan={
                "kind": "recurrence",
                "frequency": "daily",
                "times": ["21:00"],
                "duration_minutes": 60,
                "starts_on": "2031-01-01",
                "count": 300,
            },
            status=ReplicationRequest.Status.QUEUED,
            total_count=300,
        )
    page.goto(_url(live_server, f"/control/events/{event.pk}/replications/{request.pk}/"))
    _log_in(page)
    expect(page.locator("[data-status-label]")).to_have_text("Waiting to run")
    expect(page.locator("[data-status-progress]")).to_have_text("0 of 300 dates created")
    expect(page.locator("meta[http-equiv=refresh]")).to_have_count(0)  # the script polls instead

    with schema_context(kappa.schema_name):  # what the worker does
        replication_execute(request=request)

    expect(page.get_by_role("button", name="See the dates")).to_be_visible(timeout=10_000)
    expect(page.locator("[data-status-label]")).to_have_text("Done")
    page.screenshot(path=str(artifacts / "replication-done.png"), full_page=True)
