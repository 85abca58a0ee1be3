"""The customer's season passes in their account (/account/passes/): each pass with its
validity, uses left and bookings, its holder's name and photo, and (booking mode) the form
to book a date, which makes a ticket through the normal order."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.core.audit import Actor
from apps.core.exceptions import DomainError
from apps.core.forms import call_for_form
from apps.organizers.models import Distribution
from apps.sales.models import Order, PassType
from apps.sales.pass_forms import PassBookingForm, PassHolderForm
from apps.sales.selectors.figures import online_sales_open
from apps.sales.selectors.passes import pass_bookable, pass_bookings_of, passes_of_customer
from apps.sales.services.pass_bookings import pass_book
from apps.sales.services.passes import pass_holder_update
from apps.sales.tickets import ticket_qr_svg
from apps.sales.views.shop import CART


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
