"""Reads of tax rules: which rule taxes a ticket type where its event takes place, what a
price's tax is, and the rules one may see (apps.operators.permissions decides)."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import CharField, JSONField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, JSONObject
from django.utils import formats

from apps.core.money import quantize
from apps.events.models import TicketType
from apps.operators.permissions import Someone, organizers_configurable_by
from apps.organizers.models import Organizer
from apps.sales.models import OrderAddOn, TaxedTicketType, TaxRule, Ticket


@dataclass(frozen=True)
class TaxedPrice:
    """A ticket's price under a tax: `price` is what the buyer pays (tax included), `tax`
    the part of it that is tax, `net` the rest."""

    price: Decimal
    tax: Decimal
    rate: Decimal
    name: str
    included: bool

    @property
    def net(self) -> Decimal:
        return self.price - self.tax


def rate_text(rate: Decimal) -> str:
    """A rate as people read it, in the active locale, without trailing zeros: "20", "5.5"
    ("5,5" in French)."""
    value = Decimal(rate)
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return str(formats.number_format(value, use_l10n=True))


def taxed_price(listed: Decimal, currency: str, rule: TaxRule | None) -> TaxedPrice:
    """`listed` (a ticket type's price) under `rule`, each amount to the currency's exponent
    (half up): included, the price stays and its net is rounded (the tax is the difference);
    added, the tax is rounded and added to the price. No rule: no tax."""
    price = quantize(listed, currency)
    if rule is None or rule.rate == 0:
        zero = quantize(Decimal(0), currency)
        name = rule.name if rule is not None else ""
        return TaxedPrice(price=price, tax=zero, rate=Decimal(0), name=name, included=True)
    rate = Decimal(rule.rate)
    if rule.price_includes_tax:
        net = quantize(price * 100 / (100 + rate), currency)
        return TaxedPrice(price=price, tax=price - net, rate=rate, name=rule.name, included=True)
    tax = quantize(price * rate / 100, currency)
    return TaxedPrice(price=price + tax, tax=tax, rate=rate, name=rule.name, included=False)


# The annotation of a ticket type read with its tax rule (with_tax_rule): the fields a sale
# reads of the rule, as JSON, or None when no rule taxes it.
TAX_RULE = "applying_tax_rule"


def with_tax_rule(ticket_types: QuerySet[TicketType]) -> QuerySet[TicketType]:
    """`ticket_types`, each read with the rule that taxes it, in the same query: its rule for
    the country of its event's location, else its rule without a country (tax_rules_of
    reads it). apps.sales.selectors.ticket_types_for_sale reads the ticket types of a sale
    so, and caches them with the catalog (the tax services drop it)."""
    applying = (
        TaxedTicketType.objects.filter(ticket_type=OuterRef("pk"))
        .filter(Q(country="") | Q(country=OuterRef("event__location__country")))
        .order_by("-country")  # the country's own rule before the rule without a country
        .values(
            data=JSONObject(
                id="rule_id",
                organizer_id="rule__organizer_id",
                name="rule__name",
                rate=Cast("rule__rate", CharField()),  # as text: a Decimal, exactly
                price_includes_tax="rule__price_includes_tax",
                country="rule__country",
            )
        )[:1]
    )
    return ticket_types.annotate(**{TAX_RULE: Subquery(applying, output_field=JSONField())})


def _rule(data: dict[str, Any] | None) -> TaxRule | None:
    if data is None:
        return None
    return TaxRule(
        id=data["id"],
        organizer_id=data["organizer_id"],
        name=data["name"],
        rate=Decimal(data["rate"]),
        price_includes_tax=data["price_includes_tax"],
        country=data["country"],
    )


def tax_rules_of(ticket_types: Iterable[TicketType]) -> dict[int, TaxRule]:
    """{ticket type id: the rule that taxes it} (see with_tax_rule); untaxed ticket types are
    left out. Those read with their rule (a sale's, from the cache) cost no query; the
    others one, together."""
    found: dict[int, TaxRule] = {}
    unread: list[int] = []
    for ticket_type in ticket_types:
        if TAX_RULE not in ticket_type.__dict__:
            unread.append(ticket_type.pk)
        elif (rule := _rule(ticket_type.__dict__[TAX_RULE])) is not None:
            found[ticket_type.pk] = rule
    if unread:
        found |= tax_rules_for(unread)
    return found


def tax_rules_for(ticket_type_ids: Iterable[int]) -> dict[int, TaxRule]:
    """{ticket type id: the rule that taxes it} (see with_tax_rule); ticket types no rule
    taxes are left out. One query."""
    rows = with_tax_rule(TicketType.objects.filter(pk__in=list(ticket_type_ids))).values_list("pk", TAX_RULE)
    return {pk: rule for pk, data in rows if (rule := _rule(data)) is not None}


def tax_rules_visible_to(user: Someone) -> QuerySet[TaxRule]:
    """The rules of the organizers one configures, with their organizer and ticket types."""
    return (
        TaxRule.objects.filter(organizer__in=organizers_configurable_by(user))
        .select_related("organizer")
        .prefetch_related("ticket_types__event")
        .order_by("organizer__name", "organizer_id", "name", "country", "pk")
    )


def ticket_types_taxable_by(user: Someone) -> QuerySet[TicketType]:
    """The ticket types of the organizers one configures: what a rule may be assigned to."""
    return (
        TicketType.objects.filter(event__organizer__in=organizers_configurable_by(user))
        .select_related("event__organizer", "event_date")
        .order_by("event__organizer__name", "event__name", "event_id", "price", "name", "pk")
    )


def untaxed_ticket_types(organizer: Organizer) -> QuerySet[TicketType]:
    """The organizer's ticket types no rule taxes (for a country-less default or any)."""
    return (
        TicketType.objects.filter(event__organizer=organizer)
        .exclude(pk__in=TaxedTicketType.objects.values("ticket_type_id"))
        .select_related("event")
        .order_by("event__name", "name", "pk")
    )


@dataclass(frozen=True)
class TaxLine:
    """One tax of an order, as receipts and invoices print it: the tickets' net, the tax and
    what they cost with it, summed over the tickets that carry it."""

    name: str
    rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


def tax_lines_of(tickets: Iterable[Ticket | OrderAddOn]) -> list[TaxLine]:
    """The taxes in these tickets' (and add-on lines') prices (as sold, not as the rules stand now), one line per
    name and rate, highest rate first; untaxed tickets make no line."""
    sums: dict[tuple[str, Decimal], list[Decimal]] = {}
    for ticket in tickets:
        if not ticket.tax_rate:
            continue
        line = sums.setdefault((ticket.tax_name, Decimal(ticket.tax_rate)), [Decimal(0), Decimal(0)])
        line[0] += ticket.price
        line[1] += ticket.tax
    return [
        TaxLine(name=name, rate=rate, net=gross - tax, tax=tax, gross=gross)
        for (name, rate), (gross, tax) in sorted(sums.items(), key=lambda item: (-item[0][1], item[0][0]))
    ]
