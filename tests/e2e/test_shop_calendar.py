"""A buyer of a theme park open every day with timeslots picks a day in the shop's calendar,
then a timeslot, reserves 2 tickets and sees them in the cart; the calendar, the day and the
timeslot pass axe (WCAG 2 A/AA) on a desktop and on a 375 px phone, the calendar fits the
phone, and a 14-date event's page is no longer a page-long list of quantity boxes."""

import datetime as dt
import re

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.sales.models import DateStock
from apps.tenancy.models import Domain
from tests.e2e.accessibility import assert_accessible
from tests.sales.calendar_data import park_build
from tests.sales.helpers import payments_connect

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def park(fresh_organization):
    organization = fresh_organization(name="Calendar park", slug="calpark")
    with schema_context(organization.schema_name):
        park = park_build(slug="calpark", days=14, times=("10:00", "11:00", "14:00", "16:00"))
        payments_connect(park.organizer)
        DateStock.objects.create(event_date=park.on(2)[0], sold=50)  # the third day's 10:00: sold out
        for event_date in park.on(4):
            DateStock.objects.create(event_date=event_date, sold=50)  # the fifth day: sold out
    Domain.objects.filter(domain="calpark.localhost").update(organizer_slug="calpark")
    return organization, park


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_buyer_picks_a_day_and_a_timeslot_and_reserves_two_tickets(
    page, live_server, park, artifacts, viewport
):
    organization, park = park
    name = "phone" if viewport is PHONE else "desktop"
    page.set_viewport_size(viewport)
    port = live_server.url.rsplit(":", 1)[1]
    page.goto(f"http://calpark.localhost:{port}/events/{park.event.pk}/")

    calendar = page.get_by_role("table", name=re.compile(park.first_day.strftime("%B %Y")))
    expect(calendar).to_be_visible()
    expect(calendar.get_by_role("columnheader").first.locator("abbr")).to_have_attribute("title", "Monday")
    fifth = park.first_day + dt.timedelta(days=4)
    expect(calendar.get_by_role("link", name=f"{fifth.day} Sold out", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]  # no sideways scroll
    # the page of 14 dates × 4 timeslots is now a calendar, not a page-long list of boxes
    assert page.evaluate("document.documentElement.scrollHeight") < 2000
    page.screenshot(path=str(artifacts / f"shop-calendar-{name}.png"), full_page=True)
    assert_accessible(page, context=f"shop calendar, {name}")

    third = park.first_day + dt.timedelta(days=2)
    calendar.get_by_role("link", name=re.compile(rf"^{third.day} ")).click()
    times = page.get_by_role("region", name=re.compile("^Times on "))
    expect(times).to_be_visible()
    expect(times.get_by_role("link")).to_have_count(3)  # 10:00 is sold out: not a link
    expect(times.get_by_text("10:00 (Europe/Paris)")).to_be_visible()
    page.screenshot(path=str(artifacts / f"shop-calendar-day-{name}.png"), full_page=True)
    assert_accessible(page, context=f"shop calendar's day, {name}")

    times.get_by_role("link", name="11:00 (Europe/Paris) 50 tickets left").click()
    expect(page.get_by_role("heading", level=2).first).to_contain_text("11:00 (Europe/Paris)")
    assert_accessible(page, context=f"shop calendar's timeslot, {name}")
    page.get_by_label("Number of “Entry” tickets").fill("2")
    page.get_by_role("button", name="Reserve these tickets").click()

    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(page.get_by_text("Reserved for you until")).to_be_visible()
    with schema_context(organization.schema_name):
        slot = park.on(2)[1]
        assert DateStock.objects.get(event_date=slot).held == 2
    expect(page.get_by_text("11:00").first).to_be_visible()
