"""The tickets e-mail of a paid order, sent once."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.core.audit import Actor, audit_log
from apps.core.emails import message_send
from apps.core.schemas import current_schema
from apps.sales import tasks  # (tasks call these services: a cycle of modules, not of names)
from apps.sales.exceptions import OrderRejected
from apps.sales.models import Order, OrderAddOn, Ticket
from apps.sales.selectors import organizer_base_url
from apps.sales.selectors.addons import with_ticket_position
from apps.sales.tickets import tickets_pdf


def confirmation_on_commit(order: Order) -> None:
    """E-mail the tickets once the payment is committed (the task sends at most once)."""
    schema_name = current_schema()
    tasks.send_order_confirmation.delay_on_commit(schema_name=schema_name, order_id=order.pk)


@transaction.atomic
def order_confirmation_resend(*, order_id: int, actor: Actor) -> Order:
    """Send a paid order's tickets e-mail again (to its current address), on request: the
    request is audited, the e-mail goes once the request commits (the task sends it once)."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status != Order.Status.PAID or not order.email:
        raise OrderRejected(_("Only a paid order's tickets can be e-mailed."))
    order.confirmation_sent_at = None
    order.save(update_fields=["confirmation_sent_at"])
    audit_log(actor=actor, action="order.confirmation_resent", target=order, to=order.email)
    confirmation_on_commit(order)
    return order


def order_confirmation_send(*, order_id: int) -> bool:
    """E-mail a paid order's tickets (PDF attached) to its buyer, once: a repeated task, or
    a payment notified five times, sends nothing more. Returns whether it sent."""
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("organizer").get(pk=order_id)
        if order.status != Order.Status.PAID or order.confirmation_sent_at is not None:
            return False
        with translation.override(order.language or settings.LANGUAGE_CODE):
            context = {
                "order": order,
                "tickets": order.tickets.filter(status=Ticket.Status.VALID).select_related(
                    "ticket_type__event__location", "ticket_type__event__organizer", "event_date", "voucher"
                ),
                "order_url": organizer_base_url(order.organizer) + f"/orders/{order.code}/{order.secret}/",
                "add_ons": with_ticket_position(
                    order.add_ons.filter(status=OrderAddOn.Status.VALID)
                ).order_by("pk"),
            }
            subject = _("Your tickets from %(organizer)s (order %(code)s)") % {
                "organizer": order.organizer.name,
                "code": order.code,
            }
            body = render_to_string("sales/email/order_confirmation.txt", context)
            html_body = render_to_string("sales/email/order_confirmation.html", context)
            pdf = tickets_pdf(order)
        order.confirmation_sent_at = timezone.now()
        order.save(update_fields=["confirmation_sent_at"])
        audit_log(actor=Actor(user=None), action="order.confirmation_sent", target=order, to=order.email)
        # Sent inside the lock: a second task waits, then sees confirmation_sent_at.
        message_send(
            to=[order.email],
            subject=subject,
            body=body,
            html_body=html_body,
            attachments=[(f"tickets-{order.code}.pdf", pdf, "application/pdf")],
        )
    return True
