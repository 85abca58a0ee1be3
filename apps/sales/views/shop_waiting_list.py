"""The storefront's waiting list: join the list of a sold-out ticket type, and the landing of
an offer's e-mailed link, which opens the held cart (apps.sales.services.waiting_list)."""

from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language

from apps.core.exceptions import DomainError, RateLimited
from apps.core.ratelimit import client_network, rate_limit_hit
from apps.core.tokens import token_unsign
from apps.events.models import TicketType
from apps.sales import selectors
from apps.sales.models import Order, WaitingListEntry
from apps.sales.services import waiting_list
from apps.sales.views.shop import CART
from apps.sales.waiting_list_forms import WaitingListJoinForm

JOINED = "waiting_list_joined"


def _ticket_type_of(request, event_pk: int, ticket_type_pk: int):
    if request.organizer is None:
        raise Http404
    event = selectors.event_on_sale(request.organizer, event_pk)
    if event is None or not event.waiting_list:
        raise Http404
    ticket_type = (
        TicketType.objects.filter(pk=ticket_type_pk, event=event, event_date__isnull=False, hidden=False)
        .select_related("event_date")
        .first()
    )
    if ticket_type is None:
        raise Http404
    ticket_type.event = event  # with its location and organizer, as the selector read them
    return event, ticket_type


def waiting_list_join(request, pk, ticket_type_pk):
    """The form to join a sold-out ticket type's waiting list (e-mail address, how many)."""
    event, ticket_type = _ticket_type_of(request, pk, ticket_type_pk)
    form = WaitingListJoinForm(request.POST or None, initial={"quantity": max(1, ticket_type.min_per_order)})
    status, retry_after = 200, None
    if request.method == "POST":
        status = 400
        try:
            rate_limit_hit(scope="waiting_list", ident=client_network(request))
        except RateLimited as refused:
            form.is_valid()
            form.add_error(None, str(refused))
            status, retry_after = 429, refused.retry_after
        else:
            if form.is_valid():
                try:
                    entry = waiting_list.waiting_list_join(
                        ticket_type=ticket_type,
                        email=form.cleaned_data["email"],
                        quantity=form.cleaned_data["quantity"],
                        language=get_language() or "",
                    )
                except DomainError as exc:
                    form.add_error(exc.field if exc.field in form.fields else None, str(exc))
                else:
                    request.session[JOINED] = entry.pk
                    return redirect("waiting-list-joined", pk=event.pk)
    response = render(
        request,
        "sales/waiting_list_join.html",
        {
            "event": event,
            "ticket_type": ticket_type,
            "event_date": ticket_type.event_date,
            "form": form,
            "offer_hours": waiting_list.offer_hours(),
        },
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def waiting_list_joined(request, pk):
    """The confirmation of the entry this session just made."""
    entry_id = request.session.get(JOINED)
    entry = (
        WaitingListEntry.objects.filter(pk=entry_id, ticket_type__event_id=pk)
        .select_related("ticket_type__event__location", "ticket_type__event__organizer", "event_date")
        .first()
        if entry_id
        else None
    )
    if (
        entry is None
        or request.organizer is None
        or entry.ticket_type.event.organizer_id != request.organizer.pk
    ):
        return redirect("shop-event", pk=pk)
    return render(
        request, "sales/waiting_list_joined.html", {"entry": entry, "event": entry.ticket_type.event}
    )


def waiting_list_offer(request, token):
    """An offer's link: its held cart becomes this visitor's cart, or the page says it is over."""
    max_age = (waiting_list.offer_hours() + 24) * 3600  # the order decides; this only bounds the link
    try:
        payload = token_unsign(token, purpose=waiting_list.OFFER_PURPOSE, max_age=max_age)
    except signing.BadSignature:  # (SignatureExpired is one)
        raise Http404 from None
    if not isinstance(payload, dict):
        raise Http404
    entry = (
        WaitingListEntry.objects.filter(pk=payload.get("entry"), order_id=payload.get("order"))
        .select_related(
            "order", "ticket_type__event__organizer", "ticket_type__event__location", "event_date"
        )
        .first()
    )
    if (
        entry is None
        or request.organizer is None
        or entry.ticket_type.event.organizer_id != request.organizer.pk
    ):
        raise Http404
    order = entry.order
    if (
        entry.status == WaitingListEntry.Status.OFFERED
        and order is not None
        and order.status == Order.Status.PENDING
        and order.expires_at > timezone.now()
    ):
        request.session[CART] = order.pk
        return redirect("cart")
    if entry.status == WaitingListEntry.Status.CONVERTED and order is not None:
        return redirect("order-detail", order.code, order.secret)
    return render(
        request,
        "sales/waiting_list_offer_over.html",
        {"entry": entry, "event": entry.ticket_type.event},
        status=410,
    )
