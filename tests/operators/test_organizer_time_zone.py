"""An organizer's time zone: its country's main zone unless it picks another; a location may
override it; an event's dates live in the result (Event.time_zone)."""

import pytest
from django.apps import apps as django_apps
from django_tenants.utils import schema_context

from apps.events import services as events
from apps.operators.services import operator_link
from apps.organizers.models import Organizer
from apps.organizers.services import organizer_create, organizer_update
from tests.factories import ADMIN, UserFactory, world_build
from tests.tenants import ALPHA

HOST = ALPHA.host


@pytest.fixture
def theatres(in_alpha):
    london = organizer_create(name="London theatre", currency="GBP", country="GB")
    amsterdam = organizer_create(name="Amsterdam theatre", currency="EUR", country="NL")
    config = UserFactory(email="config@example.com", is_operator=True)
    operator_link(operator=config, organizers=[london, amsterdam])
    return {"london": london, "amsterdam": amsterdam, "config": config}


def test_a_new_organizer_takes_its_countrys_zone(theatres):
    assert theatres["london"].time_zone == "Europe/London"
    assert theatres["amsterdam"].time_zone == "Europe/Amsterdam"


def test_an_organizer_may_be_created_in_another_zone(in_alpha):
    organizer = organizer_create(name="Canary", currency="EUR", country="ES", time_zone="Atlantic/Canary")

    assert organizer.time_zone == "Atlantic/Canary"


def test_an_unknown_zone_is_refused(theatres):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        organizer_update(organizer=theatres["london"], time_zone="Europe/Atlantis")
    assert "time_zone" in error.value.message_dict


def test_the_organizer_form_edits_the_zone_and_an_empty_one_is_the_countrys(client, theatres):
    london = theatres["london"]
    data = {
        "name": london.name,
        "legal_name": london.legal_name,
        "country": "GB",
        "currency": "GBP",
        "primary_color": london.primary_color,
        "accent_color": london.accent_color,
    }
    client.force_login(theatres["config"])

    page = client.get(f"/control/organizers/{london.pk}/edit/", HTTP_HOST=HOST).content.decode()
    moved = client.post(
        f"/control/organizers/{london.pk}/edit/", {**data, "time_zone": "Europe/Dublin"}, HTTP_HOST=HOST
    )
    with schema_context(ALPHA.schema_name):
        after_move = Organizer.objects.get(pk=london.pk).time_zone
    wrong = client.post(
        f"/control/organizers/{london.pk}/edit/", {**data, "time_zone": "Mars/Base"}, HTTP_HOST=HOST
    )
    back = client.post(f"/control/organizers/{london.pk}/edit/", {**data, "time_zone": ""}, HTTP_HOST=HOST)

    assert 'name="time_zone"' in page
    detail = client.get(f"/control/organizers/{london.pk}/", HTTP_HOST=HOST).content.decode()
    assert "Europe/London" in detail
    assert '<option value="Europe/London" selected>' in page
    assert moved.status_code == 302
    assert after_move == "Europe/Dublin"
    assert wrong.status_code == 400
    assert back.status_code == 302
    with schema_context(ALPHA.schema_name):
        assert Organizer.objects.get(pk=london.pk).time_zone == "Europe/London"


def test_an_events_zone_is_its_locations_else_its_organizers(theatres):
    london = theatres["london"]
    stage = events.location_create(
        organizer=london, name="West End", address="1 Strand", city="London", country="GB"
    )
    tour = events.location_create(
        organizer=london,
        name="Tour stop",
        address="Dam 1",
        city="Amsterdam",
        country="NL",
        time_zone="Europe/Amsterdam",
    )
    at_home = events.event_create(organizer=london, location=stage, name="Hamlet")
    on_tour = events.event_create(organizer=london, location=tour, name="Hamlet on tour")

    assert at_home.time_zone == "Europe/London"
    assert on_tour.time_zone == "Europe/Amsterdam"


def test_a_row_written_without_a_zone_reads_its_countrys(in_alpha):
    organizer = organizer_create(name="Old", currency="GBP", country="GB")
    Organizer.objects.filter(pk=organizer.pk).update(time_zone="")
    organizer.refresh_from_db()

    assert organizer.zone_name == "Europe/London"


def test_the_migration_fills_the_zone_of_existing_organizers(in_alpha):
    from importlib import import_module

    migration = import_module("apps.organizers.migrations.0003_organizer_time_zone")
    london = organizer_create(name="Old London", currency="GBP", country="GB")
    kept = organizer_create(name="Kept", currency="EUR", country="NL", time_zone="Europe/Brussels")
    Organizer.objects.filter(pk=london.pk).update(time_zone="")

    migration.fill_time_zones(django_apps, None)

    assert Organizer.objects.get(pk=london.pk).time_zone == "Europe/London"
    assert Organizer.objects.get(pk=kept.pk).time_zone == "Europe/Brussels"


# --- the API -------------------------------------------------------------------------------


@pytest.fixture
def world(alpha, beta):
    return world_build(alpha, beta)


def test_the_api_gives_a_new_organizer_its_countrys_zone_and_takes_another(world):
    client = world.client(ADMIN)

    london = client.post(
        "/api/v1/organizers/", {"name": "Globe", "country": "GB", "currency": "GBP"}, format="json"
    )
    wrong = client.post(
        "/api/v1/organizers/",
        {"name": "Mars", "country": "GB", "currency": "GBP", "time_zone": "Mars/Base"},
        format="json",
    )
    moved = client.patch(
        f"/api/v1/organizers/{london.json()['id']}/", {"time_zone": "Europe/Dublin"}, format="json"
    )

    assert london.status_code == 201, london.content
    assert london.json()["time_zone"] == "Europe/London"
    assert wrong.status_code == 400
    assert list(wrong.json()) == ["time_zone"]
    assert "is not a time zone" in wrong.json()["time_zone"][0]
    assert moved.status_code == 200, moved.content
    assert moved.json()["time_zone"] == "Europe/Dublin"
