"""An organizer opens a theme park every weekday of two weeks with three timeslots from the
control panel's daily schedule: the preview says how many dates, confirming makes them, and
the event page lists them per day with sold / capacity; axe (WCAG 2 A/AA) on the schedule
form, its preview and the event page, on a desktop and a 375 px phone."""

import re

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.accounts.services import user_create
from apps.events import services as events
from apps.events.models import EventDate
from apps.operators.services import operator_link
from apps.organizers.services import organizer_create
from apps.tenancy import services
from tests.e2e.accessibility import assert_accessible
from tests.factories import clients_open

pytestmark = pytest.mark.e2e
PASSWORD = "a long pass phrase"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def park(fresh_organization):
    organization = fresh_organization(name="Sched parks", slug="sched")
    with schema_context(organization.schema_name):
        organizer = organizer_create(name="Sched park", slug="sched-park", currency="EUR", country="FR")
        clients_open(organizer, organization=organization)  # on a plan with event replication
        manager = user_create(
            email="manager@sched.example", password=PASSWORD, full_name="Sam Manager", email_verified=True
        )
        manager.replication_approved_at = timezone.now()
        manager.save(update_fields=["replication_approved_at"])
        operator_link(operator=manager, organizers=[organizer])
        location = events.location_create(
            organizer=organizer, name="Park", address="1 allée", city="Lyon", country="FR", capacity=None
        )
        event = events.event_create(organizer=organizer, location=location, name="Theme park")
    services.domain_add(organization=organization, domain="sched-park.localhost", organizer_slug="sched-park")
    return organization, event


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_organizer_makes_a_daily_schedule_and_sees_its_dates_per_day(
    page, live_server, park, artifacts, viewport
):
    organization, event = park
    name = "phone" if viewport is PHONE else "desktop"
    page.set_viewport_size(viewport)
    port = live_server.url.rsplit(":", 1)[1]
    page.goto(f"http://sched-park.localhost:{port}/control/events/{event.pk}/")
    page.get_by_label(re.compile("Email", re.I)).fill("manager@sched.example")
    page.get_by_label(re.compile("Password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()

    page.get_by_role("button", name="Daily schedule of timeslots").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Daily schedule of Theme park")
    page.get_by_label("From").fill("2030-06-03")  # a Monday
    page.locator("#id_until").fill("2030-06-16")
    for weekday in ("Saturday", "Sunday"):
        page.get_by_role("checkbox", name=weekday).uncheck()
    page.get_by_label("Start times").fill("10:00, 12:00, 15:00")
    page.get_by_label("Duration of a timeslot (minutes)").fill("90")
    page.get_by_label("Capacity of each timeslot").fill("40")
    assert_accessible(page, context=f"daily schedule form, {name}")
    page.get_by_role("button", name="Preview the dates").click()

    expect(page.get_by_role("heading", name="This creates 30 dates.")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="timeslots a day")).to_have_text(
        "3 timeslots a day on 10 days."
    )
    page.screenshot(path=str(artifacts / f"daily-schedule-{name}.png"), full_page=True)
    assert_accessible(page, context=f"daily schedule preview, {name}")
    page.get_by_role("button", name="Create 30 dates").click()

    expect(page.get_by_role("status").first).to_contain_text("30 dates created.")
    with schema_context(organization.schema_name):
        assert EventDate.objects.filter(event=event, capacity=40).count() == 30
    days = page.locator("#dates h3.date-day")
    expect(days).to_have_count(10)
    first_day = page.get_by_role("table", name=re.compile("^Dates of "))
    expect(first_day.first.get_by_role("row")).to_have_count(4)  # a header and three timeslots
    expect(first_day.first).to_contain_text("0 / 40")
    page.screenshot(path=str(artifacts / f"event-dates-per-day-{name}.png"), full_page=True)
    assert_accessible(page, context=f"event page with dates per day, {name}")
