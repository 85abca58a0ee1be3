"""What the organizer's staff change on an order from the control panel or the API: cancel
one still unpaid, correct the buyer's e-mail address, or an attendee's name. Each change is
audited with the old and the new value (the order page's history reads it)."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.audit import Actor, audit_log
from apps.sales.exceptions import OrderRejected
from apps.sales.models import Order, Ticket
from apps.sales.services.orders import SYSTEM, order_cancel

ATTENDEE_MAX_LENGTH = 200


@transaction.atomic
def order_cancel_unpaid(*, order_id: int, actor: Actor = SYSTEM) -> Order:
    """Cancel an order awaiting payment (its open card payment cancelled, its seats back on
    sale); a paid order is refunded instead, never cancelled from here."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status != Order.Status.PENDING:
        raise OrderRejected(
            _("Only an order awaiting payment can be cancelled: this one is %(status)s.")
            % {"status": order.get_status_display().lower()}
        )
    return order_cancel(order_id=order_id, actor=actor)


@transaction.atomic
def order_email_change(*, order_id: int, email: str, actor: Actor = SYSTEM) -> Order:
    """Correct the buyer's e-mail address (where its tickets and notices go)."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise OrderRejected(_("Enter a valid e-mail address.")) from None
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.email == email:
        return order
    old, order.email = order.email, email
    order.save(update_fields=["email"])
    audit_log(actor=actor, action="order.email_changed", target=order, old=old, new=email)
    return order


@transaction.atomic
def ticket_attendee_change(*, ticket_id: int, name: str, actor: Actor = SYSTEM) -> Ticket:
    """Put another name on a ticket (who comes with it); a void ticket keeps its name."""
    name = " ".join(name.split())
    if len(name) > ATTENDEE_MAX_LENGTH:
        raise OrderRejected(
            _("An attendee's name has at most %(count)d characters.") % {"count": ATTENDEE_MAX_LENGTH}
        )
    ticket = Ticket.objects.select_for_update().select_related("order").get(pk=ticket_id)
    if ticket.status != Ticket.Status.VALID:
        raise OrderRejected(_("This ticket is no longer valid: its name stays as it was."))
    if ticket.attendee_name == name:
        return ticket
    old, ticket.attendee_name = ticket.attendee_name, name
    ticket.save(update_fields=["attendee_name"])
    audit_log(
        actor=actor, action="order.attendee_changed", target=ticket.order, ticket=ticket.pk, old=old, new=name
    )
    return ticket
