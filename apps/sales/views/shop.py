import contextlib
import ipaddress
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.exceptions import DomainError, RateLimited
from apps.core.ratelimit import client_network, rate_limit_hit
from apps.core.timezones import localdate_in
from apps.events.selectors import published_events_of
from apps.organizers.models import Distribution
from apps.organizers.selectors import organizers_with_distributions
from apps.payments.csp import loads_stripe_js
from apps.payments.models import Payment
from apps.payments.selectors import payment_of, stripe_publishable_key
from apps.payments.services import payment_reconcile
from apps.sales import selectors
from apps.sales.forms import CheckoutForm, quantities_from
from apps.sales.holds import Holder
from apps.sales.models import Order
from apps.sales.selectors import calendar as shop_calendar
from apps.sales.selectors import order_by_secret
from apps.sales.selectors.addons import add_on_lines_of
from apps.sales.selectors.figures import online_sales_open
from apps.sales.services.cart import cart_lines_add, order_checkout
from apps.sales.services.orders import OrderLine, order_cancel, order_create, orders_expire
from apps.sales.services.payments import order_payment_start
from apps.sales.services.questions import answers_save
from apps.sales.tickets import ticket_qr_svg, tickets_pdf
from apps.sales.views.shop_addons import cart_add_on_context
from apps.sales.views.shop_answers import answers_form_of, answers_shown
from apps.sales.views.shop_vouchers import CART, session_voucher, voucher_for

EVENTS_PER_PAGE = 30
# What a ticket's line shows: its event and the parts that name the event's time zone.
TICKET_EVENT_PARTS = (
    "ticket_type__event__location",
    "ticket_type__event__organizer",
    "event_date",
    "voucher",
)


def storefront_home(request):
    """An organizer's shop front on its own host (its events to come), or the organization's
    organizers."""
    if request.organizer is None:
        organizers = list(organizers_with_distributions())
        return render(request, "sales/storefront_home.html", {"organizers": organizers})
    session_voucher(request)  # a `?voucher=` link to the shop's front keeps its code
    # The selector keeps only dates to come; counting over the same rows counts those.
    events = published_events_of(request.organizer).annotate(date_count=Count("dates"))
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    # Each event's times are written in its own zone (apps.core.templatetags.zoned).
    return render(
        request,
        "sales/storefront_home.html",
        {
            "organizers": [request.organizer],
            "page": page,
            "open_soon": not online_sales_open(request.organizer),
        },
    )


def _order_or_404(code: str, secret: str) -> Order:
    order = order_by_secret(code, secret)
    if order is None:
        raise Http404
    return order


def order_detail(request, code, secret):
    """A buyer's order and its tickets (QR codes), reached through the secret link e-mailed to them."""
    order = _order_or_404(code, secret)
    tickets = order.tickets.select_related(*TICKET_EVENT_PARTS).order_by("pk")
    return render(
        request,
        "sales/order_detail.html",
        {
            "order": order,
            "tickets": [(ticket, ticket_qr_svg(ticket)) for ticket in tickets],
            "add_on_lines": add_on_lines_of(order),
        }
        | answers_shown(order, list(tickets)),
    )


def order_tickets_pdf(request, code, secret):
    order = _order_or_404(code, secret)
    if order.status != Order.Status.PAID:
        raise Http404
    response = HttpResponse(tickets_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tickets-{order.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- the shop: event page, cart, checkout, payment -----------------------------------------


def _shop_distribution(organizer):
    return organizer.distributions.filter(kind=Distribution.Kind.ONLINE_SHOP).order_by("pk").first()


def _cart(request) -> Order | None:
    """The session's cart: a pending order of this organizer still within its time."""
    order_id = request.session.get(CART)
    if not order_id or request.organizer is None:
        return None
    order = (
        Order.objects.filter(pk=order_id, organizer=request.organizer, status=Order.Status.PENDING)
        .select_related("organizer")
        .first()
    )
    if order is None or order.expires_at <= timezone.now():
        request.session.pop(CART, None)
        return None
    return order


def event_page(request, pk):
    """An event's dates and tickets, with what is left, and the form to reserve some."""
    if request.organizer is None:
        raise Http404
    event = selectors.event_on_sale(request.organizer, pk)
    if event is None:
        raise Http404
    orders_expire(event_date_ids=event.dates.values("pk"))  # lazily, on read (a subquery: a year of dates)
    shown = _calendar_shown(request, event) if shop_calendar.shows_calendar(event) else None
    slot = shown["slot"] if shown else None
    voucher = session_voucher(request)  # a code brought by link or typed: hidden types, prices
    listing = _listing_of(event, shown, voucher)
    status, retry_after = 200, None
    # Until the organizer's payments are connected, buyers are told sales open soon rather
    # than reserving tickets they could not pay for (the organizer's dashboard says why).
    open_soon = not online_sales_open(request.organizer, event)
    if request.method == "POST" and open_soon:
        messages.error(request, _("Online sales open soon: tickets cannot be bought online yet."))
        status = 409
    elif request.method == "POST":
        status = 400
        chosen, errors = quantities_from(request.POST, listing)
        if not chosen and not errors:
            errors = [_("Choose how many tickets you want.")]
        try:
            rate_limit_hit(scope="reservation", ident=client_network(request))  # every attempt counts
        except RateLimited as refused:
            chosen, errors, status, retry_after = [], [str(refused)], 429, refused.retry_after
        if not errors:
            lines = [OrderLine(ticket_type=t, quantity=n, event_date=d) for t, d, n in chosen]
            with_voucher = voucher_for(voucher, [t for t, _d, _n in chosen])
            holder = _holder(request)
            try:
                cart = _cart(request)
                if cart is None:
                    cart = order_create(
                        distribution=_shop_distribution(request.organizer),
                        lines=lines,
                        email=getattr(request.user, "email", "") if request.user.is_authenticated else "",
                        payment_method=Order.PaymentMethod.STRIPE,
                        customer=request.user
                        if request.user.is_authenticated and not request.user.is_operator
                        else None,
                        language=get_language() or "",
                        hold=True,
                        holder=holder,
                        voucher=with_voucher,
                    )
                else:
                    cart_lines_add(order_id=cart.pk, lines=lines, holder=holder, voucher=with_voucher)
            except RateLimited as refused:  # the holder's limits
                errors, status, retry_after = [str(refused)], 429, refused.retry_after
            except DomainError as exc:
                errors = [str(exc)]
            else:
                request.session[CART] = cart.pk
                return redirect("cart")
        for error in errors:
            messages.error(request, error)
        listing = _listing_of(event, shown, voucher)
    response = render(
        request,
        "sales/event_page.html",
        {
            "event": event,
            "listing": listing,
            "open_soon": open_soon,
            "calendar": shown,
            "slot": slot,
            "voucher": voucher,
        },
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _listing_of(event, shown, voucher=None) -> selectors.ShopListing:
    """What the page's form offers: every date's tickets, or in the calendar the chosen
    timeslot's (and the passes); nothing until a timeslot is chosen. The hidden ticket types
    the buyer's voucher shows are offered too."""
    if shown is None:
        return selectors.event_listing(event, voucher=voucher)
    if shown["slot"] is None:
        return selectors.ShopListing(dates=[], passes=[])
    return selectors.event_listing(event, only=shown["slot"], voucher=voucher)


def _calendar_shown(request, event) -> dict | None:
    """The calendar of an event with many dates: the month shown (?month=2026-12, else the
    chosen day's, else the first with dates), the chosen day (?date=2026-12-05) with its
    timeslots, or the chosen timeslot (?slot=<date id>). A value that is not one of the
    event's dates to come is not found (404)."""
    months = shop_calendar.months_of(event)
    if not months:  # the last dates ended meanwhile
        return None
    name = event.time_zone
    slot = day = month = None
    if "slot" in request.GET:
        slot_id = request.GET["slot"]
        slot = (
            shop_calendar.slot_of(event, int(slot_id))
            if slot_id.isascii() and slot_id.isdigit() and len(slot_id) < 12
            else None
        )
        if slot is None:
            raise Http404
        day = localdate_in(slot.start, name)
    elif "date" in request.GET:
        day = _day_or_404(request.GET["date"])
    if "month" in request.GET:
        month = _day_or_404(f"{request.GET['month']}-01")
    shown = (month or day or months[0]).replace(day=1)
    if shown not in months:
        raise Http404
    days = shop_calendar.days_of(event, shown)
    if day is not None and slot is None and day not in days:
        raise Http404
    week_start = shop_calendar.first_weekday(str(event.organizer.country))
    return {
        "month": shop_calendar.month_of(days, shown, week_start, months),
        "day": day,
        "slots": shop_calendar.slots_of(event, day) if day is not None and slot is None else [],
        "slot": slot,
    }


def _day_or_404(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Http404 from None


HOLDER = "cart_holder"


def _holder(request) -> Holder:
    """Who reserves: a random token the session keeps (it survives logging in) and the
    client's network, so that the shop's hold limits count them."""
    token = request.session.get(HOLDER)
    if not token:
        token = request.session[HOLDER] = secrets.token_hex(16)
    network = client_network(request)
    try:
        ipaddress.ip_address(network)
    except ValueError:  # no usable address (a Unix socket, say): the session's limit alone
        network = ""
    return Holder(session=token, network=network)


def cart(request):
    """The reserved tickets with their countdown, and the buyer's details to check out."""
    order = _cart(request)
    if order is None:
        return render(request, "sales/cart.html", {"order": None})
    initial = {"email": order.email, "buyer_name": order.buyer_name}
    form = CheckoutForm(request.POST or None, initial=initial)
    tickets = list(order.tickets.select_related(*TICKET_EVENT_PARTS).order_by("pk"))
    answers_form = answers_form_of(order, tickets, request.POST or None)
    if request.method == "POST" and all([form.is_valid(), answers_form.is_valid()]):  # errors of both
        try:
            answers_save(order=order, answers=answers_form.answers())  # kept should checkout fail
            order = order_checkout(
                order_id=order.pk,
                email=form.cleaned_data["email"],
                buyer_name=form.cleaned_data["buyer_name"],
                language=get_language() or "",
            )
            if order.status == Order.Status.PAID:
                request.session.pop(CART, None)
                return redirect("order-detail", order.code, order.secret)
            order_payment_start(order=order)
        except DomainError as exc:  # a limit per buyer is about the e-mail address given
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            return redirect("checkout-pay")
    return render(
        request,
        "sales/cart.html",
        {
            "order": order,
            "tickets": tickets,
            "form": form,
            "answers_form": answers_form,
            "voucher": session_voucher(request),  # its box: a code for the tickets here
            **cart_add_on_context(order, tickets),
        },
        status=400 if form.errors or answers_form.errors else 200,
    )


@require_POST
def cart_empty(request):
    order = _cart(request)
    if order is not None:
        try:
            order_cancel(order_id=order.pk)
        except DomainError as exc:  # paid, or being paid, meanwhile: the return page settles it
            messages.error(request, str(exc))
            return redirect("checkout-return")
    request.session.pop(CART, None)
    messages.info(request, _("Your cart is empty; the tickets are released."))
    return redirect("home")


@loads_stripe_js
def checkout_pay(request):
    """The card payment step: Stripe.js confirms the intent on the organizer's account."""
    order = _cart(request)
    payment = payment_of(purpose=Order.PAYMENT_PURPOSE, object_id=order.pk) if order else None
    if payment is None or payment.status != Payment.Status.PENDING or payment.amount != order.total:
        return redirect("cart")  # the cart changed since paying started: check out again
    return render(
        request,
        "sales/checkout_pay.html",
        {
            "order": order,
            "payment": payment,
            "publishable_key": stripe_publishable_key(),
            "stripe_js_url": settings.STRIPE_JS_URL,
        },
    )


def checkout_return(request):
    """Where the buyer lands after paying: the payment is checked with Stripe (the webhook
    may be slower), and the paid order shown; until then the page looks again."""
    order = _cart(request)
    if order is None:
        order_id = request.session.get("last_order_id")
        order = Order.objects.filter(pk=order_id).first() if order_id else None
    if order is None:
        return redirect("cart")
    request.session["last_order_id"] = order.pk
    payment = payment_of(purpose=Order.PAYMENT_PURPOSE, object_id=order.pk)
    if payment is not None:
        # Stripe unreachable: the webhook still settles it, and this page looks again.
        with contextlib.suppress(DomainError):
            payment_reconcile(
                payment_id=payment.pk, not_within=timedelta(seconds=settings.PAYMENTS_RECONCILE_SECONDS)
            )
    order.refresh_from_db()
    if order.status == Order.Status.PAID:
        request.session.pop(CART, None)
        return redirect("order-detail", order.code, order.secret)
    return render(request, "sales/checkout_return.html", {"order": order})


@login_required
def my_orders(request):
    """The logged-in customer's orders here, each linking to its tickets."""
    orders = selectors.orders_of_customer(request.user)[:200]
    return render(request, "sales/my_orders.html", {"orders": orders})
