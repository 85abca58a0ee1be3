"""Season passes: pass types configured, passes issued when their order is paid, their uses
counted (at the gate in entry mode, by bookings in booking mode) and given back.

A use is one conditional UPDATE of the pass's row (`uses < max_uses`), which PostgreSQL
re-checks under the row lock: however many gates or bookings race, a pass is never used more
than its type allows. Order placing, paying, cancelling and expiring call `passes_issue` and
`pass_bookings_release` (apps.sales.services.orders); booking lives in
apps.sales.services.pass_bookings, above orders.
"""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from apps.core.audit import Actor, audit_log
from apps.core.money import fits_currency
from apps.core.timezones import DATE, format_in_zone, localdate_in
from apps.events.models import Event, EventDate, TicketType
from apps.organizers.catalog import catalog_changed
from apps.organizers.models import Organizer
from apps.sales.exceptions import PassRejected, SoldOut
from apps.sales.models import Order, Pass, PassBooking, PassType, Ticket, Voucher
from apps.sales.selectors.passes import pass_types_by_ticket_type
from apps.sales.services.vouchers import voucher_save

SYSTEM = Actor(user=None)
HOLDER_MAX_LENGTH = 200
PHOTO_MAX_BYTES = 2 * 1024 * 1024
# The first bytes of the photo formats a gate's browser shows.
PHOTO_SIGNATURES = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}


# --- pass types (control panel) ---------------------------------------------------------------


@transaction.atomic
def pass_type_save(
    *,
    organizer: Organizer,
    name: str,
    ticket_type: TicketType,
    mode: str,
    valid_from: date,
    valid_until: date,
    events: Iterable[Event],
    booking_price: Decimal = Decimal(0),
    max_uses: int | None = None,
    renewal_of: PassType | None = None,
    holders_from: datetime | None = None,
    pass_type: PassType | None = None,
    actor: Actor = SYSTEM,
) -> PassType:
    """Create a pass type, or change `pass_type`; raises ValidationError naming the field."""
    events = list(events)
    errors: dict[str, list[str]] = {}
    if ticket_type.event.organizer_id != organizer.pk:
        errors["ticket_type"] = [_("Choose a ticket type of this organizer.")]
    elif (
        PassType.objects.filter(ticket_type=ticket_type).exclude(pk=pass_type.pk if pass_type else 0).exists()
    ):
        errors["ticket_type"] = [_("This ticket type already sells another pass type.")]
    if not events:
        errors["events"] = [_("Choose at least one event the pass covers.")]
    elif any(event.organizer_id != organizer.pk for event in events):
        errors["events"] = [_("Choose events of this organizer.")]
    if valid_until < valid_from:
        errors["valid_until"] = [_("The last day cannot be before the first.")]
    if booking_price < 0 or not fits_currency(booking_price, organizer.currency):
        errors["booking_price"] = [_("Enter an amount in %(currency)s.") % {"currency": organizer.currency}]
    if renewal_of is not None and (
        renewal_of.organizer_id != organizer.pk or (pass_type and renewal_of.pk == pass_type.pk)
    ):
        errors["renewal_of"] = [_("Choose another pass type of this organizer.")]
    if errors:
        raise ValidationError(errors)
    created = pass_type is None
    pass_type = pass_type or PassType(organizer=organizer)
    pass_type.name = name
    pass_type.ticket_type = ticket_type
    pass_type.mode = mode
    pass_type.valid_from = valid_from
    pass_type.valid_until = valid_until
    pass_type.booking_price = booking_price
    pass_type.max_uses = max_uses
    pass_type.renewal_of = renewal_of
    pass_type.holders_from = holders_from
    pass_type.save()
    catalog_changed()  # a paid order reads which ticket types sell a pass from the catalog
    pass_type.events.set(events)
    audit_log(
        actor=actor,
        action="pass_type.created" if created else "pass_type.changed",
        target=pass_type,
        name=name,
    )
    return pass_type


@transaction.atomic
def pass_type_delete(*, pass_type: PassType, actor: Actor = SYSTEM) -> None:
    """Delete a pass type none of whose passes were sold (PassRejected otherwise)."""
    if pass_type.passes.exists():
        raise PassRejected(_("Passes of this type were sold: it cannot be deleted."))
    audit_log(actor=actor, action="pass_type.deleted", target=pass_type, name=pass_type.name)
    pass_type.delete()
    catalog_changed()


# --- issuing and the holder -------------------------------------------------------------------


def passes_issue(*, order: Order) -> list[Pass]:
    """The passes of a paid order's tickets whose type sells a pass type, once each (a second
    call issues nothing more); the holder is the attendee named, else the buyer."""
    sold_as = pass_types_by_ticket_type()
    tickets = [
        ticket
        for ticket in order.tickets.all()
        if ticket.status == Ticket.Status.VALID and ticket.ticket_type_id in sold_as
    ]
    issued = []
    for ticket in tickets:
        pass_type = PassType.objects.get(pk=sold_as[ticket.ticket_type_id])
        season_pass, created = Pass.objects.get_or_create(
            ticket=ticket,
            defaults={
                "pass_type": pass_type,
                "holder_name": (ticket.attendee_name or order.buyer_name or order.email)[:HOLDER_MAX_LENGTH],
                "customer_id": order.customer_id,
            },
        )
        if created:
            issued.append(season_pass)
            audit_log(actor=SYSTEM, action="pass.issued", target=season_pass, order=order.pk)
    return issued


def _photo_extension(photo: UploadedFile) -> str:
    if photo.size is None or photo.size > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": [_("The photo may be at most 2 MB.")]})
    head = photo.read(8)
    photo.seek(0)
    for signature, extension in PHOTO_SIGNATURES.items():
        if head.startswith(signature):
            return extension
    raise ValidationError({"photo": [_("Upload a JPEG or PNG photo.")]})


@transaction.atomic
def pass_holder_update(
    *, season_pass: Pass, holder_name: str, photo: UploadedFile | None = None, actor: Actor = SYSTEM
) -> Pass:
    """Name the pass's holder and (optionally) give their photo, shown at the gate."""
    holder_name = holder_name.strip()
    if not holder_name or len(holder_name) > HOLDER_MAX_LENGTH:
        raise ValidationError({"holder_name": [_("Enter the holder's name (at most 200 characters).")]})
    fields = ["holder_name"]
    season_pass.holder_name = holder_name
    if photo is not None:
        extension = _photo_extension(photo)
        if season_pass.photo:
            old = season_pass.photo.name
            transaction.on_commit(lambda: season_pass.photo.storage.delete(old))
        season_pass.photo.save(f"photo.{extension}", photo, save=False)
        fields.append("photo")
    season_pass.save(update_fields=fields)
    audit_log(actor=actor, action="pass.holder_changed", target=season_pass, holder=holder_name)
    return season_pass


# --- validity and uses --------------------------------------------------------------------------


def pass_check_valid(season_pass: Pass) -> None:
    """Raises PassRejected when the pass's ticket is void or its order not paid."""
    ticket = season_pass.ticket
    if ticket.status != Ticket.Status.VALID:
        raise PassRejected(
            _("Not valid: this pass was %(status)s.") % {"status": ticket.get_status_display().lower()}
        )
    if ticket.order.status != Order.Status.PAID:
        raise PassRejected(_("Not valid: its order is not paid."))


def pass_check_covers(season_pass: Pass, event_date: EventDate) -> None:
    """Raises PassRejected unless the pass covers the date's event and its day (in the
    event's zone) is within the pass's validity."""
    pass_type = season_pass.pass_type
    if not pass_type.events.filter(pk=event_date.event_id).exists():
        raise PassRejected(_("Not for this event: the pass does not cover it."))
    zone = event_date.time_zone
    day = localdate_in(event_date.start, zone)
    if not pass_type.valid_from <= day <= pass_type.valid_until:
        raise PassRejected(
            _("Not valid on that day: the pass is valid from %(first)s to %(last)s.")
            % {
                "first": format_in_zone(pass_type.valid_from, zone, DATE, label=False),
                "last": format_in_zone(pass_type.valid_until, zone, DATE, label=False),
            }
        )


def pass_use(*, season_pass: Pass) -> None:
    """Count one use, or raise PassRejected when none is left: one conditional UPDATE (the
    limit is a literal, so PostgreSQL re-checks `uses < limit` on the locked row)."""
    limit = season_pass.pass_type.max_uses
    uses = Pass.objects.filter(pk=season_pass.pk)
    if limit is not None:
        uses = uses.filter(uses__lt=limit)
    if not uses.update(uses=F("uses") + 1):
        raise PassRejected(
            _("No uses left: this pass was used %(count)s times, its limit.") % {"count": limit}
        )
    season_pass.uses += 1


def pass_bookings_release(
    *, order: Order, ticket_ids: Iterable[int] | None = None, expiring: bool = False
) -> int:
    """Give back the uses of the dates an order booked with passes (it is cancelled or
    expired; refunded: `ticket_ids`, its tickets refunded): each booking released once, its
    pass's row updated first (the order booking takes them in), and the renewals it bought,
    which their passes may make again. Returns how many bookings were released."""
    if not expiring:  # an expired cart keeps its renewal until the pass renews again
        renewals = Pass.objects.filter(renewed_with__order=order)
        if ticket_ids is not None:
            renewals = renewals.filter(renewed_with_id__in=list(ticket_ids))
        renewals.update(renewed_with=None)  # a renewal not bought: the holder may renew again
    released = 0
    bookings = PassBooking.objects.filter(ticket__order=order, status=PassBooking.Status.BOOKED)
    if ticket_ids is not None:
        bookings = bookings.filter(ticket_id__in=list(ticket_ids))
    for booking in bookings.order_by("season_pass_id", "pk"):
        Pass.objects.filter(pk=booking.season_pass_id, uses__gt=0).update(uses=F("uses") - 1)
        released += PassBooking.objects.filter(pk=booking.pk, status=PassBooking.Status.BOOKED).update(
            status=PassBooking.Status.RELEASED
        )
    return released


def pass_bookings_retake(*, order: Order) -> None:
    """An expired order paid late books again the dates its expiry released: each pass's use
    counted again and its booking made again, or SoldOut (the payment is then refunded)
    when the pass has no use left or has booked that date again meanwhile."""
    bookings = PassBooking.objects.filter(
        ticket__order=order, ticket__status=Ticket.Status.VALID, status=PassBooking.Status.RELEASED
    ).select_related("season_pass__pass_type")
    for booking in bookings.order_by("season_pass_id", "pk"):
        try:
            pass_use(season_pass=booking.season_pass)
            with transaction.atomic():  # the partial unique index: one booking of a date per pass
                booking.status = PassBooking.Status.BOOKED
                booking.save(update_fields=["status"])
        except (PassRejected, IntegrityError):
            raise SoldOut(part="passes", ids=[booking.season_pass_id]) from None


@transaction.atomic
def pass_renewal_codes_make(*, renewal: PassType, actor: Actor = SYSTEM) -> int:
    """Give every valid pass of the type `renewal` renews its holder's own access code to the
    renewal's ticket type (apps.sales.models.vouchers: one use, no discount, showing it when
    hidden, valid from the holders' date), once per pass: the passes' rows are locked, so
    two runs at once make one code each. Returns how many were made."""
    if renewal.renewal_of_id is None:
        raise PassRejected(_("This pass type renews no other: its holders have no codes to get."))
    holders = (
        Pass.objects.select_for_update(of=("self",))
        .filter(
            pass_type_id=renewal.renewal_of_id,
            renewal_voucher__isnull=True,
            ticket__status=Ticket.Status.VALID,
            ticket__order__status=Order.Status.PAID,
        )
        .order_by("pk")
    )
    made = 0
    for season_pass in holders:
        voucher = voucher_save(
            organizer=renewal.organizer,
            ticket_types=[renewal.ticket_type],
            event_dates=[],
            event=renewal.ticket_type.event,
            price_mode=Voucher.PriceMode.NONE,
            max_uses=1,
            unlocks_hidden=True,
            valid_from=renewal.holders_from,
            tag=f"renewal-{renewal.pk}",
            actor=actor,
        )
        Pass.objects.filter(pk=season_pass.pk).update(renewal_voucher=voucher)
        made += 1
    audit_log(actor=actor, action="pass_type.renewal_codes_made", target=renewal, count=made)
    return made
