"""The organizer sets an event's limit per buyer on the event's editor (the sales app
enforces it: tests/sales/test_buyer_limits.py)."""

from django_tenants.utils import schema_context

from apps.events.models import Event
from tests.tenants import ALPHA

HOST = ALPHA.host


def _edit(client, park, limit):
    client.force_login(park.config)
    return client.post(
        f"/control/events/{park.concert.pk}/",
        {"name": "Concert", "category": "concert", "location": park.arena.pk, "max_tickets_per_buyer": limit},
        HTTP_HOST=HOST,
    )


def test_the_editor_offers_the_limit_with_its_help(client, park):
    client.force_login(park.config)

    page = client.get(f"/control/events/{park.concert.pk}/", HTTP_HOST=HOST).content.decode()

    assert 'name="max_tickets_per_buyer"' in page
    assert "across all their orders" in page


def test_the_limit_is_saved_and_cleared(client, park):
    saved = _edit(client, park, "4")
    with schema_context(ALPHA.schema_name):
        assert Event.objects.get(pk=park.concert.pk).max_tickets_per_buyer == 4
    cleared = _edit(client, park, "")

    assert (saved.status_code, cleared.status_code) == (302, 302)
    with schema_context(ALPHA.schema_name):
        assert Event.objects.get(pk=park.concert.pk).max_tickets_per_buyer is None


def test_a_limit_of_zero_is_a_form_error(client, park):
    response = _edit(client, park, "0")

    assert response.status_code == 400
    assert response.context["event_form"].errors["max_tickets_per_buyer"]


def test_a_seller_reads_the_limit(client, park):
    with schema_context(ALPHA.schema_name):
        Event.objects.filter(pk=park.concert.pk).update(max_tickets_per_buyer=3)
    client.force_login(park.seller)

    page = client.get(f"/control/events/{park.concert.pk}/", HTTP_HOST=HOST).content.decode()

    assert "Tickets per buyer" in page
    assert "At most 3" in page
