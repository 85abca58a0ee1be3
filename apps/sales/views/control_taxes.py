"""Control-panel pages of tax rules (/control/taxes/): an organizer's configurers (and the
organization's admins) list, add, change and delete them; apps.operators.permissions decides."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.audit import Actor
from apps.core.forms import call_for_form
from apps.operators.decorators import control_view, require
from apps.operators.permissions import Action, can_configure_some_organizer, organizers_configurable_by
from apps.sales.selectors.taxes import tax_rules_visible_to, ticket_types_taxable_by
from apps.sales.services import taxes
from apps.sales.tax_forms import TaxRuleForm


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _rule(request, pk):
    """A rule one sees (404 otherwise) and may change (403 otherwise)."""
    rule = get_object_or_404(tax_rules_visible_to(request.user), pk=pk)
    return require(request, Action.CONFIGURE, rule)


@control_view(check=can_configure_some_organizer)
def tax_rule_list(request):
    return render(request, "sales/control/tax_rule_list.html", {"rules": tax_rules_visible_to(request.user)})


@control_view(check=can_configure_some_organizer)
def tax_rule_create(request):
    organizers = organizers_configurable_by(request.user).order_by("name", "pk")
    form = TaxRuleForm(
        request.POST or None, organizers=organizers, ticket_types=ticket_types_taxable_by(request.user)
    )
    if request.method == "POST" and form.is_valid():
        organizer = require(request, Action.CONFIGURE, form.cleaned_data["organizer"])
        went_through, rule = call_for_form(
            form,
            taxes.tax_rule_save,
            organizer=organizer,
            actor=Actor.from_request(request),
            **form.rule_fields(),
        )
        if went_through:
            messages.success(request, _("Tax rule “%(name)s” saved.") % {"name": rule.name})
            return redirect("control-tax-rules")
    return render(
        request, "sales/control/tax_rule_form.html", {"form": form, "rule": None}, status=_status(form)
    )


@control_view(check=can_configure_some_organizer)
def tax_rule_edit(request, pk):
    rule = _rule(request, pk)
    initial = {
        "name": rule.name,
        "rate": rule.rate,
        "price_includes_tax": "yes" if rule.price_includes_tax else "no",
        "country": rule.country.code or "",
        "ticket_types": list(rule.ticket_types.values_list("pk", flat=True)),
    }
    form = TaxRuleForm(
        request.POST or None,
        initial=initial,
        ticket_types=ticket_types_taxable_by(request.user).filter(event__organizer=rule.organizer),
    )
    if request.method == "POST" and form.is_valid():
        went_through, saved = call_for_form(
            form,
            taxes.tax_rule_save,
            organizer=rule.organizer,
            rule=rule,
            actor=Actor.from_request(request),
            **form.rule_fields(),
        )
        if went_through:
            messages.success(request, _("Tax rule “%(name)s” saved.") % {"name": saved.name})
            return redirect("control-tax-rules")
        rule = _rule(request, pk)  # the rejected input was set on it: show the saved one
    return render(
        request, "sales/control/tax_rule_form.html", {"form": form, "rule": rule}, status=_status(form)
    )


@control_view(check=can_configure_some_organizer)
def tax_rule_delete(request, pk):
    """GET asks for confirmation; only a POST deletes."""
    rule = _rule(request, pk)
    if request.method == "POST":
        name = rule.name
        taxes.tax_rule_delete(rule=rule, actor=Actor.from_request(request))
        messages.success(request, _("Tax rule “%(name)s” deleted.") % {"name": name})
        return redirect("control-tax-rules")
    return render(
        request,
        "sales/control/tax_rule_delete.html",
        {"rule": rule, "back_url": reverse("control-tax-rules")},
    )
