"""Each client's monthly sales, counted from its own schema into the public table that the
clients list and snapshot read."""

from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import schema_context

from apps.billing.models import SalesMonth
from apps.billing.selectors.periods import first_of_month, months_back
from apps.billing.services.accounts import billing_account_open
from apps.billing.tasks import refresh_sales_months
from apps.sales.models import Order
from apps.sales.services.orders import OrderLine, order_create
from apps.sales.services.payments import order_refund
from tests.plans.factories import plan_build
from tests.sales.helpers import shop_build
from tests.tenants import ALPHA


def test_paid_tickets_still_valid_count_as_this_months_sales(alpha):
    with schema_context(ALPHA.schema_name):
        shop = shop_build(capacity=50)
    account = billing_account_open(
        organization=alpha,
        organizer_id=shop.organizer.pk,
        organizer_name=shop.organizer.name,
        organizer_slug=shop.organizer.slug,
        country="FR",
        plan=plan_build(),
    )
    with schema_context(ALPHA.schema_name):
        paid = order_create(
            distribution=shop.box_office,
            lines=[OrderLine(ticket_type=shop.day_ticket, quantity=3)],
            email="a@example.com",
            payment_method=Order.PaymentMethod.CASH,
        )
        order_refund(order_id=paid.pk, ticket_ids=[paid.tickets.first().pk])
        order_create(  # unpaid: not a sale
            distribution=shop.online,
            lines=[OrderLine(ticket_type=shop.day_ticket, quantity=5)],
            email="b@example.com",
            payment_method=Order.PaymentMethod.STRIPE,
        )

    assert refresh_sales_months.delay(schema_name="public").get() >= 1

    this_month = first_of_month(timezone.localdate())
    row = SalesMonth.objects.get(account=account, month=this_month)
    assert (row.orders, row.tickets, row.gross, row.currency) == (1, 2, Decimal("20.00"), "EUR")
    assert SalesMonth.objects.filter(account=account, month=months_back(this_month, 1)).exists() == (
        timezone.localdate().day <= 3
    )


def test_last_month_is_closed_in_the_first_days_only(alpha):
    from datetime import date

    from apps.billing.services.sales_months import sales_months_refresh

    account = billing_account_open(
        organization=alpha,
        organizer_id=1,
        organizer_name="X",
        organizer_slug="x",
        country="FR",
        plan=plan_build(),
    )
    sales_months_refresh(today=date(2026, 5, 2))
    sales_months_refresh(today=date(2026, 6, 15))

    months = set(SalesMonth.objects.filter(account=account).values_list("month", flat=True))
    assert months == {date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)}
