"""Every amount shown to a person: the currency's exponent, the reader's locale (format_money)."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from apps.core.money import format_money


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (Decimal("12.000"), "EUR", "12.00 EUR"),  # a price field keeps three decimals: shown with two
        (Decimal("9999"), "EUR", "9,999.00 EUR"),
        (Decimal("-4"), "EUR", "-4.00 EUR"),
        (Decimal("0.4165"), "GBP", "0.42 GBP"),  # half up
        (Decimal("16038.000"), "JPY", "16,038 JPY"),  # no decimals
        (Decimal("1500"), "jpy", "1,500 JPY"),
        (Decimal("12.5"), "KWD", "12.500 KWD"),  # three decimals
        (Decimal("1234.5678"), "BHD", "1,234.568 BHD"),
        ("30", "EUR", "30.00 EUR"),
        (7, "USD", "7.00 USD"),
    ],
)
def test_amounts_have_their_currencys_decimals_and_english_grouping(amount, currency, text):
    with translation.override("en"):
        assert format_money(amount, currency) == text


def test_french_readers_get_a_decimal_comma_and_no_break_space_grouping():
    with translation.override("fr"):
        assert format_money(Decimal("1234567.5"), "EUR") == "1\xa0234\xa0567,50 EUR"
        assert format_money(Decimal("16038"), "JPY") == "16\xa0038 JPY"
        assert format_money(Decimal("12.5"), "KWD") == "12,500 KWD"
        assert format_money(Decimal("30"), "EUR", style="symbol") == "30,00\xa0€"
    assert format_money(Decimal("24.65"), "GBP", language="fr") == "24,65 GBP"


def test_the_symbol_style_is_the_locales_currency_format():
    with translation.override("en"):
        assert format_money(Decimal("30.000"), "EUR", style="symbol") == "€30.00"
        assert format_money(Decimal("3000"), "JPY", style="symbol") == "¥3,000"
        assert format_money(Decimal("-1.5"), "EUR", style="symbol") == "-€1.50"


def test_csv_cells_are_plain_numbers_in_every_language():
    for language in ("en", "fr"):
        with translation.override(language):
            assert format_money(Decimal("1234.5"), "EUR", style="csv") == "1234.50"
            assert format_money(Decimal("-10"), "EUR", style="csv") == "-10.00"
            assert format_money(Decimal("16038.000"), "JPY", style="csv") == "16038"
            assert format_money(Decimal("1.5"), "KWD", style="csv") == "1.500"


def test_no_amount_or_no_currency_is_shown_as_nothing():
    assert format_money(None, "EUR") == ""
    assert format_money("", "EUR") == ""
    assert format_money(Decimal("1"), "") == ""


def test_the_template_filters_write_through_format_money():
    template = Template("{% load money %}{{ a|money_code:c }} · {{ a|money:c }} · {{ n|money_code:c }}.")
    context = Context({"a": Decimal("1234.500"), "c": "EUR", "n": None})
    with translation.override("en"):
        assert template.render(context) == "1,234.50 EUR · €1,234.50 · ."
    with translation.override("fr"):
        assert template.render(context) == "1\xa0234,50 EUR · 1\xa0234,50\xa0€ · ."
