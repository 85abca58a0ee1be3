"""The organization's customers, as the control panel lists them.

A customer is one e-mail address (DESIGN §1: one e-mail = one customer per organization):
the account's address for the orders a customer account placed while logged in, the
buyer's address for guest orders (so a guest who later opens an account with that address
is the same customer). A customer is someone who bought: at least one order that was paid
(refunded later or not); carts, unpaid and expired orders make nobody a customer, and
neither does an account that never bought (it is a login, not a buyer).

Who sees whom is decided by the orders one may see (apps.sales.selectors.orders_visible_to,
through the permission module): organization admins see every customer; an organizer's
configurer or a seller sees the customers with orders they may see, and of each only those
orders, counts and totals.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TypeAlias, TypedDict

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django_stubs_ext import WithAnnotations

from apps.accounts.models import User
from apps.operators.permissions import Someone
from apps.sales.models import Order
from apps.sales.selectors import orders_visible_to

SEARCH_MAX_LENGTH = 200


class _ByCustomer(TypedDict):
    customer_email: str


CustomerOrders: TypeAlias = "QuerySet[WithAnnotations[Order, _ByCustomer]]"


@dataclass
class Customer:
    email: str
    name: str
    orders: int
    last_order_at: datetime
    has_account: bool = False
    # {currency: total of its orders that stand paid}, by currency code.
    spent: dict[str, Decimal] = field(default_factory=dict)

    @property
    def spent_by_currency(self) -> list[tuple[str, Decimal]]:
        return sorted(self.spent.items())


def _customer_email() -> Lower:
    """The e-mail an order counts under: its account's, else the one the buyer typed."""
    return Lower(Coalesce(NullIf("customer__email", Value("")), NullIf("email", Value(""))))


def customer_orders_visible_to(user: Someone) -> CustomerOrders:
    """Orders that make a customer (paid at least once), among those `user` may see,
    annotated with the customer's e-mail (`customer_email`)."""
    return (
        orders_visible_to(user)
        .filter(paid_at__isnull=False)
        .annotate(customer_email=_customer_email())
        .exclude(customer_email__isnull=True)
        .exclude(customer_email="")
    )


def _searched(orders: CustomerOrders, search: str) -> CustomerOrders:
    search = search.strip()[:SEARCH_MAX_LENGTH]
    if not search:
        return orders
    if "\x00" in search:  # PostgreSQL refuses NUL in text: no one has it
        return orders.none()
    matching = orders.filter(
        Q(customer_email__icontains=search)
        | Q(buyer_name__icontains=search)
        | Q(customer__full_name__icontains=search)
    ).values("customer_email")
    return orders.filter(customer_email__in=matching)


def customer_rows(user: Someone, *, search: str = "", email: str = "") -> QuerySet[Order, dict[str, object]]:
    """One row per customer `user` may see (matching `search` in e-mail or name; only the one
    with `email`, lower case, if given), latest buyer first: {"customer_email", "orders",
    "last_order_at"}. Page it, then give the page to customers_described()."""
    orders = _searched(customer_orders_visible_to(user), search)
    if email:
        orders = orders.filter(Q(customer_email=email))
    return (
        orders.order_by()
        .values("customer_email")
        .annotate(orders=Count("pk"), last_order_at=Max("created_at"))
        .order_by("-last_order_at", "customer_email")
    )


def customers_described(user: Someone, rows: Iterable[dict[str, object]]) -> list[Customer]:
    """The customers of `rows` (from customer_rows), with their name (the latest one given),
    whether they have an account, and what they spent per currency: two queries per page."""
    rows = list(rows)
    emails = [str(row["customer_email"]) for row in rows]
    orders = customer_orders_visible_to(user).filter(Q(customer_email__in=emails)).order_by()
    names = {
        row["customer_email"]: next((name for name in row["names"] if name), "")
        for row in orders.values("customer_email").annotate(
            names=ArrayAgg(
                Coalesce(
                    NullIf("buyer_name", Value("")), NullIf("customer__full_name", Value("")), Value("")
                ),
                order_by="-created_at",
            )
        )
    }
    spent: dict[str, dict[str, Decimal]] = {}
    for row in (
        orders.filter(status=Order.Status.PAID)
        .values("customer_email", "currency")
        .annotate(total=Sum("total"))
        .order_by("customer_email", "currency")
    ):
        spent.setdefault(row["customer_email"], {})[row["currency"]] = row["total"]
    accounts = set(
        User.objects.annotate(address=Lower("email"))
        .filter(address__in=emails, is_operator=False)
        .values_list("address", flat=True)
    )
    return [
        Customer(
            email=email,
            name=names.get(email, ""),
            orders=int(str(row["orders"])),
            last_order_at=row["last_order_at"],  # type: ignore[arg-type]
            has_account=email in accounts,
            spent=spent.get(email, {}),
        )
        for email, row in zip(emails, rows, strict=True)
    ]


def customer_of(user: Someone, email: str) -> Customer | None:
    """The customer with this e-mail (any case), if `user` may see one of their orders."""
    email = email.strip().lower()
    rows = list(customer_rows(user, email=email)) if email else []
    described = customers_described(user, rows)
    return described[0] if described else None


def orders_of_customer_visible_to(user: Someone, email: str) -> CustomerOrders:
    """Every order (paid or not, carts aside) a customer made that `user` may see, newest
    first, with their organizer and channel."""
    return (
        orders_visible_to(user)
        .annotate(customer_email=_customer_email())
        .filter(customer_email=email.strip().lower())
        .exclude(email="")  # a logged-in customer's cart
        .select_related("organizer", "distribution")
        .order_by("-created_at", "-pk")
    )
