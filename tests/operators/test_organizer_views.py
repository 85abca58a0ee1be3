"""Control panel pages for organizers and distributions."""

import pytest
from django_tenants.utils import schema_context

from apps.operators.services import operator_link
from apps.organizers.models import Distribution, Organizer
from apps.organizers.services import organizer_create, organizer_lock_currency
from tests.factories import UserFactory
from tests.tenants import ALPHA

HOST = ALPHA.host


@pytest.fixture
def park(in_alpha):
    """Alpha's organizers A (configured by `config`, sold by `seller`) and B (nobody's)."""
    a = organizer_create(name="Park A", currency="EUR", country="NL")
    b = organizer_create(name="Park B", currency="EUR", country="BE")
    config = UserFactory(email="config@example.com", is_operator=True)
    operator_link(operator=config, organizers=[a])
    seller = UserFactory(email="seller@example.com", is_operator=True)
    operator_link(operator=seller, distributions=[a.distributions.get(kind="box_office")])
    return {"a": a, "b": b}


def _as(client, email):
    client.force_login(_user(email))
    return client


def _user(email):
    from apps.accounts.models import User

    with schema_context(ALPHA.schema_name):
        return User.objects.get(email=email)


def test_organizer_list_shows_only_what_the_operator_reaches(client, park):
    page = _as(client, "seller@example.com").get("/control/organizers/", HTTP_HOST=HOST).content.decode()

    assert "Park A" in page
    assert "Park B" not in page


def test_an_organizer_one_cannot_reach_is_404(client, park):
    response = _as(client, "config@example.com").get(f"/control/organizers/{park['b'].pk}/", HTTP_HOST=HOST)

    assert response.status_code == 404


def test_a_seller_sees_the_organizer_but_may_not_edit_it(client, park):
    client = _as(client, "seller@example.com")

    detail = client.get(f"/control/organizers/{park['a'].pk}/", HTTP_HOST=HOST)
    edit = client.get(f"/control/organizers/{park['a'].pk}/edit/", HTTP_HOST=HOST)

    assert detail.status_code == 200
    assert "/edit/" not in detail.content.decode()
    assert "IBAN" not in detail.content.decode()
    assert edit.status_code == 403


def test_editing_an_organizer_saves_and_audits(client, park):
    data = {
        "name": "Park A+",
        "legal_name": "Park A B.V.",
        "bank_account": "NL91 ABNA 0417 1643 00",
        "vat_number": "NL004495445B01",
        "country": "NL",
        "currency": "USD",
        "primary_color": "#112233",
        "accent_color": "#445566",
    }

    response = _as(client, "config@example.com").post(
        f"/control/organizers/{park['a'].pk}/edit/", data, HTTP_HOST=HOST
    )

    assert response.status_code == 302
    with schema_context(ALPHA.schema_name):
        organizer = Organizer.objects.get(pk=park["a"].pk)
        assert organizer.bank_account == "NL91ABNA0417164300"
        assert organizer.currency == "USD"
        from apps.core.models import AuditLogEntry

        entry = AuditLogEntry.objects.get(action="organizer.updated")
        assert entry.actor_email == "config@example.com"
        assert entry.host == HOST


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("bank_account", "NL00NOPE0000000000", "IBAN"),
        ("vat_number", "NL123", "VAT"),
        ("currency", "XXX", "valid choice"),
        ("primary_color", "blue", "colour"),
        ("name", "", "required"),
    ],
)
def test_bad_organizer_input_is_a_form_error_not_a_500(client, park, field, value, message):
    data = {"name": "Park A", "legal_name": "Park A", "country": "NL", "currency": "EUR"}
    data |= {"primary_color": "#112233", "accent_color": "#445566", field: value}

    response = _as(client, "config@example.com").post(
        f"/control/organizers/{park['a'].pk}/edit/", data, HTTP_HOST=HOST
    )

    assert response.status_code == 400
    assert message.lower() in " ".join(response.context["form"].errors[field]).lower()


def test_the_currency_cannot_change_once_the_organizer_has_sales(client, park):
    with schema_context(ALPHA.schema_name):
        organizer_lock_currency(organizer=park["a"])
    data = {"name": "Park A", "legal_name": "Park A", "country": "NL", "currency": "USD"}
    data |= {"primary_color": "#112233", "accent_color": "#445566"}

    _as(client, "config@example.com").post(f"/control/organizers/{park['a'].pk}/edit/", data, HTTP_HOST=HOST)

    with schema_context(ALPHA.schema_name):
        assert Organizer.objects.get(pk=park["a"].pk).currency == "EUR"


def test_distributions_are_added_and_the_last_two_cannot_be_deleted(client, park):
    client = _as(client, "config@example.com")
    client.post(
        f"/control/organizers/{park['a'].pk}/distributions/",
        {"name": "Kiosk", "kind": "other"},
        HTTP_HOST=HOST,
    )
    with schema_context(ALPHA.schema_name):
        kiosk, online = (
            Distribution.objects.get(organizer=park["a"], kind=kind) for kind in ("other", "online_shop")
        )

    client.post(f"/control/distributions/{kiosk.pk}/delete/", HTTP_HOST=HOST)
    response = client.post(f"/control/distributions/{online.pk}/delete/", HTTP_HOST=HOST, follow=True)

    assert "must keep at least 2 distributions" in response.content.decode()
    with schema_context(ALPHA.schema_name):
        assert park["a"].distributions.count() == 2


def test_a_seller_cannot_delete_a_distribution(client, park):
    with schema_context(ALPHA.schema_name):
        box_office = park["a"].distributions.get(kind="box_office")

    response = _as(client, "seller@example.com").post(
        f"/control/distributions/{box_office.pk}/delete/", HTTP_HOST=HOST
    )

    assert response.status_code == 403
