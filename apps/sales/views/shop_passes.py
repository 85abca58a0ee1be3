"""The customer's season passes in their account (/account/passes/): each pass with its
validity, uses left and bookings, its holder's name and photo, (booking mode) the form to
book a date, which makes a ticket through the normal order, and next season's pass offered
to its holder first; and the renewal by a pass's code for holders not logged in
(/passes/renew/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.core.audit import Actor
from apps.core.exceptions import DomainError, RateLimited
from apps.core.forms import call_for_form
from apps.core.ratelimit import client_network, rate_limit_hit
from apps.organizers.models import Distribution
from apps.sales.models import Order, Pass, PassType
from apps.sales.pass_forms import PassBookingForm, PassCodeForm, PassHolderForm
from apps.sales.selectors.figures import online_sales_open
from apps.sales.selectors.passes import (
    pass_bookable,
    pass_bookings_of,
    pass_renewals_open,
    passes_of_customer,
)
from apps.sales.services.pass_bookings import pass_book, pass_renew
from apps.sales.services.passes import pass_holder_update
from apps.sales.tickets import ticket_qr_svg
from apps.sales.views.shop import CART, _holder


@login_required
def my_passes(request):
    """The logged-in customer's passes in this organization."""
    return render(request, "sales/my_passes.html", {"passes": passes_of_customer(request.user)[:100]})


def _own_pass(request, pk):
    season_pass = passes_of_customer(request.user).filter(pk=pk).first()
    if season_pass is None:
        raise Http404
    return season_pass


@login_required
def my_pass(request, pk):
    """One pass: its code to show at the gate, its holder, its bookings and the booking form."""
    season_pass = _own_pass(request, pk)
    booking_mode = season_pass.pass_type.mode == PassType.Mode.BOOKING
    holder_form = PassHolderForm(initial={"holder_name": season_pass.holder_name})
    bookable = pass_bookable(season_pass) if booking_mode else []
    booking_form = PassBookingForm(bookable=bookable)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "holder":
        holder_form = PassHolderForm(request.POST, request.FILES)
        if holder_form.is_valid():
            went_through, _saved = call_for_form(
                holder_form,
                pass_holder_update,
                season_pass=season_pass,
                holder_name=holder_form.cleaned_data["holder_name"],
                photo=holder_form.cleaned_data["photo"] or None,
                actor=Actor.from_request(request),
            )
            if went_through:
                messages.success(request, _("The pass's holder is saved."))
                return redirect("my-pass", season_pass.pk)
        status = 400
    elif request.method == "POST" and request.POST.get("action") == "renew":
        response = _renew(request, season_pass, request.POST.get("renewal", ""))
        if response is not None:
            return response
        status = 409
    elif request.method == "POST" and request.POST.get("action") == "book" and booking_mode:
        booking_form = PassBookingForm(request.POST, bookable=bookable)
        if booking_form.is_valid():
            response = _book(request, season_pass, booking_form)
            if response is not None:
                return response
        status = 400 if booking_form.errors else 409
    context = {
        "season_pass": season_pass,
        "qr": ticket_qr_svg(season_pass.ticket) if not booking_mode else "",
        "bookings": pass_bookings_of(season_pass),
        "holder_form": holder_form,
        "booking_form": booking_form if bookable else None,
        "booking_mode": booking_mode,
        "renewals": _renewals_here(request, season_pass),
    }
    return render(request, "sales/my_pass.html", context, status=status)


def _book(request, season_pass, form):
    pass_type = season_pass.pass_type
    organizer = pass_type.organizer
    if pass_type.booking_price and not online_sales_open(organizer):
        form.add_error(
            None, _("Online sales open soon: bookings that cost something cannot be paid online yet.")
        )
        return None
    distribution = organizer.distributions.filter(kind=Distribution.Kind.ONLINE_SHOP).order_by("pk").first()
    try:
        booking = pass_book(
            season_pass=season_pass,
            ticket_type=form.cleaned_data["ticket_type"],
            distribution=distribution,
            customer=request.user,
            email=request.user.email,
            language=get_language() or "",
            actor=Actor.from_request(request),
        )
    except DomainError as exc:
        form.add_error(None, str(exc))
        return None
    order = booking.ticket.order
    if (
        order.status == Order.Status.PENDING
        and request.organizer is not None
        and request.organizer.pk == organizer.pk
    ):
        request.session[CART] = order.pk  # to be paid like any cart
        return redirect("cart")
    messages.success(request, _("Booked: your ticket is below and on its way by e-mail."))
    return redirect("my-pass", season_pass.pk)


@login_required
def my_pass_photo(request, pk):
    season_pass = _own_pass(request, pk)
    if not season_pass.photo:
        raise Http404
    content_type = "image/png" if season_pass.photo.name.endswith(".png") else "image/jpeg"
    return FileResponse(season_pass.photo.open("rb"), content_type=content_type)


def _renewals_here(request, season_pass: Pass) -> list:
    """Renewals open to the pass now, bought in this organizer's shop (its cart lives there)."""
    organizer = request.organizer
    if organizer is None or organizer.pk != season_pass.pass_type.organizer_id:
        return []
    return pass_renewals_open(season_pass)


def _renew(request, season_pass: Pass, renewal_id: str, *, customer=None):
    """Put the renewal in a cart and go to it; None (with a message) when refused."""
    renewal = next((r for r in _renewals_here(request, season_pass) if str(r.pk) == renewal_id), None)
    if renewal is None:
        messages.error(request, _("This pass cannot be renewed now."))
        return None
    try:
        rate_limit_hit(scope="reservation", ident=client_network(request))
        order = pass_renew(
            season_pass=season_pass,
            renewal=renewal,
            distribution=request.organizer.distributions.filter(kind=Distribution.Kind.ONLINE_SHOP)
            .order_by("pk")
            .first(),
            customer=customer or (request.user if request.user.is_authenticated else None),
            email=request.user.email if request.user.is_authenticated else "",
            holder=_holder(request),
            language=get_language() or "",
            actor=Actor.from_request(request),
        )
    except (DomainError, RateLimited) as exc:
        messages.error(request, str(exc))
        return None
    request.session[CART] = order.pk
    return redirect("cart")


def pass_renew_by_code(request):
    """A holder not logged in renews their pass with its code (what its QR code carries)."""
    if request.organizer is None:
        raise Http404
    form = PassCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        season_pass = (
            Pass.objects.filter(
                ticket__code=form.cleaned_data["code"], pass_type__organizer=request.organizer
            )
            .select_related("pass_type", "ticket__order")
            .first()
        )
        renewals = _renewals_here(request, season_pass) if season_pass else []
        if not renewals:
            form.add_error("code", _("No renewal is open to this pass code now."))
        else:
            response = _renew(request, season_pass, str(renewals[0].pk))
            if response is not None:
                return response
        status = 400 if form.errors else 409
    elif form.errors:
        status = 400
    return render(request, "sales/pass_renew.html", {"form": form}, status=status)
