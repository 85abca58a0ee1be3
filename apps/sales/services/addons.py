"""Add-ons: the organizer's catalogue of them (create, change, delete), and their lines in
orders — priced, taxed, attached to a ticket or to the order, their stock taken, settled and
given back with the order's tickets (apps.sales.addon_stock).

apps.sales.services.orders calls the line functions from its own order flows (create, pay,
cancel, expire); this module never imports it."""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import Actor, audit_log
from apps.core.exceptions import Conflict
from apps.core.money import fits_currency, quantize
from apps.events.models import Event, TicketType
from apps.organizers.models import Organizer
from apps.sales import addon_stock
from apps.sales.exceptions import OrderRejected
from apps.sales.inventory import State
from apps.sales.models import AddOn, AddOnStock, Order, OrderAddOn, TaxRule, Ticket
from apps.sales.selectors.taxes import taxed_price

SYSTEM = Actor(user=None)


# --- the catalogue --------------------------------------------------------------------------


@transaction.atomic
def add_on_save(
    *,
    organizer: Organizer,
    name: str,
    price: Decimal,
    per: str = AddOn.Per.TICKET,
    event: Event | None = None,
    description: str = "",
    stock: int | None = None,
    ticket_types: Iterable[TicketType] = (),
    max_quantity: int = 1,
    tax_rule: TaxRule | None = None,
    on_sale: bool = True,
    add_on: AddOn | None = None,
    actor: Actor = SYSTEM,
) -> AddOn:
    """Create (or, given `add_on`, change) an organizer's add-on. Its ticket types and tax
    rule are the organizer's (and its event's, when it has one); its stock is never set
    below what is already held and sold. Lines sold before keep their price and tax."""
    creating = add_on is None
    saved = AddOn(organizer=organizer) if add_on is None else add_on
    if saved.organizer_id != organizer.pk:
        raise ValidationError(_("This add-on belongs to another organizer."))
    saved.event, saved.name, saved.description = event, name.strip(), description.strip()
    saved.price, saved.stock, saved.per = price, stock, per
    saved.max_quantity, saved.tax_rule, saved.on_sale = max_quantity, tax_rule, on_sale
    saved.full_clean(exclude=["organizer"])
    errors: dict[str, list[str]] = {}
    if not fits_currency(price, organizer.currency):
        errors["price"] = [
            _("This amount has too many decimals for %(currency)s.") % {"currency": organizer.currency}
        ]
    if event is not None and event.organizer_id != organizer.pk:
        errors["event"] = [_("Not an event of %(organizer)s.") % {"organizer": organizer.name}]
    if tax_rule is not None and tax_rule.organizer_id != organizer.pk:
        errors["tax_rule"] = [_("Not a tax rule of %(organizer)s.") % {"organizer": organizer.name}]
    chosen = list(ticket_types) if per == AddOn.Per.TICKET else []
    foreign = [
        t.name
        for t in chosen
        if t.event.organizer_id != organizer.pk or (event is not None and t.event_id != event.pk)
    ]
    if foreign:
        errors["ticket_types"] = [
            _("Not ticket types it can be offered with: %(names)s.") % {"names": ", ".join(foreign)}
        ]
    if not creating and stock is not None:
        counter = AddOnStock.objects.select_for_update().filter(add_on=saved).first()
        used = (counter.held + counter.sold) if counter else 0
        if stock < used:
            errors["stock"] = [
                _("%(count)s are already held or sold: the stock cannot be less.") % {"count": used}
            ]
    if errors:
        raise ValidationError(errors)
    saved.save()
    saved.ticket_types.set(chosen)
    if creating:
        AddOnStock.objects.create(add_on=saved)
    audit_log(
        actor=actor,
        action="add_on.created" if creating else "add_on.changed",
        target=saved,
        name=saved.name,
        price=str(saved.price),
        stock=saved.stock,
        per=saved.per,
    )
    return saved


@transaction.atomic
def add_on_delete(*, add_on: AddOn, actor: Actor = SYSTEM) -> None:
    """Delete an add-on never sold; one that was sold stays on its orders (take it off sale)."""
    if OrderAddOn.objects.filter(add_on=add_on).exists():
        raise Conflict(
            _("“%(name)s” was sold and stays on its orders: it cannot be deleted. Take it off sale instead.")
            % {"name": add_on.name}
        )
    audit_log(actor=actor, action="add_on.deleted", target=add_on, name=add_on.name)
    add_on.delete()


# --- lines of orders -------------------------------------------------------------------------


@dataclass(frozen=True)
class AddOnChoice:
    """`quantity` units of `add_on` asked for, with `ticket` (per ticket) or none (per order)."""

    add_on: AddOn
    quantity: int
    ticket: Ticket | None = None


@dataclass(frozen=True)
class AddOnRequest:
    """Add-ons asked for when an order is made: `quantity` for each ticket of the order's line
    number `line` (per ticket), or `quantity` for the order (`line` None)."""

    add_on: AddOn
    quantity: int
    line: int | None = None


def choices_for_lines(
    requests: Sequence[AddOnRequest], line_quantities: Sequence[int], tickets: Sequence[Ticket]
) -> list[AddOnChoice]:
    """The requests as choices on the (unsaved) tickets the order lines became, in order."""
    starts = [sum(line_quantities[:i]) for i in range(len(line_quantities))]
    choices = []
    for request in requests:
        if request.line is None:
            choices.append(AddOnChoice(request.add_on, request.quantity))
            continue
        if not 0 <= request.line < len(line_quantities):
            raise OrderRejected(_("Add-ons name a line of tickets the order does not have."))
        start = starts[request.line]
        for ticket in tickets[start : start + line_quantities[request.line]]:
            choices.append(AddOnChoice(request.add_on, request.quantity, ticket))
    return choices


def _offered_with(add_on: AddOn, ticket: Ticket) -> bool:
    ticket_type = ticket.ticket_type
    if add_on.event_id is not None and ticket_type.event_id != add_on.event_id:
        return False
    allowed = {t.pk for t in add_on.ticket_types.all()}
    return not allowed or ticket_type.pk in allowed


def add_ons_priced(
    choices: Sequence[AddOnChoice],
    *,
    organizer: Organizer,
    tickets: Sequence[Ticket],
    already: Sequence[OrderAddOn] = (),
) -> list[OrderAddOn]:
    """The unsaved lines `choices` ask for, priced (tax included, as tickets are) in the
    organizer's currency; raises OrderRejected for an add-on not on sale with these tickets,
    or past its maximum per ticket or per order (counting the lines `already` in the order).
    Service fees are per ticket: add-ons carry none."""
    currency = organizer.currency
    counts: Counter[tuple[int, int | None]] = Counter()
    for line in already:
        counts[(line.add_on_id, line.ticket_id)] += line.quantity
    lines = []
    for choice in choices:
        add_on, ticket = choice.add_on, choice.ticket
        key: tuple[int, int | None]
        if add_on.organizer_id != organizer.pk or not add_on.on_sale:
            raise OrderRejected(_("“%(name)s” is not on sale.") % {"name": add_on.name})
        if choice.quantity < 1:
            raise OrderRejected(_("Choose at least one “%(name)s”.") % {"name": add_on.name})
        if add_on.per == AddOn.Per.TICKET:
            if ticket is None or not _offered_with(add_on, ticket):
                raise OrderRejected(_("“%(name)s” is not offered with this ticket.") % {"name": add_on.name})
            key = (add_on.pk, id(ticket) if ticket.pk is None else ticket.pk)
        else:
            if ticket is not None:
                raise OrderRejected(_("“%(name)s” is for the whole order.") % {"name": add_on.name})
            if add_on.event_id is not None and all(
                t.ticket_type.event_id != add_on.event_id for t in tickets
            ):
                raise OrderRejected(
                    _("“%(name)s” is only offered with tickets of its event.") % {"name": add_on.name}
                )
            key = (add_on.pk, None)
        counts[key] += choice.quantity
        if counts[key] > add_on.max_quantity:
            raise OrderRejected(
                _("“%(name)s”: at most %(max)s per ticket or per order.")
                % {"name": add_on.name, "max": add_on.max_quantity}
            )
        unit = taxed_price(add_on.price, currency, add_on.tax_rule)
        lines.append(
            OrderAddOn(
                ticket=ticket,
                add_on=add_on,
                name=add_on.name,
                quantity=choice.quantity,
                unit_price=unit.price,
                price=unit.price * choice.quantity,
                tax_name=unit.name,
                tax_rate=unit.rate,
                tax=unit.tax * choice.quantity,
                tax_included=unit.included,
            )
        )
    return lines


def add_on_totals(lines: Iterable[OrderAddOn], currency: str) -> tuple[Decimal, Decimal]:
    """(price, tax) of the lines, to the currency's exponent."""
    lines = list(lines)
    return (
        quantize(sum((line.price for line in lines), Decimal(0)), currency),
        quantize(sum((line.tax for line in lines), Decimal(0)), currency),
    )


def add_on_lines_save(order: Order, lines: Sequence[OrderAddOn], *, state: State) -> None:
    """Save the priced lines in `order` (their tickets saved already) and take their stock:
    the order's last write before COMMIT, after its tickets' capacity (the lock order)."""
    if not lines:
        return
    for line in lines:
        line.order = order
        if line.ticket is not None:
            line.ticket_id = line.ticket.pk  # saved since it was priced
    OrderAddOn.objects.bulk_create(lines)
    addon_stock.take(addon_stock.claim_of_lines(lines), state=state)


def with_add_on_lines(order: Order, lines: list[OrderAddOn]) -> Order:
    """The order with its just-saved lines in place of a prefetch (as orders._with_tickets
    does for its tickets): order.add_ons.all() reads them without a query."""
    prefetched = OrderAddOn.objects.filter(order=order)
    prefetched._result_cache = lines
    prefetched._prefetch_done = True  # type: ignore[attr-defined]  # Django's prefetch state, not in the stubs
    cache = getattr(order, "_prefetched_objects_cache", None)
    if cache is None:
        cache = order._prefetched_objects_cache = {}  # type: ignore[attr-defined]  # (the same)
    cache["add_ons"] = prefetched
    return order


def add_ons_valid(order: Order, *, ticket_ids: Sequence[int] | None = None) -> list[OrderAddOn]:
    """The order's valid lines (those of `ticket_ids` only, when given), locked."""
    lines = OrderAddOn.objects.select_for_update().filter(order=order, status=OrderAddOn.Status.VALID)
    if ticket_ids is not None:
        lines = lines.filter(ticket_id__in=ticket_ids)
    return list(lines.order_by("pk"))


def add_ons_chosen(order: Order, add_on_ids: Sequence[int] | None) -> list[OrderAddOn]:
    """The order's valid lines `add_on_ids` names (locked), or OrderRejected when one is not."""
    if not add_on_ids:
        return []
    lines = [line for line in add_ons_valid(order) if line.pk in set(add_on_ids)]
    if len(lines) != len(set(add_on_ids)):
        raise OrderRejected(_("Choose valid add-ons of this order to refund."))
    return lines


def add_ons_claim(order: Order) -> Counter[int]:
    """The stock the order's valid lines use."""
    return addon_stock.claim_of_lines(OrderAddOn.objects.filter(order=order, status=OrderAddOn.Status.VALID))


def add_ons_void(lines: Sequence[OrderAddOn], *, status: str, give_back: State | None) -> None:
    """Cancel or refund the lines (valid ones, locked by add_ons_valid), once: their stock
    goes back when `give_back` says from where (None: the order held none any more)."""
    if not lines:
        return
    if give_back is not None:
        addon_stock.give_back(addon_stock.claim_of_lines(lines), state=give_back)
    OrderAddOn.objects.filter(pk__in=[line.pk for line in lines], status=OrderAddOn.Status.VALID).update(
        status=status, voided_at=timezone.now()
    )


def orders_holding(add_on_ids: Sequence[int], now: datetime) -> list[int]:
    """Pending orders past their time whose lines hold these add-ons (to expire them)."""
    return list(
        Order.objects.filter(
            Q(status=Order.Status.PENDING, expires_at__lte=now),
            add_ons__add_on_id__in=add_on_ids,
            add_ons__status=OrderAddOn.Status.VALID,
        )
        .distinct()
        .values_list("pk", flat=True)
    )


def add_on_update(*, add_on: AddOn, actor: Actor = SYSTEM, **changes: object) -> AddOn:
    """Change some of an add-on's fields (the API's PATCH): the others stay as they are."""
    current: dict[str, object] = {
        "name": add_on.name,
        "price": add_on.price,
        "per": add_on.per,
        "event": add_on.event,
        "description": add_on.description,
        "stock": add_on.stock,
        "ticket_types": list(add_on.ticket_types.all()),
        "max_quantity": add_on.max_quantity,
        "tax_rule": add_on.tax_rule,
        "on_sale": add_on.on_sale,
    }
    current |= {key: value for key, value in changes.items() if key in current}
    return add_on_save(organizer=add_on.organizer, add_on=add_on, actor=actor, **current)  # type: ignore[arg-type]  # the fields' own types, checked by add_on_save's full_clean
