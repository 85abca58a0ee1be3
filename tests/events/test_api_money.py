"""Money in the events API: prices keep their currency's decimals."""

from decimal import Decimal

from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from apps.events.services import event_create, location_create, ticket_type_create
from apps.organizers.services import organizer_create
from tests.factories import UserFactory
from tests.tenants import ALPHA


def test_prices_are_shown_with_the_currency_exponent(alpha):
    with schema_context(alpha.schema_name):
        organizer = organizer_create(name="Tokyo park", currency="JPY", country="JP")
        location = location_create(
            organizer=organizer, name="Gate", address="1-1", city="Tokyo", country="JP"
        )
        event = event_create(organizer=organizer, location=location, name="Hanami")
        ticket_type = ticket_type_create(event=event, name="Entry", price=Decimal("1500"))
        admin = UserFactory(email="yen@example.com", is_operator=True, is_admin=True)
    client = APIClient(HTTP_HOST=ALPHA.host)
    client.force_authenticate(admin)

    data = client.get(f"/api/v1/ticket-types/{ticket_type.pk}/").json()

    assert data["price"] == "1500"
    assert data["currency"] == "JPY"
