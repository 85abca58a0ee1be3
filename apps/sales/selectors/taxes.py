"""Reads of tax rules: which rule taxes a ticket type where its event takes place, what a
price's tax is, and the rules one may see (apps.operators.permissions decides)."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, QuerySet
from django.utils import formats

from apps.core.money import quantize
from apps.events.models import TicketType
from apps.operators.permissions import Someone, organizers_configurable_by
from apps.organizers.models import Organizer
from apps.sales.models import TaxedTicketType, TaxRule, Ticket


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


def tax_rules_for(ticket_type_ids: Iterable[int]) -> dict[int, TaxRule]:
    """{ticket type id: the rule that taxes it}: its rule for the country of its event's
    location, else its rule without a country; ticket types with neither are left out.
    One query."""
    assignments = (
        TaxedTicketType.objects.filter(ticket_type_id__in=list(ticket_type_ids))
        .filter(Q(country="") | Q(country=F("ticket_type__event__location__country")))
        .select_related("rule")
    )
    found: dict[int, TaxRule] = {}
    for assignment in assignments:
        if assignment.country or assignment.ticket_type_id not in found:
            found[assignment.ticket_type_id] = assignment.rule
    return found


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


def tax_lines_of(tickets: Iterable[Ticket]) -> list[TaxLine]:
    """The taxes in these tickets' prices (as sold, not as the rules stand now), one line per
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
