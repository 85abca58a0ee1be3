import datetime as dt
from types import SimpleNamespace

import pytest

from apps.events import services
from apps.operators.services import operator_link
from apps.organizers.services import organizer_create
from tests.factories import UserFactory, clients_open


def _at(year, month, day, hour, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def park(in_alpha):
    """Organizer A ("alpha-park", configured by `config`, sold at its box office by `seller`) with an
    arena and a draft concert on one date; organizer B configured by `other`."""
    a = organizer_create(name="Park A", slug="alpha-park", currency="EUR", country="NL")
    b = organizer_create(name="Park B", currency="EUR", country="BE")
    clients_open(a, b)  # on a plan with every feature
    config = UserFactory(email="config@example.com", is_operator=True)
    operator_link(operator=config, organizers=[a])
    seller = UserFactory(email="seller@example.com", is_operator=True)
    operator_link(operator=seller, distributions=[a.distributions.get(kind="box_office")])
    other = UserFactory(email="other@example.com", is_operator=True)
    operator_link(operator=other, organizers=[b])
    arena = services.location_create(
        organizer=a, name="Arena", address="Parkweg 1", city="Utrecht", country="NL", capacity=500
    )
    concert = services.event_create(organizer=a, location=arena, name="Concert")
    day1 = services.event_date_create(event=concert, start=_at(2030, 6, 1, 18), end=_at(2030, 6, 1, 21))
    return SimpleNamespace(
        a=a, b=b, config=config, seller=seller, other=other, arena=arena, concert=concert, day1=day1
    )
