"""Control-panel pages of add-ons (/control/add-ons/): an organizer's configurers (and the
organization's admins) list them with their stock held and sold, add, change and delete
them; apps.operators.permissions decides."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.audit import Actor
from apps.core.exceptions import Conflict
from apps.core.forms import call_for_form
from apps.operators.decorators import control_view, require
from apps.operators.permissions import Action, can_configure_some_organizer, organizers_configurable_by
from apps.sales.addon_forms import AddOnForm
from apps.sales.selectors import addons as reads
from apps.sales.services import addons


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _add_on(request, pk):
    """An add-on one sees (404 otherwise) and may change (403 otherwise)."""
    add_on = get_object_or_404(reads.add_ons_visible_to(request.user), pk=pk)
    return require(request, Action.CONFIGURE, add_on)


def _form(request, *, organizer=None, initial=None):
    user = request.user
    events, ticket_types, tax_rules = (
        reads.events_for_add_ons(user),
        reads.ticket_types_for_add_ons(user),
        reads.tax_rules_for_add_ons(user),
    )
    if organizer is not None:
        events = events.filter(organizer=organizer)
        ticket_types = ticket_types.filter(event__organizer=organizer)
        tax_rules = tax_rules.filter(organizer=organizer)
    return AddOnForm(
        request.POST or None,
        initial=initial,
        organizers=None if organizer is not None else organizers_configurable_by(user).order_by("name", "pk"),
        events=events,
        ticket_types=ticket_types,
        tax_rules=tax_rules,
    )


@control_view(check=can_configure_some_organizer)
def add_on_list(request):
    rows = [(add_on, reads.add_on_left(add_on)) for add_on in reads.add_ons_visible_to(request.user)]
    return render(request, "sales/control/add_on_list.html", {"rows": rows})


@control_view(check=can_configure_some_organizer)
def add_on_create(request):
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        organizer = require(request, Action.CONFIGURE, form.cleaned_data["organizer"])
        went_through, add_on = call_for_form(
            form,
            addons.add_on_save,
            organizer=organizer,
            actor=Actor.from_request(request),
            **form.add_on_fields(),
        )
        if went_through:
            messages.success(request, _("Add-on “%(name)s” saved.") % {"name": add_on.name})
            return redirect("control-add-ons")
    return render(
        request, "sales/control/add_on_form.html", {"form": form, "add_on": None}, status=_status(form)
    )


@control_view(check=can_configure_some_organizer)
def add_on_edit(request, pk):
    add_on = _add_on(request, pk)
    initial = {
        "name": add_on.name,
        "description": add_on.description,
        "price": add_on.price,
        "stock": add_on.stock,
        "per": add_on.per,
        "max_quantity": add_on.max_quantity,
        "event": add_on.event_id,
        "ticket_types": [t.pk for t in add_on.ticket_types.all()],
        "tax_rule": add_on.tax_rule_id,
        "on_sale": add_on.on_sale,
    }
    form = _form(request, organizer=add_on.organizer, initial=initial)
    if request.method == "POST" and form.is_valid():
        went_through, saved = call_for_form(
            form,
            addons.add_on_save,
            organizer=add_on.organizer,
            add_on=add_on,
            actor=Actor.from_request(request),
            **form.add_on_fields(),
        )
        if went_through:
            messages.success(request, _("Add-on “%(name)s” saved.") % {"name": saved.name})
            return redirect("control-add-ons")
        add_on = _add_on(request, pk)  # the rejected input was set on it: show the saved one
    return render(
        request, "sales/control/add_on_form.html", {"form": form, "add_on": add_on}, status=_status(form)
    )


@control_view(check=can_configure_some_organizer)
def add_on_delete(request, pk):
    """GET asks for confirmation; only a POST deletes. A sold add-on is refused (409)."""
    add_on = _add_on(request, pk)
    error, status = "", 200
    if request.method == "POST":
        name = add_on.name
        try:
            addons.add_on_delete(add_on=add_on, actor=Actor.from_request(request))
        except Conflict as refused:
            error, status = str(refused), refused.status_code
        else:
            messages.success(request, _("Add-on “%(name)s” deleted.") % {"name": name})
            return redirect("control-add-ons")
    return render(
        request,
        "sales/control/add_on_delete.html",
        {"add_on": add_on, "error": error, "back_url": reverse("control-add-ons")},
        status=status,
    )
