"""The control panel's tax pages (/control/taxes/) per role, with twin organizations that
never see each other's rules; and the tax lines buyers read: the event page, the order page,
the box-office receipt, the confirmation e-mail and the tickets PDF."""

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from apps.events import services as events
from apps.payments.models import ConnectedAccount
from apps.sales.models import Order, TaxRule
from apps.sales.services.orders import OrderLine, order_create
from apps.sales.services.taxes import tax_rule_save
from apps.sales.tickets import tickets_pdf
from apps.tenancy import services as tenancy
from tests.factories import (
    ADMIN,
    CONFIGURER,
    OTHER,
    SELLER,
    programme_build,
    role_matrix,
    twin_sequences,
)
from tests.pdfs import pdf_text
from tests.sales.helpers import in_alpha, shop_build
from tests.sales.roles import OUTSIDERS, client_for, expect
from tests.tenants import ALPHA, BETA


@pytest.fixture
def rules(world):
    """alpha's rules (A's VAT on the concert's day ticket, B's on the gala seat) and beta's
    twin rules with the same ids, named BETA."""
    twin_sequences(ALPHA.schema_name, BETA.schema_name, tables=("sales_taxrule",))
    made = {}
    for schema_name, team in ((ALPHA.schema_name, world.team), (BETA.schema_name, world.beta_twin())):
        with schema_context(schema_name):
            programme = programme_build(team)
            made[schema_name] = {
                "a": tax_rule_save(
                    organizer=team.a,
                    name=f"{team.marker}-A VAT",
                    rate=Decimal("21"),
                    price_includes_tax=True,
                    ticket_types=[programme.day1_ticket],
                ),
                "b": tax_rule_save(
                    organizer=team.b,
                    name=f"{team.marker}-B BTW",
                    rate=Decimal("6"),
                    price_includes_tax=False,
                    country="BE",
                    ticket_types=[programme.gala_ticket],
                ),
                "programme": programme,
            }
    assert made[ALPHA.schema_name]["a"].pk == made[BETA.schema_name]["a"].pk
    return made[ALPHA.schema_name]


PAGE = {ADMIN: 200, CONFIGURER: 200, SELLER: 403, OTHER: 200, **OUTSIDERS}


@role_matrix(PAGE)
def test_the_tax_rules_page(world, rules, role, expected):
    response = client_for(world, role).get("/control/taxes/")

    expect(response, expected)
    body = response.content.decode()
    assert "BETA" not in body
    assert ("ALPHA-A VAT" in body) == (role in (ADMIN, CONFIGURER))
    assert ("ALPHA-B BTW" in body) == (role in (ADMIN, OTHER))
    if expected == 200:
        assert "ALPHA-A Standard" in body or role == OTHER  # the ticket types it taxes


NAV = {ADMIN: True, CONFIGURER: True, SELLER: False, OTHER: True}


@pytest.mark.parametrize(("role", "shown"), list(NAV.items()))
def test_the_navigation_links_the_page_for_whoever_may_open_it(world, role, shown):
    response = client_for(world, role).get("/control/check-in/")

    assert response.status_code == 200
    assert ('href="/control/taxes/"' in response.content.decode()) == shown


CREATE_FOR_A = {ADMIN: 302, CONFIGURER: 302, SELLER: 403, OTHER: 400, **OUTSIDERS}


@role_matrix(CREATE_FOR_A)
def test_creating_a_rule_for_organizer_a(world, rules, role, expected):
    programme = rules["programme"]
    response = client_for(world, role).post(
        "/control/taxes/new/",
        {
            "organizer": world.team.a.pk,
            "name": "Reduced",
            "rate": "5.5",
            "price_includes_tax": "no",
            "country": "NL",
            "ticket_types": [programme.concert_pass.pk],
        },
    )

    expect(response, expected)
    made = in_alpha(lambda: list(TaxRule.objects.filter(name="Reduced")))
    assert len(made) == (1 if expected == 302 else 0)
    if made:
        rule = made[0]
        assert (rule.organizer_id, rule.rate, rule.price_includes_tax, rule.country.code) == (
            world.team.a.pk,
            Decimal("5.5"),
            False,
            "NL",
        )
        assert in_alpha(lambda: list(rule.ticket_types.values_list("pk", flat=True))) == [
            programme.concert_pass.pk
        ]
    with schema_context(BETA.schema_name):
        assert not TaxRule.objects.filter(name="Reduced").exists()


CHANGE_A = {ADMIN: 302, CONFIGURER: 302, SELLER: 403, OTHER: 404, **OUTSIDERS}


@role_matrix(CHANGE_A)
def test_editing_a_rule_of_organizer_a(world, rules, role, expected):
    rule = rules["a"]
    client = client_for(world, role)

    page = client.get(f"/control/taxes/{rule.pk}/edit/")
    response = client.post(
        f"/control/taxes/{rule.pk}/edit/",
        {"name": "Changed", "rate": "9", "price_includes_tax": "yes", "country": "", "ticket_types": []},
    )

    expect(page, 200 if expected == 302 else expected)
    expect(response, expected)
    saved = in_alpha(lambda: TaxRule.objects.get(pk=rule.pk))
    assert ((saved.name, saved.rate) == ("Changed", Decimal("9"))) == (expected == 302)
    with schema_context(BETA.schema_name):  # the twin with the same id is never touched
        assert TaxRule.objects.get(pk=rule.pk).name == "BETA-A VAT"


@role_matrix(CHANGE_A)
def test_deleting_a_rule_of_organizer_a(world, rules, role, expected):
    rule = rules["a"]
    client = client_for(world, role)

    confirmation = client.get(f"/control/taxes/{rule.pk}/delete/")
    response = client.post(f"/control/taxes/{rule.pk}/delete/")

    expect(confirmation, 200 if expected == 302 else expected)
    expect(response, expected)
    assert in_alpha(lambda: TaxRule.objects.filter(pk=rule.pk).exists()) == (expected != 302)
    with schema_context(BETA.schema_name):
        assert TaxRule.objects.filter(pk=rule.pk).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rate": "120"}, "less than or equal to 100"),
        ({"rate": "abc"}, "Enter a number"),
        ({"rate": "-1"}, "greater than or equal to 0"),
        ({"country": "XX"}, "Select a valid choice"),
        ({"price_includes_tax": "maybe"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_a_form_error_not_a_500(world, rules, data, message):
    form = {"organizer": world.team.a.pk, "name": "Bad", "rate": "20", "price_includes_tax": "yes", **data}

    response = client_for(world, CONFIGURER).post("/control/taxes/new/", form)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not in_alpha(lambda: TaxRule.objects.filter(name="Bad").exists())


def test_a_second_rule_for_the_same_ticket_type_and_country_is_a_form_error(world, rules):
    programme = rules["programme"]
    response = client_for(world, ADMIN).post(
        "/control/taxes/new/",
        {
            "organizer": world.team.a.pk,
            "name": "Twice",
            "rate": "10",
            "price_includes_tax": "yes",
            "country": "",
            "ticket_types": [programme.day1_ticket.pk],
        },
    )

    assert response.status_code == 400
    assert "already has the rule" in response.content.decode()


def test_a_ticket_type_of_another_organizer_is_refused(world, rules):
    response = client_for(world, ADMIN).post(
        "/control/taxes/new/",
        {
            "organizer": world.team.a.pk,
            "name": "Foreign",
            "rate": "10",
            "price_includes_tax": "yes",
            "ticket_types": [rules["programme"].gala_ticket.pk],
        },
    )

    assert response.status_code == 400
    assert "Not ticket types of ALPHA-A" in response.content.decode()


# --- what buyers read ------------------------------------------------------------------------

SHOP_HOST = "taxed.localhost"


@pytest.fixture
def taxed_shop(alpha):
    with schema_context(ALPHA.schema_name):
        shop = shop_build(capacity=20, slug="taxed")
        tax_rule_save(
            organizer=shop.organizer,
            name="TVA",
            rate=Decimal("5.5"),
            price_includes_tax=False,
            ticket_types=[shop.day_ticket],
        )
    tenancy.domain_add(organization=alpha, domain=SHOP_HOST, organizer_slug="taxed")
    ConnectedAccount.objects.create(  # online sales open: the event page offers its tickets
        stripe_account_id="acct_taxedshop00001",
        schema_name=ALPHA.schema_name,
        organizer_id=shop.organizer.pk,
        charges_enabled=True,
    )
    return shop


def test_the_event_page_shows_the_price_with_the_added_tax(taxed_shop):
    body = Client(HTTP_HOST=SHOP_HOST).get(f"/events/{taxed_shop.event.pk}/").content.decode()

    assert "€10.55" in body
    assert "incl. TVA 5.5 %" in body


def test_the_order_page_receipt_e_mail_and_pdf_show_the_tax_lines(
    taxed_shop, django_capture_on_commit_callbacks, settings
):
    with schema_context(ALPHA.schema_name), django_capture_on_commit_callbacks(execute=True):
        order = order_create(
            distribution=taxed_shop.box_office,
            lines=[OrderLine(ticket_type=taxed_shop.day_ticket, quantity=2)],
            email="buyer@example.com",
            payment_method=Order.PaymentMethod.CASH,
        )
    page = Client(HTTP_HOST=SHOP_HOST).get(f"/orders/{order.code}/{order.secret}/").content.decode()
    assert "TVA 5.5 %" in page
    assert "€20.00" in page
    assert "€1.10" in page
    assert "€21.10" in page

    (message,) = mail.outbox
    assert "Of which TVA 5.5 % on 20.00 EUR: 1.10 EUR" in message.body
    assert "1.10 EUR" in message.alternatives[0][0]

    with schema_context(ALPHA.schema_name):
        text = pdf_text(tickets_pdf(order))
    assert "Standard — 10.55 EUR (incl. TVA 5.5 %: 0.55 EUR)" in text


def test_the_box_office_receipt_shows_the_tax_lines(world, rules):
    programme = rules["programme"]
    with schema_context(ALPHA.schema_name):
        events.event_publish(event=programme.concert)
        order = order_create(
            distribution=world.team.a_box,
            lines=[OrderLine(ticket_type=programme.day1_ticket, quantity=1)],
            email="",
            payment_method=Order.PaymentMethod.CASH,
        )

    body = client_for(world, ADMIN).get(f"/control/box-office/orders/{order.pk}/").content.decode()

    assert "ALPHA-A VAT 21 %" in body
    assert "€37.19" in body
    assert "€7.81" in body


def test_the_api_gives_each_ticket_its_tax_and_the_order_its_tax_total(world, rules):
    programme = rules["programme"]
    with schema_context(ALPHA.schema_name):
        events.event_publish(event=programme.concert)

    response = world.client(SELLER).post(
        "/api/v1/orders/",
        {
            "distribution": world.team.a_box.pk,
            "email": "buyer@example.com",
            "payment_method": "cash",
            "positions": [{"ticket_type": programme.day1_ticket.pk, "quantity": 2}],
        },
        format="json",
    )

    assert response.status_code == 201, response.content.decode()[:500]
    order = response.json()
    assert (order["total"], order["tax_total"]) == ("90.000", "15.620")
    assert {(t["tax_name"], t["tax_rate"], t["tax"], t["tax_included"]) for t in order["tickets"]} == {
        ("ALPHA-A VAT", "21.00", "7.810", True)
    }
