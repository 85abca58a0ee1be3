"""What staff do with an order from its control page: e-mail the tickets again, cancel one
awaiting payment, refund it whole or chosen tickets (by card through Stripe's fake server,
or at the counter, recorded as such; the buyer told by e-mail in their language), correct
the buyer's e-mail or an attendee's name, download the tickets. Each a service, each a POST
with CSRF; refund and cancel confirm first; a refusal is a form error, never a 500."""

import itertools
import json
from decimal import Decimal

import pytest
import responses
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from apps.core.audit import Actor
from apps.core.models import AuditLogEntry, OutgoingEmail
from apps.payments import services as payments
from apps.payments.models import Payment
from apps.sales.exceptions import OrderRejected
from apps.sales.models import DateStock, Order, Ticket
from apps.sales.services.confirmations import order_confirmation_resend
from apps.sales.services.order_changes import order_cancel_unpaid, order_email_change, ticket_attendee_change
from apps.sales.services.orders import OrderLine, order_create
from apps.sales.services.payments import order_payment_start, order_refund
from tests.factories import ADMIN, ANONYMOUS, CONFIGURER, CUSTOMER, OTHER, OTHER_ORGANIZATION, SELLER
from tests.payments import stripe_fake
from tests.payments.fixtures import shop  # noqa: F401
from tests.sales.roles import TO_LOGIN, client_for, expect
from tests.sales.sales_data import sales_build
from tests.tenants import ALPHA

SYSTEM = Actor(user=None)


@pytest.fixture
def sales(world):
    return sales_build(world)


_refund_ids = itertools.count(1)


def _refund_made(request):
    body = stripe_fake.form(request)
    refund = {"id": f"re_orders{next(_refund_ids)}", "object": "refund"}
    return 200, {}, json.dumps({**refund, "status": "succeeded", "amount": int(body["amount"])})


@pytest.fixture
def paid_by_card(stripe_api, shop):  # noqa: F811
    """A card-paid order of 2 tickets (2 × 10.00) of a French buyer, paid through Stripe."""
    with schema_context(ALPHA.schema_name):
        order = order_create(
            distribution=shop.online,
            lines=[OrderLine(ticket_type=shop.day_ticket, quantity=2)],
            email="jeanne@example.com",
            buyer_name="Jeanne Card",
            payment_method=Order.PaymentMethod.STRIPE,
        )
        Order.objects.filter(pk=order.pk).update(language="fr")
        intent = stripe_fake.payment_intent(amount=2000)
        stripe_api.add(responses.POST, f"{stripe_fake.API}/v1/payment_intents", json=intent)
        payment = order_payment_start(order=order)
        stripe_api.add(
            responses.GET,
            f"{stripe_fake.API}/v1/payment_intents/{intent['id']}",
            json={**intent, "status": "succeeded", "amount_received": 2000},
        )
        payments.payment_reconcile(payment_id=payment.pk)
        order.refresh_from_db()
        assert order.status == Order.Status.PAID
    stripe_api.add_callback(responses.POST, f"{stripe_fake.API}/v1/refunds", callback=_refund_made)
    return order


def _refund_calls(stripe_api):
    return [stripe_fake.form(c.request) for c in stripe_api.calls if c.request.url.endswith("/v1/refunds")]


def _actions(order, *names):
    return list(
        AuditLogEntry.objects.filter(target_type="sales.order", target_id=str(order.pk), action__in=names)
        .order_by("pk")
        .values_list("action", flat=True)
    )


def _refund_email(order):
    (email,) = OutgoingEmail.objects.filter(subject__contains=order.code)
    return email


# --- the services ---------------------------------------------------------------------------------


def test_resending_the_tickets_e_mails_them_again_in_the_buyers_language(
    world, sales, django_capture_on_commit_callbacks
):
    with schema_context(ALPHA.schema_name):
        Order.objects.filter(pk=sales.ann_box.pk).update(language="fr")
        with django_capture_on_commit_callbacks(execute=True):
            order_confirmation_resend(order_id=sales.ann_box.pk, actor=Actor(user=world.team.seller))
        with django_capture_on_commit_callbacks(execute=True):
            order_confirmation_resend(order_id=sales.ann_box.pk, actor=Actor(user=world.team.seller))

        assert [m.to for m in mail.outbox] == [["Ann@Example.com"], ["Ann@Example.com"]]
        assert "Vos billets" in mail.outbox[0].subject
        assert mail.outbox[0].attachments[0][0] == f"tickets-{sales.ann_box.code}.pdf"
        assert (
            _actions(sales.ann_box, "order.confirmation_resent", "order.confirmation_sent")
            == [
                "order.confirmation_resent",
                "order.confirmation_sent",
            ]
            * 2
        )
        resent = AuditLogEntry.objects.filter(action="order.confirmation_resent").first()
        assert resent.actor_email == "seller@example.com"
        with pytest.raises(OrderRejected):
            order_confirmation_resend(order_id=sales.account_pending.pk, actor=SYSTEM)


def test_cancelling_an_unpaid_order_gives_its_seats_back_and_a_paid_one_is_refused(world, sales):
    programme = sales.programme
    with schema_context(ALPHA.schema_name):
        held_before = DateStock.objects.get(event_date=programme.day1).held

        order = order_cancel_unpaid(
            order_id=sales.account_pending.pk, actor=Actor(user=world.team.configurer)
        )

        assert order.status == Order.Status.CANCELLED
        assert DateStock.objects.get(event_date=programme.day1).held == held_before - 1
        assert set(order.tickets.values_list("status", flat=True)) == {Ticket.Status.CANCELLED}
        with pytest.raises(OrderRejected, match="Only an order awaiting payment"):
            order_cancel_unpaid(order_id=sales.ann_box.pk, actor=SYSTEM)
        assert Order.objects.get(pk=sales.ann_box.pk).status == Order.Status.PAID


def test_refunding_a_chosen_ticket_by_card_goes_through_stripe_and_tells_the_buyer_in_french(
    stripe_api, paid_by_card, world
):
    with schema_context(ALPHA.schema_name):
        first, second = paid_by_card.tickets.order_by("pk")

        order = order_refund(
            order_id=paid_by_card.pk, ticket_ids=[second.pk], actor=Actor(user=world.team.admin)
        )

        assert order.status == Order.Status.PAID
        assert Ticket.objects.get(pk=second.pk).status == Ticket.Status.REFUNDED
        assert Ticket.objects.get(pk=first.pk).status == Ticket.Status.VALID
        assert Payment.objects.get().refunded_amount == Decimal("10.00")
        email = _refund_email(order)
        assert email.to == ["jeanne@example.com"]
        assert email.subject.startswith("Remboursement de votre commande")
        assert "10,00" in email.body
        assert "carte" in email.body
        assert "<html" in email.html_body
        refunded = AuditLogEntry.objects.get(action="order.refunded")
        assert refunded.data["via"] == "stripe"
        assert refunded.data["tickets"] == [second.pk]
    assert [call["amount"] for call in _refund_calls(stripe_api)] == ["1000"]


def test_a_cash_refund_is_recorded_as_given_back_at_the_counter(world, sales):
    with schema_context(ALPHA.schema_name):
        order = order_refund(order_id=sales.hacker.pk, actor=Actor(user=world.team.seller))

        assert order.status == Order.Status.REFUNDED
        assert AuditLogEntry.objects.get(action="order.refunded").data["via"] == "cash"
        email = _refund_email(order)
        assert email.to == ["hacker@example.com"]
        assert "given back to you there" in email.body
        assert not Payment.objects.exists()


def test_a_card_order_without_its_payment_is_refused_not_crashed(world, sales):
    """sales_data marks card orders paid without a Stripe payment: nothing to refund."""
    with schema_context(ALPHA.schema_name), pytest.raises(OrderRejected, match="no card payment"):
        order_refund(order_id=sales.ann_gala.pk)


def test_changing_the_buyers_e_mail_and_an_attendee_is_audited(world, sales):
    actor = Actor(user=world.team.configurer)
    with schema_context(ALPHA.schema_name):
        first, second = sales.ann_box.tickets.order_by("pk")

        order_email_change(order_id=sales.ann_box.pk, email=" ann.new@example.com ", actor=actor)
        ticket_attendee_change(ticket_id=second.pk, name="  Amy   Beta ", actor=actor)
        ticket_attendee_change(ticket_id=second.pk, name="Amy Beta", actor=actor)  # no change, no entry

        assert Order.objects.get(pk=sales.ann_box.pk).email == "ann.new@example.com"
        assert Ticket.objects.get(pk=second.pk).attendee_name == "Amy Beta"
        changes = AuditLogEntry.objects.filter(action__in=["order.email_changed", "order.attendee_changed"])
        assert [(e.action, e.data.get("old"), e.data.get("new")) for e in changes.order_by("pk")] == [
            ("order.email_changed", "Ann@Example.com", "ann.new@example.com"),
            ("order.attendee_changed", "Amy ALPHA", "Amy Beta"),
        ]
        with pytest.raises(OrderRejected, match="valid e-mail"):
            order_email_change(order_id=sales.ann_box.pk, email="not-an-address", actor=actor)
        with pytest.raises(OrderRejected, match="no longer valid"):
            ticket_attendee_change(ticket_id=sales.bob_refunded.tickets.get().pk, name="X", actor=actor)
        with pytest.raises(OrderRejected, match="at most 200"):
            ticket_attendee_change(ticket_id=first.pk, name="x" * 201, actor=actor)


# --- the pages, per role --------------------------------------------------------------------------


ACT = {
    ADMIN: 302,
    CONFIGURER: 302,
    SELLER: 302,
    OTHER: 404,  # A's box office is not B's configurer's
    CUSTOMER: 403,
    ANONYMOUS: TO_LOGIN,
    OTHER_ORGANIZATION: TO_LOGIN,
}


@pytest.mark.parametrize(("role", "expected"), list(ACT.items()))
def test_who_may_e_mail_the_tickets_again(world, sales, role, expected):
    client = client_for(world, role)

    response = client.post(f"/control/orders/{sales.ann_box.code}/resend/", follow=False)

    expect(response, expected)
    with schema_context(ALPHA.schema_name):
        resent = AuditLogEntry.objects.filter(action="order.confirmation_resent").exists()
    assert resent == (expected == 302)
    if expected == 302:
        page = client.get(response["Location"]).content.decode()
        assert "The tickets are being e-mailed again to Ann@Example.com." in page


def test_actions_need_a_post_with_its_csrf_token(world, sales):
    client = Client(HTTP_HOST=ALPHA.host, enforce_csrf_checks=True)
    with schema_context(ALPHA.schema_name):
        client.force_login(world.team.admin)

    assert client.get(f"/control/orders/{sales.ann_box.code}/resend/").status_code == 405
    assert client.post(f"/control/orders/{sales.ann_box.code}/resend/").status_code == 403
    assert client.post(f"/control/orders/{sales.account_pending.code}/cancel/").status_code == 403
    page = client.get(f"/control/orders/{sales.ann_box.code}/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


def test_resending_an_unpaid_orders_tickets_is_an_error_message(world, sales):
    client = client_for(world, ADMIN)

    response = client.post(f"/control/orders/{sales.account_pending.code}/resend/", follow=True)

    assert response.status_code == 200
    assert "Only a paid order&#x27;s tickets can be e-mailed." in response.content.decode()


def test_cancelling_asks_first_then_cancels(world, sales):
    client = client_for(world, CONFIGURER)
    url = f"/control/orders/{sales.account_pending.code}/cancel/"

    asked = client.get(url)
    with schema_context(ALPHA.schema_name):
        assert Order.objects.get(pk=sales.account_pending.pk).status == Order.Status.PENDING
    done = client.post(url, follow=True)

    assert "awaits payment" in asked.content.decode()
    assert done.status_code == 200
    body = done.content.decode()
    assert f"Order {sales.account_pending.code} is cancelled" in body
    with schema_context(ALPHA.schema_name):
        assert Order.objects.get(pk=sales.account_pending.pk).status == Order.Status.CANCELLED
    history = body[body.index('id="history-title"') :]
    assert "Cancelled" in history
    assert "configurer@example.com" in history


def test_cancelling_a_paid_order_is_a_form_error(world, sales):
    client = client_for(world, SELLER)

    response = client.post(f"/control/orders/{sales.ann_box.code}/cancel/")

    assert response.status_code == 400
    assert "Only an order awaiting payment can be cancelled" in response.content.decode()
    assert (
        client_for(world, SELLER).post(f"/control/orders/{sales.account_pending.code}/cancel/").status_code
        == 404
    )


def test_refunding_a_chosen_ticket_at_the_counter_confirms_then_refunds(world, sales):
    client = client_for(world, SELLER)
    url = f"/control/orders/{sales.ann_box.code}/refund/"
    with schema_context(ALPHA.schema_name):
        first, second = sales.ann_box.tickets.order_by("pk")

    choose = client.get(url).content.decode()
    confirm = client.post(url, {"tickets": [second.pk]})
    with schema_context(ALPHA.schema_name):
        assert Ticket.objects.get(pk=second.pk).status == Ticket.Status.VALID  # not yet
    done = client.post(url, {"tickets": [second.pk], "confirmed": "on"}, follow=True)

    assert "Amy ALPHA" in choose
    assert confirm.status_code == 200
    assert "Refund 1 ticket, €45.00?" in confirm.content.decode()
    assert "give the amount back there" in confirm.content.decode()
    body = done.content.decode()
    assert "1 ticket refunded (€45.00); the buyer is told by e-mail." in body
    history = body[body.index('id="history-title"') :]
    assert "€45.00, tickets #2" in history
    assert "Refund e-mailed to the buyer" in history
    with schema_context(ALPHA.schema_name):
        assert Ticket.objects.get(pk=second.pk).status == Ticket.Status.REFUNDED
        assert Ticket.objects.get(pk=first.pk).status == Ticket.Status.VALID
        assert _refund_email(sales.ann_box).to == ["Ann@Example.com"]


def test_refunding_the_whole_order_by_card_through_the_page(stripe_api, paid_by_card, world):
    client = client_for(world, ADMIN)
    url = f"/control/orders/{paid_by_card.code}/refund/"
    with schema_context(ALPHA.schema_name):
        ids = list(paid_by_card.tickets.order_by("pk").values_list("pk", flat=True))

    done = client.post(url, {"tickets": ids, "confirmed": "on"}, follow=True)

    assert "2 tickets refunded (€20.00)" in done.content.decode()
    assert [call["amount"] for call in _refund_calls(stripe_api)] == ["2000"]
    with schema_context(ALPHA.schema_name):
        assert Order.objects.get(pk=paid_by_card.pk).status == Order.Status.REFUNDED
        assert _refund_email(paid_by_card).subject.startswith("Remboursement")


def test_bad_refund_choices_are_form_errors(world, sales):
    client = client_for(world, ADMIN)
    url = f"/control/orders/{sales.ann_box.code}/refund/"

    nothing = client.post(url, {"confirmed": "on"})
    unknown = client.post(url, {"tickets": ["999999"], "confirmed": "on"})
    words = client.post(url, {"tickets": ["abc"]})
    card_without_payment = client.post(
        f"/control/orders/{sales.ann_gala.code}/refund/",
        {"tickets": [sales.ann_gala.tickets.get().pk], "confirmed": "on"},
    )
    refunded = client.get(f"/control/orders/{sales.bob_refunded.code}/refund/")

    assert nothing.status_code == 400
    assert unknown.status_code == 400
    assert words.status_code == 400
    assert card_without_payment.status_code == 400
    assert "This order has no card payment to refund." in card_without_payment.content.decode()
    assert "this order has none" in refunded.content.decode()
    with schema_context(ALPHA.schema_name):
        assert not AuditLogEntry.objects.filter(action="order.refunded").exists()


def test_changing_the_buyers_e_mail_and_an_attendee_from_the_page(world, sales):
    client = client_for(world, CONFIGURER)
    url = f"/control/orders/{sales.ann_box.code}/change/"
    with schema_context(ALPHA.schema_name):
        first, second = sales.ann_box.tickets.order_by("pk")

    form = client.get(url).content.decode()
    bad = client.post(url, {"email": "nope", f"attendee-{first.pk}": "Zed ALPHA"})
    done = client.post(
        url,
        {
            "email": "ann.new@example.com",
            f"attendee-{first.pk}": "Zed ALPHA",
            f"attendee-{second.pk}": "Amy B.",
        },
        follow=True,
    )

    assert 'value="Amy ALPHA"' in form
    assert bad.status_code == 400
    assert "Enter a valid email address." in bad.content.decode()
    body = done.content.decode()
    assert f"Order {sales.ann_box.code} is saved." in body
    history = body[body.index('id="history-title"') :]
    assert "from Ann@Example.com to ann.new@example.com" in history
    assert "ticket #2: from “Amy ALPHA” to “Amy B.”" in history
    assert "configurer@example.com" in history


def test_downloading_the_tickets(world, sales):
    client = client_for(world, SELLER)

    pdf = client.get(f"/control/orders/{sales.ann_box.code}/tickets.pdf")

    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert (
        client_for(world, ADMIN).get(f"/control/orders/{sales.account_pending.code}/tickets.pdf").status_code
        == 404
    )
    assert (
        client_for(world, OTHER).get(f"/control/orders/{sales.ann_box.code}/tickets.pdf").status_code == 404
    )


def test_the_refund_e_mail_in_english_for_an_english_buyer(world, sales):
    with schema_context(ALPHA.schema_name):
        Order.objects.filter(pk=sales.ann_box.pk).update(language="en")
        order_refund(order_id=sales.ann_box.pk, ticket_ids=[sales.ann_box.tickets.order_by("pk").first().pk])
        email = _refund_email(sales.ann_box)

    assert email.subject == f"Refund of your order {sales.ann_box.code} from ALPHA-A"
    assert "has refunded some tickets of your order" in email.body
    assert "Zed ALPHA" in email.body
