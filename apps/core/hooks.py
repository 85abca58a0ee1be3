"""The one way up (DESIGN §5): how a lower layer learns something from a higher one.

Apps import only the apps below them. When a lower app must ask a higher one a question
(the plan's features for the permission module, the platform's fee for a sale) or tell it
that something happened (a payment's outcome for whatever it paid for, an event changed for
the hub), it goes through a hook declared here, in one list, typed, with who asks and who
answers. The higher app registers its function in its `AppConfig.ready()`; the lower one
calls the hook. Nothing else crosses layers upwards: no signal routed by string prefixes, no
`import_string` of a setting, no import inside a function to dodge the graph.

Three kinds:
- `Question`: exactly one answer. Asking one nobody answers raises `HookNotAnswered` (an
  app left out of INSTALLED_APPS is a broken install, never a silent default).
- `Notice`: any number of listeners, called in the order they registered.
- `Purposes`: one handler per named purpose (what a payment was for, say); an unknown
  purpose raises `HookNotAnswered`.

The hooks themselves are declared at the bottom of this module, and only there.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, ParamSpec, TypeVar

from django.core.exceptions import ImproperlyConfigured

P = ParamSpec("P")
R = TypeVar("R")


class HookNotAnswered(ImproperlyConfigured):
    """A hook was asked that no installed app answers."""


class Question(Generic[P, R]):
    """Asked by a lower layer, answered by exactly one function of a higher one."""

    def __init__(self, name: str, *, asked_by: str, answered_by: str) -> None:
        self.name, self.asked_by, self.answered_by = name, asked_by, answered_by
        self._answer: Callable[P, R] | None = None

    def answer(self, function: Callable[P, R]) -> Callable[P, R]:
        """Register `function` as the answer (call it from `AppConfig.ready()`); registering
        the same function again is harmless, a second one is a mistake."""
        if self._answer is not None and self._answer is not function:
            raise ImproperlyConfigured(f"hook {self.name!r} is already answered by {self._answer!r}")
        self._answer = function
        return function

    @property
    def is_answered(self) -> bool:
        return self._answer is not None

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if self._answer is None:
            raise HookNotAnswered(f"hook {self.name!r} is not answered: is {self.answered_by} installed?")
        return self._answer(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Question {self.name}: {self.asked_by} asks, {self.answered_by} answers>"


class Notice(Generic[P]):
    """Sent by a lower layer, heard by any number of functions of higher ones."""

    def __init__(self, name: str, *, sent_by: str, heard_by: str) -> None:
        self.name, self.sent_by, self.heard_by = name, sent_by, heard_by
        self._listeners: list[Callable[P, object]] = []

    def listen(self, function: Callable[P, object]) -> Callable[P, object]:
        if function not in self._listeners:
            self._listeners.append(function)
        return function

    def send(self, *args: P.args, **kwargs: P.kwargs) -> None:
        for listener in self._listeners:
            listener(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Notice {self.name}: {self.sent_by} sends, {self.heard_by} hear>"


class Purposes(Generic[P]):
    """One handler per named purpose, registered by the app that owns the purpose."""

    def __init__(self, name: str, *, dispatched_by: str) -> None:
        self.name, self.dispatched_by = name, dispatched_by
        self._handlers: dict[str, Callable[P, object]] = {}

    def register(self, purpose: str, function: Callable[P, object]) -> Callable[P, object]:
        known = self._handlers.get(purpose)
        if known is not None and known is not function:
            raise ImproperlyConfigured(f"{self.name}: purpose {purpose!r} is already handled by {known!r}")
        self._handlers[purpose] = function
        return function

    def __contains__(self, purpose: object) -> bool:
        return purpose in self._handlers

    def purposes(self) -> list[str]:
        return sorted(self._handlers)

    def dispatch(self, purpose: str, *args: P.args, **kwargs: P.kwargs) -> None:
        handler = self._handlers.get(purpose)
        if handler is None:
            raise HookNotAnswered(f"{self.name}: no app handles the purpose {purpose!r}")
        handler(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Purposes {self.name}: {', '.join(self.purposes()) or 'none'}>"


# --- the hooks ---------------------------------------------------------------------------
# Each: what it carries, who asks or sends, who answers or hears. Add new ones here only.


@dataclass(frozen=True)
class PlanFeatures:
    """What an organizer's plan, with its client account's overrides, lets it use."""

    event_replication: bool
    box_office: bool
    custom_domain: bool
    max_operators: int | None  # None: no maximum
    overridden: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FeeableSale:
    """What the platform's fee on an online sale depends on, handed up by sales."""

    schema_name: str
    organizer_id: int
    currency: str
    paid_tickets: int  # tickets with a price above zero
    subtotal: Decimal  # the ticket revenue, before service fees


# (organization id, organizer ids) -> {organizer id: its features}, for those of the
# organizers that have a client account; one without is left out (it has no plan).
organizers_features: Question[[int, Collection[int]], dict[int, PlanFeatures]] = Question(
    "organizers_features", asked_by="apps.operators.permissions", answered_by="apps.billing"
)

# The platform's fee on an online sale, in the sale's currency (not yet capped at its total).
sale_application_fee: Question[[FeeableSale], Decimal] = Question(
    "sale_application_fee", asked_by="apps.sales", answered_by="apps.billing"
)

# A payment succeeded: (the id of what it paid for, the payment's id), by its purpose
# ("order", "invoice"), in the schema of the payment. Inside the webhook's transaction.
payment_succeeded: Purposes[[int, int]] = Purposes("payment_succeeded", dispatched_by="apps.payments")

# An event was created, changed or deleted (schema name, event id): the hub re-reads it.
event_changed: Notice[[str, int]] = Notice("event_changed", sent_by="apps.events", heard_by="apps.hub")

# (event date ids) -> {date id: tickets sold on it}, for the control panel's event page
# (dates without a sale may be left out).
event_dates_sold: Question[[Collection[int]], dict[int, int]] = Question(
    "event_dates_sold", asked_by="apps.events.views", answered_by="apps.sales"
)

# The capacity of these event dates may have changed (schema name, event date ids): a date's,
# its location's, or a ticket type's limit was edited. Inside the events service's transaction;
# sales offers the seats raised to the dates' waiting lists once it commits.
capacity_changed: Notice[[str, list[int]]] = Notice(
    "capacity_changed", sent_by="apps.events", heard_by="apps.sales"
)
