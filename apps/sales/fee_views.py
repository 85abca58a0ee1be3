"""Control panel pages of service fee rules: the rules in force, which applies where, and
their creation, change and deletion through apps.sales.services.fees.

Who configures an organizer sets its fees and its events' fees; the rule of the whole
organization is for organization admins (apps.operators.permissions, CONFIGURE_FEES). A rule
one may not see answers 404, one one may see but not change 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.audit import Actor
from apps.core.forms import call_for_form
from apps.operators.decorators import requires
from apps.operators.permissions import Action, can, can_configure_fees, organizers_configurable_by
from apps.sales import selectors
from apps.sales.forms import FeeRuleCreateForm, FeeRuleForm
from apps.sales.models import FeeRule
from apps.sales.services import fees

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
    rule = _visible_rule(request, pk)
    if not can(request.user, Action.CONFIGURE_FEES, rule):
        raise PermissionDenied
    return rule


def _save(form, **kwargs):
    """fee_rule_save for a valid form: its errors land on the form, and a rule saved at the
    same moment by someone else for the same target (the unique constraint) says so too."""
    try:
        return call_for_form(form, fees.fee_rule_save, **kwargs)
    except IntegrityError:
        form.add_error(None, _("There is already a fee rule for this; change that one instead."))
        return False, None


@requires(can_configure_fees)
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


@requires(can_configure_fees)
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
    if wanted.isdigit():
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


@requires(can_configure_fees)
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


@requires(can_configure_fees)
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
