"""The shop's voucher and access code: typed in the event page's code field or brought by a
link (`?voucher=CODE` on any shop page), kept in the session for this organizer; the event
page then shows the hidden ticket types it unlocks and the prices with it, and the tickets
reserved while it is kept are sold with it."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from apps.core.exceptions import DomainError, RateLimited
from apps.core.ratelimit import client_network, rate_limit_hit
from apps.sales.models import Order, Voucher
from apps.sales.selectors.vouchers import (
    voucher_applies,
    voucher_by_code,
    voucher_discount_text,
    voucher_problem,
)
from apps.sales.services.cart import cart_voucher_apply
from apps.sales.services.orders import orders_expire
from apps.sales.voucher_forms import VoucherCodeForm

SESSION_KEY = "voucher_code"
CART = "cart_order_id"  # the session's cart (apps.sales.views.shop)


def _usable(request, code: str) -> tuple[Voucher | None, str]:
    """The organizer's voucher of `code` if it can be used now, else (None, why not). A code
    used up by carts past their time gets their uses back first."""
    voucher = voucher_by_code(request.organizer, code)
    if voucher is None:
        return None, _("The code %(code)s is not known here.") % {"code": code.strip()[:64]}
    problem = voucher_problem(voucher, timezone.now())
    used_up = problem and voucher.max_uses is not None and voucher.used >= voucher.max_uses
    if used_up and orders_expire(voucher_id=voucher.pk):
        voucher = voucher_by_code(request.organizer, code) or voucher
        problem = voucher_problem(voucher, timezone.now())
    return (None, problem) if problem else (voucher, "")


def voucher_take(request, code: str) -> Voucher | None:
    """Keep the code in the session when it can be used (the buyer is told either way).
    Every try counts against the client's rate of codes (RATE_LIMITS): codes are not guessed."""
    try:
        rate_limit_hit(scope="voucher", ident=client_network(request))
    except RateLimited as refused:
        messages.error(request, str(refused))
        return None
    voucher, problem = _usable(request, code)
    if voucher is None:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, problem)
        return None
    request.session[SESSION_KEY] = voucher.code
    messages.success(
        request,
        _("Code %(code)s applied: %(discount)s.")
        % {"code": voucher.code, "discount": voucher_discount_text(voucher, voucher.organizer.currency)},
    )
    return voucher


def session_voucher(request) -> Voucher | None:
    """The voucher the buyer brought (a `?voucher=` link now, or kept in the session), if it
    can still be used; one that no longer can is dropped, and the buyer told."""
    if request.organizer is None:
        return None
    if request.method == "GET" and request.GET.get("voucher"):
        return voucher_take(request, request.GET["voucher"])
    code = request.session.get(SESSION_KEY)
    if not code:
        return None
    voucher, problem = _usable(request, code)
    if voucher is None:
        request.session.pop(SESSION_KEY, None)
        messages.warning(request, problem)
    return voucher


def voucher_for(voucher: Voucher | None, ticket_types) -> Voucher | None:
    """The voucher, if it applies to one of the ticket types chosen (else the tickets are
    reserved without it)."""
    if voucher is None or not any(voucher_applies(voucher, t) for t in ticket_types):
        return None
    return voucher


def _cart_priced_with(request, voucher: Voucher) -> None:
    """A code typed with tickets already in the cart: those it applies to get it now."""
    cart = Order.objects.filter(
        pk=request.session.get(CART) or 0, organizer=request.organizer, status=Order.Status.PENDING
    ).first()
    if cart is None or not any(
        voucher_applies(voucher, t.ticket_type) for t in cart.tickets.select_related("ticket_type__event")
    ):
        return
    try:
        count = cart_voucher_apply(order_id=cart.pk, voucher=voucher)
    except DomainError as exc:
        messages.warning(request, str(exc))
    else:
        messages.info(
            request,
            ngettext(
                "It is applied to %(count)d ticket in your cart.",
                "It is applied to %(count)d tickets in your cart.",
                count,
            )
            % {"count": count},
        )


@require_POST
def voucher_apply(request):
    """The code field's form (or its "remove" button); back to the page it was on."""
    target = request.POST.get("next", "")
    # A path only: a bare word would be taken by redirect() for a URL's name.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    if request.organizer is None:
        return redirect("home")
    if "remove" in request.POST:
        request.session.pop(SESSION_KEY, None)
        messages.info(request, _("The code is removed."))
        return redirect(target)
    form = VoucherCodeForm(request.POST)
    if form.is_valid():
        voucher = voucher_take(request, form.cleaned_data["voucher"])
        if voucher is not None:
            _cart_priced_with(request, voucher)
    else:
        messages.error(request, _("Type the code you were given."))
    return redirect(target)
