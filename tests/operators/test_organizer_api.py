"""REST API of organizers, distributions, countries and currencies (an organization's host)."""

import pytest
from django_tenants.utils import schema_context

from apps.core.models import AuditLogEntry
from apps.organizers.models import Distribution, Organizer
from apps.organizers.services import distribution_create, organizer_lock_currency
from tests.factories import (
    ADMIN,
    ANONYMOUS,
    CONFIGURER,
    CUSTOMER,
    OTHER,
    PLATFORM_ADMIN,
    SELLER,
    denied_to_outsiders,
    role_matrix,
    world_build,
)


@pytest.fixture
def world(alpha, beta):
    return world_build(alpha, beta)


# --- organizers -------------------------------------------------------------------------

ORGANIZER_LIST = denied_to_outsiders(
    **{ADMIN: (200, ["a", "b"]), CONFIGURER: (200, ["a"]), SELLER: (200, ["a"]), OTHER: (200, ["b"])}
)


@role_matrix(ORGANIZER_LIST)
def test_organizer_list(world, role, expected):
    response = world.client(role).get("/api/v1/organizers/")

    world.check(role, response, expected)


ORGANIZER_DETAIL = denied_to_outsiders(**{ADMIN: 200, CONFIGURER: 200, SELLER: 200, OTHER: 404})


@role_matrix(ORGANIZER_DETAIL)
def test_organizer_detail(world, role, expected):
    response = world.client(role).get(f"/api/v1/organizers/{world.team.a.pk}/")

    world.check(role, response, expected)


ORGANIZER_CREATE = denied_to_outsiders(**{ADMIN: 201, CONFIGURER: 403, SELLER: 403, OTHER: 403})


@role_matrix(ORGANIZER_CREATE)
def test_organizer_create(world, role, expected):
    payload = {"name": "Gamma park", "country": "NL", "currency": "EUR"}

    response = world.client(role).post("/api/v1/organizers/", payload, format="json")

    world.check(role, response, expected)
    with schema_context(world.alpha.schema_name):
        assert Organizer.objects.filter(name="Gamma park").exists() == (expected == 201)


ORGANIZER_UPDATE = denied_to_outsiders(**{ADMIN: 200, CONFIGURER: 200, SELLER: 403, OTHER: 404})


@role_matrix(ORGANIZER_UPDATE)
def test_organizer_update(world, role, expected):
    response = world.client(role).patch(
        f"/api/v1/organizers/{world.team.a.pk}/", {"legal_name": "Renamed Ltd"}, format="json"
    )

    world.check(role, response, expected)
    with schema_context(world.alpha.schema_name):
        assert (Organizer.objects.get(pk=world.team.a.pk).legal_name == "Renamed Ltd") == (expected == 200)


# --- distributions ----------------------------------------------------------------------

DISTRIBUTION_LIST = denied_to_outsiders(
    **{
        ADMIN: (200, ["a_shop", "a_box", "b_shop", "b_box"]),
        CONFIGURER: (200, ["a_shop", "a_box"]),
        SELLER: (200, ["a_box"]),
        OTHER: (200, ["b_shop", "b_box"]),
    }
)


@role_matrix(DISTRIBUTION_LIST)
def test_distribution_list(world, role, expected):
    response = world.client(role).get("/api/v1/distributions/")

    world.check(role, response, expected)


DISTRIBUTION_DETAIL = denied_to_outsiders(**{ADMIN: 200, CONFIGURER: 200, SELLER: 200, OTHER: 404})


@role_matrix(DISTRIBUTION_DETAIL)
def test_distribution_detail(world, role, expected):
    response = world.client(role).get(f"/api/v1/distributions/{world.team.a_box.pk}/")

    world.check(role, response, expected)


# An organizer the caller cannot see is an unknown id (400), as for invitations: its name is never echoed.
DISTRIBUTION_CREATE = denied_to_outsiders(**{ADMIN: 201, CONFIGURER: 201, SELLER: 403, OTHER: 400})


@role_matrix(DISTRIBUTION_CREATE)
def test_distribution_create(world, role, expected):
    payload = {"organizer": world.team.a.pk, "name": "Kiosk"}

    response = world.client(role).post("/api/v1/distributions/", payload, format="json")

    world.check(role, response, expected)
    with schema_context(world.alpha.schema_name):
        assert Distribution.objects.filter(name="Kiosk").exists() == (expected == 201)


DISTRIBUTION_RENAME = denied_to_outsiders(**{ADMIN: 200, CONFIGURER: 200, SELLER: 403, OTHER: 404})


@role_matrix(DISTRIBUTION_RENAME)
def test_distribution_rename(world, role, expected):
    response = world.client(role).patch(
        f"/api/v1/distributions/{world.team.a_box.pk}/", {"name": "Gate 2"}, format="json"
    )

    world.check(role, response, expected)
    with schema_context(world.alpha.schema_name):
        assert (Distribution.objects.get(pk=world.team.a_box.pk).name == "Gate 2") == (expected == 200)


DISTRIBUTION_DELETE = denied_to_outsiders(**{ADMIN: 204, CONFIGURER: 204, SELLER: 403, OTHER: 404})


@role_matrix(DISTRIBUTION_DELETE)
def test_distribution_delete(world, role, expected):
    with schema_context(world.alpha.schema_name):
        distribution_create(organizer=world.team.a, name="Kiosk")  # A keeps two channels either way

    response = world.client(role).delete(f"/api/v1/distributions/{world.team.a_box.pk}/")

    world.check(role, response, expected)
    with schema_context(world.alpha.schema_name):
        assert Distribution.objects.filter(pk=world.team.a_box.pk).exists() == (expected != 204)


# --- public lists -----------------------------------------------------------------------

PUBLIC_LIST = {
    **denied_to_outsiders(**{ADMIN: 200, CONFIGURER: 200, SELLER: 200, OTHER: 200}),
    PLATFORM_ADMIN: 200,
    CUSTOMER: 200,
    ANONYMOUS: 200,
}


@role_matrix(PUBLIC_LIST)
@pytest.mark.parametrize(("path", "code"), [("/api/v1/countries/", "NL"), ("/api/v1/currencies/", "EUR")])
def test_public_lists(world, role, expected, path, code):
    response = world.client(role).get(path)

    world.check(role, response, expected)
    if expected == 200:
        assert code in [row["code"] for row in response.json()]


# --- behaviour --------------------------------------------------------------------------


def test_a_new_organizer_has_an_online_shop_and_a_box_office(world):
    response = world.client(ADMIN).post(
        "/api/v1/organizers/",
        {"name": "Gamma park", "country": "NL", "currency": "EUR", "bank_account": "NL91 ABNA 0417 1643 00"},
        format="json",
    )

    assert response.status_code == 201
    assert [(d["name"], d["kind"]) for d in response.json()["distributions"]] == [
        ("Online shop", "online_shop"),
        ("Box office", "box_office"),
    ]
    assert response.json()["bank_account"] == "NL91ABNA0417164300"
    assert response.json()["legal_name"] == "Gamma park"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("bank_account", "NL00ABNA0417164300", "IBAN"),
        ("vat_number", "NL123456789B99", "VAT number"),
        ("currency", "XYZ", "not a valid choice"),
        ("currency", "FRF", "not a valid choice"),  # retired
        ("country", "XX", "not a valid choice"),
    ],
)
def test_invalid_organizer_data_is_answered_with_a_message_on_the_field(world, field, value, message):
    payload = {"name": "Gamma park", "country": "NL", "currency": "EUR", field: value}

    response = world.client(ADMIN).post("/api/v1/organizers/", payload, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert message in response.json()[field][0]


@pytest.mark.parametrize(
    ("field", "value"), [("bank_account", "DE00 1234"), ("vat_number", "XX1"), ("currency", "ZZZ")]
)
def test_invalid_update_is_answered_with_a_message_on_the_field(world, field, value):
    response = world.client(CONFIGURER).patch(
        f"/api/v1/organizers/{world.team.a.pk}/", {field: value}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_the_currency_changes_until_it_is_locked(world):
    organizer_url = f"/api/v1/organizers/{world.team.a.pk}/"
    client = world.client(CONFIGURER)

    assert client.patch(organizer_url, {"currency": "USD"}, format="json").status_code == 200
    with schema_context(world.alpha.schema_name):
        organizer_lock_currency(organizer=Organizer.objects.get(pk=world.team.a.pk))

    refused = client.patch(organizer_url, {"currency": "EUR"}, format="json")
    same = client.patch(organizer_url, {"currency": "USD", "name": "ALPHA-A2"}, format="json")

    assert refused.status_code == 409
    assert refused.json() == {"detail": "The currency of ALPHA-A cannot change: it already has sales."}
    assert same.status_code == 200
    assert same.json()["currency_locked"] is True
    with schema_context(world.alpha.schema_name):
        assert Organizer.objects.get(pk=world.team.a.pk).currency == "USD"


def test_currency_locked_cannot_be_set_through_the_api(world):
    response = world.client(ADMIN).patch(
        f"/api/v1/organizers/{world.team.a.pk}/", {"currency_locked": True}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["currency_locked"] is False


def test_an_organizer_keeps_at_least_two_distributions(world):
    client = world.client(CONFIGURER)
    kiosk = client.post(
        "/api/v1/distributions/", {"organizer": world.team.a.pk, "name": "Kiosk"}, format="json"
    )
    assert kiosk.status_code == 201

    first = client.delete(f"/api/v1/distributions/{kiosk.json()['id']}/")
    second = client.delete(f"/api/v1/distributions/{world.team.a_shop.pk}/")

    assert first.status_code == 204
    assert second.status_code == 409
    assert second.json() == {
        "detail": "ALPHA-A must keep at least 2 distributions; “Online shop” is one of the last two."
    }
    with schema_context(world.alpha.schema_name):
        assert Distribution.objects.filter(organizer=world.team.a).count() == 2


def test_a_distribution_never_moves_to_another_organizer(world):
    response = world.client(ADMIN).patch(
        f"/api/v1/distributions/{world.team.a_box.pk}/",
        {"organizer": world.team.b.pk, "name": "Gate"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["organizer"] == world.team.a.pk


def test_distributions_filter_by_organizer(world):
    response = world.client(ADMIN).get(f"/api/v1/distributions/?organizer={world.team.b.pk}")

    assert [row["id"] for row in response.json()["results"]] == world.team.ids(["b_shop", "b_box"])


def test_refusals_name_the_organizer_only_to_those_who_see_it(world):
    response = world.client(SELLER).patch(
        f"/api/v1/distributions/{world.team.a_box.pk}/", {"name": "Gate"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "You have no configuration permission on ALPHA-A."}


def test_configuration_changes_are_audited_with_actor_and_host(world):
    client = world.client(CONFIGURER)
    client.patch(f"/api/v1/organizers/{world.team.a.pk}/", {"legal_name": "Renamed Ltd"}, format="json")
    client.post("/api/v1/distributions/", {"organizer": world.team.a.pk, "name": "Kiosk"}, format="json")

    with schema_context(world.alpha.schema_name):
        entries = list(
            AuditLogEntry.objects.filter(action__in=["organizer.updated", "distribution.created"])
            .order_by("pk")
            .values_list("action", "actor_id", "host")
        )
    configurer, host = world.team.configurer.pk, "alpha.localhost"
    assert entries == [("organizer.updated", configurer, host), ("distribution.created", configurer, host)]


def test_the_twin_organization_sees_only_its_own_organizers_with_the_same_ids(world):
    twin = world.beta_twin()
    client = world.client(ADMIN)
    client.credentials(HTTP_HOST="beta.localhost", HTTP_AUTHORIZATION=f"Token {twin.tokens['admin']}")

    response = client.get("/api/v1/organizers/")

    assert [(row["id"], row["name"]) for row in response.json()["results"]] == [
        (world.team.a.pk, "BETA-A"),
        (world.team.b.pk, "BETA-B"),
    ]
    assert "ALPHA" not in response.content.decode()


@pytest.mark.parametrize(("role", "sees_bank_details"), [(ADMIN, True), (CONFIGURER, True), (SELLER, False)])
def test_bank_details_are_shown_only_to_those_who_configure_the_organizer(world, role, sees_bank_details):
    with schema_context(world.alpha.schema_name):
        Organizer.objects.filter(pk=world.team.a.pk).update(bank_account="NL91ABNA0417164300")

    data = world.client(role).get(f"/api/v1/organizers/{world.team.a.pk}/").json()

    assert ("bank_account" in data) == sees_bank_details
    assert ("vat_number" in data) == sees_bank_details


def test_a_non_admin_creating_an_organizer_is_refused_before_any_validation(world):
    response = world.client(CONFIGURER).post("/api/v1/organizers/", {"currency": "nope"}, format="json")

    assert response.status_code == 403
    assert "currency" not in response.json()
