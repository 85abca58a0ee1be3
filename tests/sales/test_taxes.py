"""Taxes on tickets: a rule's rate included in the price or added to it, in the country where
the event takes place (else the rule without a country); the tax is snapshotted on each
ticket and the order, rounded to the currency, and the buyer pays (Stripe charges) the total."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django_tenants.utils import schema_context

from apps.core.models import AuditLogEntry
from apps.events import services as events
from apps.payments.models import ConnectedAccount
from apps.sales.models import FeeRule, Order, TaxedTicketType
from apps.sales.selectors.taxes import tax_lines_of, tax_rules_for, taxed_price
from apps.sales.services.cart import cart_lines_add
from apps.sales.services.orders import OrderLine, order_create
from apps.sales.services.payments import order_payment_start
from apps.sales.services.taxes import tax_rule_delete, tax_rule_save
from tests.sales.helpers import shop_build
from tests.tenants import ALPHA


def _sell(shop, ticket_type=None, quantity=2, **kwargs):
    return order_create(
        distribution=kwargs.pop("distribution", shop.box_office),
        lines=[OrderLine(ticket_type=ticket_type or shop.day_ticket, quantity=quantity)],
        email="buyer@example.com",
        payment_method=kwargs.pop("payment_method", Order.PaymentMethod.CASH),
        **kwargs,
    )


def _rule(shop, *ticket_types, rate="20", included=True, country="", name="VAT"):
    return tax_rule_save(
        organizer=shop.organizer,
        name=name,
        rate=Decimal(rate),
        price_includes_tax=included,
        country=country,
        ticket_types=ticket_types or [shop.day_ticket],
    )


@pytest.mark.usefixtures("in_alpha")
def test_an_included_tax_splits_the_price_and_changes_no_total():
    shop = shop_build(capacity=50)
    _rule(shop, rate="20", included=True)

    order = _sell(shop)

    ticket = order.tickets.first()
    assert (ticket.price, ticket.tax, ticket.net_price) == (
        Decimal("10.00"),
        Decimal("1.67"),
        Decimal("8.33"),
    )
    assert (ticket.tax_name, ticket.tax_rate, ticket.tax_included) == ("VAT", Decimal("20"), True)
    assert (order.subtotal, order.tax_total, order.total) == (
        Decimal("20.00"),
        Decimal("3.34"),
        Decimal("20.00"),
    )


@pytest.mark.usefixtures("in_alpha")
def test_an_added_tax_raises_the_price_and_the_total_and_the_fee_is_on_that_price():
    shop = shop_build(capacity=50)
    _rule(shop, rate="5.5", included=False)
    FeeRule.objects.create(organizer=shop.organizer, percent=Decimal("10"))

    order = _sell(shop)

    ticket = order.tickets.first()
    assert (ticket.price, ticket.tax, ticket.tax_included) == (Decimal("10.55"), Decimal("0.55"), False)
    assert ticket.fee == Decimal("1.06")  # 10 % of 10.55, half up
    assert (order.subtotal, order.fee_total, order.tax_total, order.total) == (
        Decimal("21.10"),
        Decimal("2.12"),
        Decimal("1.10"),
        Decimal("23.22"),
    )


@pytest.mark.usefixtures("in_alpha")
def test_taxes_round_to_the_currency_exponent():
    yen = shop_build(capacity=50, currency="JPY", slug="yen")
    ticket_type = yen.date_ticket(0, price=Decimal("1000"))
    _rule(yen, ticket_type, rate="10", included=True)
    dinar = shop_build(capacity=50, currency="KWD", slug="dinar")
    dinar_type = dinar.date_ticket(0, price=Decimal("1.000"))
    _rule(dinar, dinar_type, rate="7.7", included=False)

    yen_ticket = _sell(yen, ticket_type, quantity=1).tickets.get()
    dinar_ticket = _sell(dinar, dinar_type, quantity=1).tickets.get()

    assert (yen_ticket.price, yen_ticket.tax) == (Decimal("1000"), Decimal("91"))  # 1000 − 909.09… → 909
    assert (dinar_ticket.price, dinar_ticket.tax) == (Decimal("1.077"), Decimal("0.077"))
    assert taxed_price(Decimal("0.05"), "EUR", _rule_like(rate="20", included=True)).tax == Decimal("0.01")


def _rule_like(*, rate, included):
    from apps.sales.models import TaxRule

    return TaxRule(name="VAT", rate=Decimal(rate), price_includes_tax=included)


@pytest.mark.usefixtures("in_alpha")
def test_the_rule_for_the_events_country_wins_over_the_rule_without_a_country():
    shop = shop_build(capacity=50)  # its hall is in France
    _rule(shop, rate="19", country="", name="Default VAT")
    _rule(shop, rate="5.5", country="FR", name="TVA")
    _rule(shop, rate="6", country="BE", name="BTW")
    elsewhere = events.location_create(
        organizer=shop.organizer, name="Zaal", address="1 straat", city="Gent", country="DE"
    )
    german = events.event_create(
        organizer=shop.organizer, location=elsewhere, name="Tour", distributions=[shop.box_office]
    )
    german_date = events.event_date_create(
        event=german, start=shop.dates[0].start, end=shop.dates[0].end, capacity=10
    )
    events.event_publish(event=german)
    german_type = events.ticket_type_create(
        event=german, event_date=german_date, name="Seat", price=Decimal("10.00")
    )
    tax_rule_save(
        organizer=shop.organizer,
        name="Default VAT",
        rate=Decimal("19"),
        price_includes_tax=True,
        rule=shop.organizer.tax_rules.get(name="Default VAT"),
        ticket_types=[shop.day_ticket, german_type],
    )

    assert {pk: r.name for pk, r in tax_rules_for([shop.day_ticket.pk, german_type.pk]).items()} == {
        shop.day_ticket.pk: "TVA",
        german_type.pk: "Default VAT",
    }
    assert _sell(shop).tickets.first().tax_name == "TVA"
    assert _sell(shop, german_type).tickets.first().tax_name == "Default VAT"
    assert _sell(shop, shop.pass_ticket).tax_total == Decimal("0.00")  # no rule: no tax


@pytest.mark.usefixtures("in_alpha")
def test_a_later_change_of_the_rule_changes_no_order_sold():
    shop = shop_build(capacity=50)
    rule = _rule(shop, rate="20", included=False)
    order = _sell(shop)

    tax_rule_save(
        organizer=shop.organizer,
        name="VAT",
        rate=Decimal("10"),
        price_includes_tax=True,
        rule=rule,
        ticket_types=[shop.day_ticket],
    )
    tax_rule_delete(rule=rule)

    order.refresh_from_db()
    assert (order.total, order.tax_total) == (Decimal("24.00"), Decimal("4.00"))
    assert set(order.tickets.values_list("tax_rate", "tax")) == {(Decimal("20"), Decimal("2.00"))}
    assert list(
        AuditLogEntry.objects.filter(action__startswith="tax_rule.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "tax_rule.created",
        "tax_rule.changed",
        "tax_rule.deleted",
    ]


@pytest.mark.usefixtures("in_alpha")
def test_the_cart_adds_the_tax_of_the_tickets_it_takes():
    shop = shop_build(capacity=50)
    _rule(shop, rate="10", included=False)
    cart = _sell(
        shop, quantity=1, distribution=shop.online, payment_method=Order.PaymentMethod.STRIPE, hold=True
    )

    cart = cart_lines_add(order_id=cart.pk, lines=[OrderLine(ticket_type=shop.day_ticket, quantity=2)])

    assert (cart.subtotal, cart.tax_total, cart.total) == (
        Decimal("33.00"),
        Decimal("3.00"),
        Decimal("33.00"),
    )
    cart.refresh_from_db()
    assert cart.total == sum(t.price + t.fee for t in cart.tickets.all())


@pytest.mark.usefixtures("in_alpha")
def test_one_ticket_type_has_one_rule_per_country():
    shop = shop_build(capacity=50)
    _rule(shop, rate="20", country="FR")
    with pytest.raises(ValidationError) as refused:
        _rule(shop, rate="10", country="FR", name="Other")
    assert "already has the rule" in str(refused.value)
    _rule(shop, rate="10", country="", name="Default")  # another country: fine
    first = TaxedTicketType.objects.first()
    with pytest.raises(IntegrityError):  # and the database says so too
        TaxedTicketType.objects.create(rule=first.rule, ticket_type=first.ticket_type, country=first.country)


@pytest.mark.usefixtures("in_alpha")
def test_a_rule_taxes_only_its_organizers_ticket_types_and_rates_are_percents():
    shop = shop_build(capacity=50)
    other = shop_build(capacity=50, slug="other")
    with pytest.raises(ValidationError) as refused:
        _rule(shop, other.day_ticket)
    assert "ticket_types" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _rule(shop, rate="120")
    assert "rate" in refused.value.message_dict


@pytest.mark.usefixtures("in_alpha")
def test_tax_lines_sum_the_tickets_by_rate():
    shop = shop_build(capacity=50)
    _rule(shop, rate="20", included=True)
    _rule(shop, shop.pass_ticket, rate="5.5", included=False, name="Reduced VAT")
    order = order_create(
        distribution=shop.box_office,
        lines=[
            OrderLine(ticket_type=shop.day_ticket, quantity=3),
            OrderLine(ticket_type=shop.pass_ticket, quantity=1),
        ],
        email="buyer@example.com",
        payment_method=Order.PaymentMethod.CASH,
    )

    lines = tax_lines_of(order.tickets.all())

    assert [(line.name, line.rate, line.net, line.tax, line.gross) for line in lines] == [
        ("VAT", Decimal("20"), Decimal("24.99"), Decimal("5.01"), Decimal("30.00")),
        ("Reduced VAT", Decimal("5.5"), Decimal("25.00"), Decimal("1.38"), Decimal("26.38")),
    ]
    assert sum(line.tax for line in lines) == order.tax_total
    assert sum(line.gross for line in lines) == order.subtotal


def test_stripe_is_asked_for_the_total_with_the_added_tax(alpha, platform_on_localstripe, localstripe):
    with schema_context(ALPHA.schema_name):
        shop = shop_build(capacity=20, slug="payer")
    ConnectedAccount.objects.create(
        stripe_account_id=f"acct_{uuid.uuid4().hex[:16]}",
        schema_name=ALPHA.schema_name,
        organizer_id=shop.organizer.pk,
        charges_enabled=True,
    )
    with schema_context(ALPHA.schema_name):
        _rule(shop, rate="21", included=False)
        order = _sell(shop, quantity=3, distribution=shop.online, payment_method=Order.PaymentMethod.STRIPE)

        payment = order_payment_start(order=order)

    assert order.total == Decimal("36.30")
    assert payment.amount == order.total
    assert _intent_amount(localstripe, payment) == 3630


def _intent_amount(base_url, payment) -> int:
    import stripe

    from tests.payments import stripe_fake

    client = stripe.StripeClient(stripe_fake.SECRET_KEY, base_addresses={"api": base_url})
    intent = client.v1.payment_intents.retrieve(
        payment.intent_id, options={"stripe_account": payment.stripe_account_id}
    )
    return int(intent["amount"])
