"""Vouchers and access codes: made one by one or in batches, changed, deleted; their uses
taken when tickets are sold with them and given back when those tickets expire, are
cancelled or refunded.

The API another feature builds on (an offer for some buyers first, e.g. a season's
renewal): `voucher_save` (one code, given or random), `vouchers_batch_create` (N unique
random codes with a prefix), `voucher_by_code` (apps.sales.selectors.vouchers) to find one,
and `order_create(voucher=…)` / `cart_lines_add(voucher=…)` to sell with it.

Counting uses: `vouchers_take` moves `Voucher.used` with one conditional UPDATE per voucher
(`used + n <= max_uses`), which PostgreSQL re-checks under the row lock: concurrent buyers
queue on the row and the last ones find it used up. `voucher_buyers_enforce` holds the
limit per buyer under a PostgreSQL advisory lock per (voucher, buyer), as
apps.sales.services.buyer_limits does for an event's limit.

Lock order, as in apps.sales.services.buyer_limits: the shop holder's locks, the order's
row, the buyer's locks (the event's, then the voucher's), the voucher's row, the organizer's
row, the capacity counters. Giving back follows it too: the voucher's row before the
counters.
"""

import secrets
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.models import User
from apps.core.audit import Actor, audit_log
from apps.core.exceptions import Conflict
from apps.core.money import fits_currency
from apps.core.schemas import current_schema
from apps.events.models import EventDate, TicketType
from apps.organizers.models import Organizer
from apps.sales.exceptions import SoldOut, VoucherRefused
from apps.sales.models import CODE_ALPHABET, Ticket, Voucher, VoucherEventDate, VoucherTicketType
from apps.sales.selectors.buyer_limits import normalized_email
from apps.sales.selectors.vouchers import CODE_MAX_LENGTH, buyer_voucher_uses, normalized_code

SYSTEM = Actor(user=None)
BATCH_MAX = 5000
# The most uses a voucher may count (its PositiveIntegerField columns in PostgreSQL).
MAX_USES = 2_147_483_647
RANDOM_LENGTH = 10
code_validator = RegexValidator(
    r"^[A-Za-z0-9_-]+$", _("Use letters, digits, hyphens and underscores only, with no spaces.")
)


def random_code(prefix: str = "") -> str:
    """An unguessable code people can read out: the prefix, then 10 characters of
    CODE_ALPHABET (about 50 bits)."""
    return prefix + "".join(secrets.choice(CODE_ALPHABET) for _ in range(RANDOM_LENGTH))


def _code_check(code: str, field: str) -> None:
    try:
        code_validator(code)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    if len(code) > CODE_MAX_LENGTH:
        raise ValidationError({field: _("At most %(count)d characters.") % {"count": CODE_MAX_LENGTH}})


VOUCHER_FIELDS = (
    "price_mode",
    "value",
    "event",
    "valid_from",
    "valid_until",
    "max_uses",
    "max_uses_per_buyer",
    "unlocks_hidden",
    "tag",
)


def _checked(
    voucher: Voucher, ticket_types: list[TicketType], event_dates: list[EventDate]
) -> dict[str, list[str]]:
    """What is wrong with the voucher's fields and scope, by field."""
    errors: dict[str, list[str]] = {}
    organizer = voucher.organizer
    mode, value = voucher.price_mode, voucher.value if voucher.value is not None else Decimal(0)
    if mode == Voucher.PriceMode.PERCENT and not 0 < value <= 100:
        errors["value"] = [_("A percent off is more than 0 and at most 100.")]
    elif mode in (Voucher.PriceMode.SUBTRACT, Voucher.PriceMode.SET) and not fits_currency(
        value, organizer.currency
    ):
        errors["value"] = [_("At most the decimals of %(currency)s.") % {"currency": organizer.currency}]
    elif mode == Voucher.PriceMode.SUBTRACT and value <= 0:
        errors["value"] = [_("Give the amount off.")]
    if voucher.event is not None and voucher.event.organizer_id != organizer.pk:
        errors["event"] = [_("Not an event of %(organizer)s.") % {"organizer": organizer.name}]
    event_id = voucher.event_id
    if any(
        t.event.organizer_id != organizer.pk or (event_id and t.event_id != event_id) for t in ticket_types
    ):
        errors["ticket_types"] = [_("Choose ticket types of the voucher's organizer and event.")]
    if any(
        d.event.organizer_id != organizer.pk or (event_id and d.event_id != event_id) for d in event_dates
    ):
        errors["event_dates"] = [_("Choose dates of the voucher's organizer and event.")]
    if voucher.valid_from and voucher.valid_until and voucher.valid_until <= voucher.valid_from:
        errors["valid_until"] = [_("The end of the validity comes before its start.")]
    if voucher.max_uses is not None and voucher.max_uses < voucher.used:
        errors["max_uses"] = [
            _("It has been used %(count)s times already: no fewer than that.") % {"count": voucher.used}
        ]
    for name in ("max_uses", "max_uses_per_buyer"):
        if (getattr(voucher, name) or 0) > MAX_USES:
            errors[name] = [_("At most %(max)s, or empty for no limit.") % {"max": MAX_USES}]
    return errors


def _current(voucher: Voucher, scope: str) -> list[Any]:
    return list(getattr(voucher, scope).all()) if voucher.pk else []


def _scope_set(voucher: Voucher, ticket_types: list[TicketType], event_dates: list[EventDate]) -> None:
    voucher.ticket_types.set(ticket_types)
    voucher.event_dates.set(event_dates)


@transaction.atomic
def voucher_save(
    *,
    organizer: Organizer,
    code: str = "",
    voucher: Voucher | None = None,
    ticket_types: Iterable[TicketType] | None = None,
    event_dates: Iterable[EventDate] | None = None,
    actor: Actor = SYSTEM,
    **fields: Any,
) -> Voucher:
    """Create (or, given `voucher`, change) an organizer's voucher; an empty code on creation
    is a random one, on change the code it has. Fields: VOUCHER_FIELDS; the ticket types and
    dates it is for (None: as they are; none chosen: every one). A code is unique per
    organizer, case aside."""
    unknown = set(fields) - set(VOUCHER_FIELDS)
    if unknown:
        raise TypeError(f"not a voucher field: {', '.join(sorted(unknown))}")
    creating = voucher is None
    saved = Voucher(organizer=organizer) if voucher is None else voucher
    if saved.organizer_id != organizer.pk:
        raise ValidationError(_("This voucher belongs to another organizer."))
    if not creating:  # its uses as counted now, under its row's lock (never written back)
        saved.used = Voucher.objects.select_for_update().values_list("used", flat=True).get(pk=saved.pk)
    code = normalized_code(code) or (saved.code if not creating else random_code())
    _code_check(code, "code")
    saved.code = code
    for name, value in fields.items():
        setattr(saved, name, value)
    chosen_types = list(ticket_types if ticket_types is not None else _current(saved, "ticket_types"))
    chosen_dates = list(event_dates if event_dates is not None else _current(saved, "event_dates"))
    errors = _checked(saved, chosen_types, chosen_dates)
    if Voucher.objects.filter(organizer=organizer, code__iexact=code).exclude(pk=saved.pk).exists():
        errors["code"] = [
            _("%(organizer)s already has the code %(code)s.") % {"organizer": organizer.name, "code": code}
        ]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            saved.save(update_fields=None if creating else ["code", *VOUCHER_FIELDS])
    except IntegrityError as exc:  # the same code, made at the same moment
        raise ValidationError({"code": _("This code was just made by someone else.")}) from exc
    _scope_set(saved, chosen_types, chosen_dates)
    audit_log(
        actor=actor,
        action="voucher.created" if creating else "voucher.changed",
        target=saved,
        code=saved.code,
        price_mode=saved.price_mode,
        value=str(saved.value),
    )
    return saved


@transaction.atomic
def vouchers_batch_create(
    *,
    organizer: Organizer,
    quantity: int,
    prefix: str = "",
    ticket_types: Iterable[TicketType] = (),
    event_dates: Iterable[EventDate] = (),
    actor: Actor = SYSTEM,
    **fields: Any,
) -> list[Voucher]:
    """`quantity` vouchers alike, each with its own random code after `prefix`, tagged
    (the given tag, else the prefix) so that their list and spreadsheet can be found."""
    if not 1 <= quantity <= BATCH_MAX:
        raise ValidationError({"quantity": _("Between 1 and %(max)d codes at once.") % {"max": BATCH_MAX}})
    prefix = normalized_code(prefix)
    if prefix:
        _code_check(prefix, "prefix")
    if len(prefix) + RANDOM_LENGTH > CODE_MAX_LENGTH:
        raise ValidationError({"prefix": _("A shorter prefix, please.")})
    unknown = set(fields) - set(VOUCHER_FIELDS)
    if unknown:
        raise TypeError(f"not a voucher field: {', '.join(sorted(unknown))}")
    fields["tag"] = fields.get("tag") or prefix
    template = Voucher(organizer=organizer, **fields)
    chosen_types, chosen_dates = list(ticket_types), list(event_dates)
    errors = _checked(template, chosen_types, chosen_dates)
    if errors:
        raise ValidationError(errors)
    codes: set[str] = set()
    while len(codes) < quantity:
        wanted = {random_code(prefix).upper() for _i in range(quantity - len(codes))}
        taken = set(
            Voucher.objects.filter(organizer=organizer, code__in=wanted).values_list("code", flat=True)
        )
        codes |= wanted - taken
    made = Voucher.objects.bulk_create(
        [Voucher(organizer=organizer, code=code, **fields) for code in sorted(codes)]
    )
    VoucherTicketType.objects.bulk_create(
        [VoucherTicketType(voucher_id=v.pk, ticket_type_id=t.pk) for v in made for t in chosen_types]
    )
    VoucherEventDate.objects.bulk_create(
        [VoucherEventDate(voucher_id=v.pk, event_date_id=d.pk) for v in made for d in chosen_dates]
    )
    audit_log(
        actor=actor, action="voucher.batch_created", target=organizer, count=len(made), tag=fields["tag"]
    )
    return made


@transaction.atomic
def voucher_delete(*, voucher: Voucher, actor: Actor = SYSTEM) -> None:
    """Delete a voucher no ticket was ever sold with; a used one stays, for its orders'
    records (end its validity instead)."""
    if Ticket.objects.filter(voucher=voucher).exists():
        raise Conflict(
            _("The code %(code)s was used in orders: it cannot be deleted. End its validity instead.")
            % {"code": voucher.code}
        )
    audit_log(actor=actor, action="voucher.deleted", target=voucher, code=voucher.code)
    voucher.delete()


# --- redeeming --------------------------------------------------------------------------------


def _uses_of(tickets: Iterable[Ticket]) -> Counter[int]:
    return Counter(ticket.voucher_id for ticket in tickets if ticket.voucher_id is not None)


def voucher_buyers_enforce(
    *,
    tickets: Iterable[Ticket],
    customer: User | None,
    email: str,
    now: datetime,
    excluding_order_id: int | None = None,
) -> None:
    """Inside the selling transaction, after the event's limit per buyer: lock the buyer for
    each voucher `tickets` use that has a limit per buyer, then raise VoucherRefused when the
    buyer's other uses and these pass it. An unknown buyer is not limited here: the checkout is."""
    uses = _uses_of(tickets)
    if not uses:
        return
    limited = {
        v.pk: v
        for v in Voucher.objects.filter(pk__in=list(uses), max_uses_per_buyer__isnull=False).order_by("pk")
    }
    whose = []
    if customer is not None:
        whose.append(f"account:{customer.pk}")
    if normalized_email(email):
        whose.append(f"email:{normalized_email(email)}")
    if not limited or not whose:
        return
    schema_name = current_schema()
    keys = sorted(f"{schema_name}:voucher-buyer:{pk}:{who}" for pk in limited for who in whose)
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
    for pk, voucher in limited.items():
        limit = voucher.max_uses_per_buyer or 0
        had = buyer_voucher_uses(
            voucher_id=pk,
            customer_id=customer.pk if customer is not None else None,
            email=email,
            now=now,
            excluding_order_id=excluding_order_id,
        )
        if had + uses[pk] > limit:
            raise VoucherRefused(
                ngettext(
                    "The code %(code)s can be used for %(limit)s ticket per buyer",
                    "The code %(code)s can be used for %(limit)s tickets per buyer",
                    limit,
                )
                % {"code": voucher.code, "limit": limit}
                + (" " + _("(you already have %(had)s).") % {"had": had} if had else ".")
            )


# The conditional UPDATE of the uses: re-checked by PostgreSQL on the newest row version once
# it holds the row lock (READ COMMITTED), so it never counts past max_uses.
_TAKE_SQL = (
    "UPDATE sales_voucher SET used = used + %(n)s WHERE id = %(id)s "
    "AND (max_uses IS NULL OR used + %(n)s <= max_uses) RETURNING id"
)


def vouchers_take(tickets: Iterable[Ticket], *, now: datetime, as_sold_out: bool = False) -> None:
    """Count the uses of `tickets`' vouchers, or raise VoucherRefused (with `as_sold_out`:
    SoldOut, for an expired order paid late, whose payment is then refunded) naming the code
    used up or no longer valid. In the caller's transaction; rows taken in id order."""
    uses = _uses_of(tickets)
    for pk in sorted(uses):
        voucher = Voucher.objects.get(pk=pk)
        problem = _validity_problem(voucher, now)
        if problem is None:
            with connection.cursor() as cursor:
                cursor.execute(_TAKE_SQL, {"n": uses[pk], "id": pk})
                if cursor.fetchone() is None:
                    problem = _used_up(voucher, uses[pk])
        if problem is not None:
            if as_sold_out:
                raise SoldOut(part="vouchers", ids=[pk])
            raise VoucherRefused(problem)


def _validity_problem(voucher: Voucher, now: datetime) -> str | None:
    if voucher.valid_from is not None and now < voucher.valid_from:
        return _("The code %(code)s is not valid yet.") % {"code": voucher.code}
    if voucher.valid_until is not None and now >= voucher.valid_until:
        return _("The code %(code)s has expired.") % {"code": voucher.code}
    return None


def _used_up(voucher: Voucher, wanted: int) -> str:
    voucher.refresh_from_db(fields=["used", "max_uses"])
    left = voucher.uses_left or 0
    if not left:
        return _("The code %(code)s has been used up.") % {"code": voucher.code}
    return ngettext(
        "The code %(code)s can be used for %(left)s more ticket only.",
        "The code %(code)s can be used for %(left)s more tickets only.",
        left,
    ) % {"code": voucher.code, "left": left}


def vouchers_release(tickets: Iterable[Ticket]) -> None:
    """Give back the uses of tickets that stop holding them (expired, cancelled, refunded),
    once: the caller calls it where those tickets stop being valid or their order stops
    holding its seats. The voucher rows before the capacity counters (the lock order)."""
    uses = _uses_of(tickets)
    for pk in sorted(uses):
        Voucher.objects.filter(pk=pk).update(used=F("used") - uses[pk])


def vouchers_release_of_order(order_id: int) -> None:
    """vouchers_release for an order's valid tickets, in one query to find them."""
    rows = (
        Ticket.objects.filter(order_id=order_id, status=Ticket.Status.VALID, voucher__isnull=False)
        .values("voucher_id")
        .annotate(n=Count("pk"))
        .order_by("voucher_id")
    )
    for row in rows:
        Voucher.objects.filter(pk=row["voucher_id"]).update(used=F("used") - row["n"])
