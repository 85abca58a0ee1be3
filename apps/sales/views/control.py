"""Control panel pages of sales: the gate's check-in, an organizer's online payments, the box
office, and service fee rules (the rules in force, which applies where, and their creation,
change and deletion through apps.sales.services.fees).

Who configures an organizer sets its fees and its events' fees; the rule of the whole
organization is for organization admins (apps.operators.permissions, CONFIGURE_FEES). A rule
one may not see answers 404, one one may see but not change 403. Every page is a
`control_view` (apps.operators.decorators).
"""

import contextlib

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.audit import Actor
from apps.core.exceptions import DomainError
from apps.core.forms import call_for_form
from apps.core.timezones import SHORT, format_in_zone
from apps.events.models import Event
from apps.operators.decorators import control_view, require
from apps.operators.permissions import (
    Action,
    can,
    can_configure_fees,
    distributions_at_box_office,
    distributions_sellable_by,
    organizers_configurable_by,
)
from apps.organizers.models import Distribution
from apps.payments.services import connected_account_of, connected_account_onboard, connected_account_sync
from apps.sales import selectors
from apps.sales.exceptions import CheckInRefused
from apps.sales.forms import FeeRuleCreateForm, FeeRuleForm, quantities_from
from apps.sales.models import FeeRule, Order
from apps.sales.selectors.addons import add_on_lines_of
from apps.sales.selectors.questions import check_in_answers
from apps.sales.selectors.vouchers import voucher_by_code
from apps.sales.services import fees
from apps.sales.services.check_in import ticket_check_in
from apps.sales.services.orders import OrderLine, order_create
from apps.sales.views.box_office_answers import box_office_answers_form, box_office_answers_page
from apps.sales.views.shop_addons import counter_add_on_offers, counter_add_on_requests
from apps.sales.views.shop_answers import answers_shown


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Ticket code"),
        max_length=64,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Scan the QR code or type the code printed under it."),
    )
    event_date = forms.TypedChoiceField(
        label=_("Date at this gate"), required=False, coerce=int, empty_value=None
    )
    # Set by the "Admit anyway" button shown with a refusal for another day.
    admit_other_day = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, dates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_date"].choices = [("", _("The ticket's own date"))] + [
            (d.pk, f"{d.event.name} – {format_in_zone(d.start, d.time_zone, SHORT)}") for d in dates
        ]


@control_view
def check_in(request):
    """Admit tickets at the gate; the answer is announced to screen readers."""
    form = CheckInForm(request.POST or None, dates=selectors.event_dates_at_gate(request.user))
    admission = refusal = None
    scanned = {}
    if request.method == "POST" and form.is_valid():
        scanned = form.cleaned_data
        try:
            admission = ticket_check_in(
                code=form.cleaned_data["code"],
                event_date_id=form.cleaned_data["event_date"],
                tickets=selectors.tickets_visible_to(request.user),
                operator=request.user,
                admit_other_day=form.cleaned_data["admit_other_day"],
                actor=Actor.from_request(request),
            )
        except CheckInRefused as refused:
            refusal = refused
        form = CheckInForm(
            initial={"event_date": form.cleaned_data["event_date"]},
            dates=selectors.event_dates_at_gate(request.user),
        )
    status = 409 if refusal else 400 if form.errors else 200
    return render(
        request,
        "sales/check_in.html",
        {
            "form": form,
            "admission": admission,
            "refusal": refusal,
            "scanned": scanned,
            "gate_answers": check_in_answers(admission.ticket) if admission else [],
        },
        status=status,
    )


@control_view
def organizer_payments(request, pk):
    """An organizer's online payments: its Stripe account's state, and the link to connect
    or finish it (Stripe's onboarding, back here when done)."""
    organizer = get_object_or_404(organizers_configurable_by(request.user), pk=pk)
    account = connected_account_of(organizer)
    if request.method == "POST":
        here = request.build_absolute_uri(reverse("organizer-payments", args=[organizer.pk]))
        try:
            url = connected_account_onboard(
                organizer=organizer, email=request.user.email, refresh_url=here, return_url=f"{here}?back=1"
            )
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("organizer-payments", pk=organizer.pk)
        return redirect(url)
    if account is not None and request.GET.get("back"):
        with contextlib.suppress(DomainError):
            account = connected_account_sync(stripe_account_id=account.stripe_account_id) or account
    return render(request, "sales/organizer_payments.html", {"organizer": organizer, "account": account})


# --- box office ---------------------------------------------------------------------------------


class BoxOfficeSaleForm(forms.Form):
    payment_method = forms.ChoiceField(
        label=_("Paid by"), choices=[(m.value, m.label) for m in Order.COUNTER_METHODS]
    )
    email = forms.EmailField(
        label=_("Buyer's e-mail address"),
        required=False,
        help_text=_("Optional: the tickets are e-mailed there."),
    )
    buyer_name = forms.CharField(label=_("Buyer's name"), max_length=200, required=False)
    sell_beyond_buyer_limit = forms.BooleanField(
        label=_("Sell beyond the buyer's limit"),
        required=False,
        help_text=_(
            "When the event limits the tickets per buyer and this e-mail address already has "
            "its share: sell anyway (recorded in the audit log under your name)."
        ),
    )
    voucher = forms.CharField(
        label=_("Voucher or access code"),
        max_length=64,
        required=False,
        help_text=_("Optional: the buyer's code; the tickets it applies to are sold with it."),
    )


def _sellable_distribution(request):
    distributions = distributions_sellable_by(request.user).select_related("organizer")
    wanted = request.GET.get("distribution") or request.POST.get("distribution")
    if wanted and wanted.isascii() and wanted.isdigit():
        return distributions.filter(pk=wanted).first()
    return distributions.filter(kind=Distribution.Kind.BOX_OFFICE).order_by("organizer__name", "pk").first()


def _without_box_office(request, distributions) -> list[str]:
    """Names of the organizers one sells for whose plan lacks the box office."""
    allowed = {d.organizer_id for d in distributions}
    sellable = distributions_sellable_by(request.user).select_related("organizer")
    return sorted({d.organizer.name for d in sellable if d.organizer_id not in allowed})


@control_view
def box_office(request):
    """Where a seller starts: the published events offered in a channel they sell in, of the
    organizers whose plan includes the box office."""
    distributions = distributions_at_box_office(request.user)
    wanted = request.GET.get("distribution", "")
    chosen = [d for d in distributions if str(d.pk) == wanted] or [
        d for d in distributions if d.kind == Distribution.Kind.BOX_OFFICE
    ]
    distribution = chosen[0] if chosen else None
    events = []
    if distribution is not None:
        events = (
            Event.objects.filter(distributions=distribution, status=Event.Status.PUBLISHED)
            .select_related("location")
            .order_by("name")
        )
    return render(
        request,
        "sales/box_office.html",
        {
            "distributions": distributions,
            "distribution": distribution,
            "events": events,
            "not_in_plan": _without_box_office(request, distributions),
        },
    )


@control_view
def box_office_sell(request, pk):
    """Sell an event's tickets at the counter: paid in cash or by card terminal at once."""
    distribution = _sellable_distribution(request)
    if distribution is None:
        raise Http404
    if not can(request.user, Action.SELL_AT_BOX_OFFICE, distribution):
        return render(
            request,
            "sales/box_office.html",
            {"distributions": [], "distribution": None, "not_in_plan": [distribution.organizer.name]},
            status=403,
        )
    event = get_object_or_404(
        Event.objects.select_related("location", "organizer"),
        pk=pk,
        distributions=distribution,
        status=Event.Status.PUBLISHED,
    )
    listing = selectors.event_listing(event, with_hidden=True)  # sellers sell hidden types too
    add_on_offers = counter_add_on_offers(event.organizer, listing)
    form = BoxOfficeSaleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        chosen, errors = quantities_from(request.POST, listing)
        if not chosen and not errors:
            errors = [_("Choose how many tickets to sell.")]
        code = form.cleaned_data["voucher"]
        voucher = voucher_by_code(distribution.organizer, code) if code else None
        lines = [OrderLine(ticket_type=t, quantity=n, event_date=d) for t, d, n in chosen]
        add_ons, add_on_errors = counter_add_on_requests(request.POST, add_on_offers, lines)
        errors += add_on_errors
        if code and voucher is None:
            form.add_error("voucher", _("The code %(code)s is not known here.") % {"code": code.strip()})
        elif not errors:
            answers_form = box_office_answers_form(request.POST, event, lines)
            if answers_form.asks_anything and not answers_form.is_valid():  # their step, first or again
                return box_office_answers_page(request, event, distribution, answers_form)
            try:
                order = order_create(
                    distribution=distribution,
                    lines=lines,
                    answers=answers_form.answers() if answers_form.asks_anything else (),
                    add_ons=add_ons,
                    email=form.cleaned_data["email"],
                    buyer_name=form.cleaned_data["buyer_name"],
                    payment_method=form.cleaned_data["payment_method"],
                    sold_by=request.user,
                    sell_beyond_buyer_limit=form.cleaned_data["sell_beyond_buyer_limit"],
                    voucher=voucher,
                    actor=Actor.from_request(request),
                )
            except DomainError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, str(exc))
            else:
                messages.success(request, _("Sold: order %(code)s.") % {"code": order.code})
                return redirect("box-office-receipt", pk=order.pk)
        for error in errors:
            form.add_error(None, error)
        listing = selectors.event_listing(event, with_hidden=True)
    return render(
        request,
        "sales/box_office_sell.html",
        {
            "event": event,
            "listing": listing,
            "form": form,
            "distribution": distribution,
            "add_on_offers": add_on_offers,
        },
        status=400 if form.errors else 200,
    )


@control_view
def box_office_receipt(request, pk):
    order = get_object_or_404(selectors.orders_visible_to(request.user).select_related("organizer"), pk=pk)
    tickets = order.tickets.select_related(
        "ticket_type__event__location", "ticket_type__event__organizer", "event_date", "voucher"
    )
    return render(
        request,
        "sales/box_office_receipt.html",
        {"order": order, "tickets": tickets, "add_on_lines": add_on_lines_of(order)}
        | answers_shown(order, list(tickets.order_by("pk"))),
    )


# --- service fee rules ---------------------------------------------------------------------------


EVENTS_PER_PAGE = 50


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _rule_label(rule: FeeRule) -> str:
    if rule.event_id:
        return _("the event “%(name)s”") % {"name": rule.event.name}
    if rule.organizer_id:
        return _("the organizer %(name)s") % {"name": rule.organizer.name}
    return _("the whole organization")


def _visible_rule(request, pk) -> FeeRule:
    return get_object_or_404(selectors.fee_rules_visible_to(request.user), pk=pk)


def _changeable_rule(request, pk) -> FeeRule:
    return require(request, Action.CONFIGURE_FEES, _visible_rule(request, pk))


def _save(form, **kwargs):
    """fee_rule_save for a valid form: its errors land on the form, and a rule saved at the
    same moment by someone else for the same target (the unique constraint) says so too."""
    try:
        return call_for_form(form, fees.fee_rule_save, **kwargs)
    except IntegrityError:
        form.add_error(None, _("There is already a fee rule for this; change that one instead."))
        return False, None


@control_view(check=can_configure_fees)
def fee_rule_list(request):
    """The rules one may see, an example of each, and the rule each event's tickets get."""
    user = request.user
    rules = list(selectors.fee_rules_visible_to(user))
    currencies = selectors.fee_currencies_of(user)
    rows = []
    for rule in rules:
        level = selectors.fee_rule_level(rule)
        organizer = rule.event.organizer if rule.event_id else rule.organizer
        row_currencies = [organizer.currency] if organizer is not None else currencies
        rows.append(
            {
                "rule": rule,
                "level": level,
                "examples": [selectors.fee_example(rule, currency) for currency in row_currencies],
                "may_change": can(user, Action.CONFIGURE_FEES, rule),
            }
        )
    page = Paginator(selectors.fee_events_of(user), EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    page.previous_url = f"?page={page.previous_page_number()}" if page.has_previous() else ""
    page.next_url = f"?page={page.next_page_number()}" if page.has_next() else ""
    return render(
        request,
        "sales/fee_rule_list.html",
        {
            "rows": rows,
            "page": page,
            "in_force": selectors.fees_in_force(page.object_list),
            "example_price": selectors.FEE_EXAMPLE_PRICE,
        },
    )


@control_view(check=can_configure_fees)
def fee_rule_create(request):
    user = request.user
    organizers = organizers_configurable_by(user).order_by("name", "pk")
    may_set_organization = can(user, Action.CONFIGURE_FEES, FeeRule())
    currencies = selectors.fee_currencies_of(user)
    initial = {"level": FeeRuleCreateForm.ORGANIZER}
    only_organizer = list(organizers[:2])
    if len(only_organizer) == 1:
        initial["organizer"] = only_organizer[0].pk
    wanted = request.GET.get("event", "")
    if wanted.isascii() and wanted.isdigit():
        initial |= {"level": FeeRuleCreateForm.EVENT, "event": int(wanted)}
    form = FeeRuleCreateForm(
        request.POST or None,
        initial=initial,
        organizers=organizers,
        events=selectors.fee_events_of(user),
        may_set_organization=may_set_organization,
        currencies=currencies if len(currencies) == 1 else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        went_through, rule = _save(
            form,
            organizer=data["organizer"],
            event=data["event"],
            actor=Actor.from_request(request),
            **form.rule_fields(),
        )
        if went_through:
            messages.success(request, _("Fee rule for %(target)s saved.") % {"target": _rule_label(rule)})
            return redirect("fee-rule-list")
    return render(request, "sales/fee_rule_form.html", {"form": form, "rule": None}, status=_status(form))


@control_view(check=can_configure_fees)
def fee_rule_edit(request, pk):
    rule = _changeable_rule(request, pk)
    form = FeeRuleForm(
        request.POST or None,
        initial={name: getattr(rule, name) for name in fees.FEE_RULE_FIELDS},
        currencies=rule.fixed_currencies(),
    )
    if request.method == "POST" and form.is_valid():
        went_through, rule = _save(form, rule=rule, actor=Actor.from_request(request), **form.rule_fields())
        if went_through:
            messages.success(request, _("Fee rule for %(target)s saved.") % {"target": _rule_label(rule)})
            return redirect("fee-rule-list")
        rule = _visible_rule(request, pk)  # the service set the rejected input on it: show the saved one
    return render(
        request,
        "sales/fee_rule_form.html",
        {"form": form, "rule": rule, "target": _rule_label(rule)},
        status=_status(form),
    )


@control_view(check=can_configure_fees)
def fee_rule_delete(request, pk):
    """GET asks for confirmation; only a POST deletes."""
    rule = _changeable_rule(request, pk)
    target = _rule_label(rule)
    if request.method == "POST":
        fees.fee_rule_delete(rule=rule, actor=Actor.from_request(request))
        messages.success(request, _("Fee rule for %(target)s deleted.") % {"target": target})
        return redirect("fee-rule-list")
    return render(
        request,
        "sales/fee_rule_delete.html",
        {
            "rule": rule,
            "title": _("Delete the fee rule for %(target)s?") % {"target": target},
            "back_url": reverse("fee-rule-list"),
        },
    )
