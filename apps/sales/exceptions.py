from collections.abc import Iterable

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.exceptions import Conflict, DomainError
from apps.organizers.models import Organizer


class SoldOut(Conflict):
    """Not enough capacity left: `part` is "dates" or "ticket_types", `ids` those that are
    full; `date_ids` are all the dates the tickets asked for."""

    def __init__(self, *, part: str, ids: list[int], date_ids: Iterable[int] = ()) -> None:
        self.part = part
        self.ids = ids
        self.date_ids = list(date_ids)
        super().__init__(_("Sold out: there are not enough tickets left."))


class AddOnSoldOut(SoldOut):
    """Not enough stock left of the add-ons `ids` (apps.sales.addon_stock)."""

    def __init__(self, *, ids: list[int]) -> None:
        self.part, self.ids, self.date_ids = "add_ons", ids, []
        Conflict.__init__(self, _("Sold out: there are not enough add-ons left."))


class OrderRejected(DomainError):
    """An order that cannot be made as asked (wrong event, outside the sale window, …)."""


class BuyerLimitReached(OrderRejected):
    """More tickets for an event than its limit per buyer allows (apps.sales.services.buyer_limits);
    the message names the limit and how many the buyer may still buy."""

    field = "email"


class WaitingListRejected(DomainError):
    """A waiting list entry that cannot be made or acted on as asked; `field` names the input."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class WaitingListConflict(WaitingListRejected):
    """An offer or removal the entry's state, or the seats free, do not allow (409)."""

    status_code = 409


class CheckInRefused(DomainError):
    """A scan that does not admit: `reason` is a short code, the message says why."""

    status_code = 409

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


class IdempotencyKeyReused(Conflict):
    """An Idempotency-Key sent again with another request body."""

    def __init__(self) -> None:
        super().__init__(_("This Idempotency-Key was already used for a different request."))


def box_office_not_in_plan(organizer: Organizer) -> str:
    return gettext(
        "The plan of %(organizer)s does not include the box office: ask the platform to add it."
    ) % {"organizer": organizer.name}


class InvoiceRefused(DomainError):
    """An invoice that cannot be issued (an unpaid order, an organizer without its legal
    details, one already issued)."""


class PassRejected(DomainError):
    """A pass that cannot be used as asked (not valid then, not covering that event, no uses
    left, that date already booked, …)."""

    status_code = 409


class VoucherRefused(OrderRejected):
    """A voucher or access code that cannot be used as asked: unknown, not valid now, used up,
    at its limit per buyer, or for none of the tickets chosen (apps.sales.services.vouchers)."""

    field = "voucher"
