"""Control-panel pages of season passes (/control/passes/): an organizer's configurers (and
the organization's admins) list, add, change and delete pass types and see each type's
passes with their holders, uses and bookings; apps.operators.permissions decides."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from apps.core.audit import Actor
from apps.core.exceptions import DomainError
from apps.core.forms import call_for_form
from apps.events.models import Event, TicketType
from apps.operators.decorators import control_view, require
from apps.operators.permissions import Action, can_manage_passes, can_see_orders, organizers_configurable_by
from apps.sales import selectors
from apps.sales.models import Pass
from apps.sales.pass_forms import PassTypeForm
from apps.sales.selectors.passes import pass_types_visible_to, passes_visible_to
from apps.sales.services import passes
from apps.sales.views import selling_exports

PASSES_PER_PAGE = 50


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _pass_type(request, pk):
    pass_type = get_object_or_404(pass_types_visible_to(request.user), pk=pk)
    return require(request, Action.MANAGE_PASSES, pass_type)


def _choices(user, organizer=None):
    organizers = organizers_configurable_by(user)
    if organizer is not None:
        organizers = organizers.filter(pk=organizer.pk)
    return {
        "ticket_types": TicketType.objects.filter(event__organizer__in=organizers).order_by(
            "event__name", "name"
        ),
        "events": Event.objects.filter(organizer__in=organizers).order_by("name", "pk"),
        "pass_types": pass_types_visible_to(user).filter(organizer__in=organizers),
    }


@control_view(check=can_manage_passes)
def pass_type_list(request):
    return render(
        request, "sales/control/pass_type_list.html", {"pass_types": pass_types_visible_to(request.user)}
    )


@control_view(check=can_manage_passes)
def pass_type_create(request):
    organizers = organizers_configurable_by(request.user).order_by("name", "pk")
    form = PassTypeForm(request.POST or None, organizers=organizers, **_choices(request.user))
    if request.method == "POST" and form.is_valid():
        organizer = require(request, Action.MANAGE_PASSES, form.cleaned_data["organizer"])
        went_through, pass_type = call_for_form(
            form,
            passes.pass_type_save,
            organizer=organizer,
            actor=Actor.from_request(request),
            **form.pass_type_fields(),
        )
        if went_through:
            messages.success(request, _("Pass type “%(name)s” saved.") % {"name": pass_type.name})
            return redirect("control-pass-types")
    return render(
        request, "sales/control/pass_type_form.html", {"form": form, "pass_type": None}, status=_status(form)
    )


@control_view(check=can_manage_passes)
def pass_type_edit(request, pk):
    pass_type = _pass_type(request, pk)
    initial = {
        "name": pass_type.name,
        "ticket_type": pass_type.ticket_type_id,
        "mode": pass_type.mode,
        "valid_from": pass_type.valid_from,
        "valid_until": pass_type.valid_until,
        "events": list(pass_type.events.values_list("pk", flat=True)),
        "booking_price": pass_type.booking_price.normalize(),
        "max_uses": pass_type.max_uses,
        "renewal_of": pass_type.renewal_of_id,
        "holders_from": pass_type.holders_from,
    }
    choices = _choices(request.user, pass_type.organizer)
    choices["pass_types"] = choices["pass_types"].exclude(pk=pass_type.pk)
    form = PassTypeForm(request.POST or None, initial=initial, **choices)
    if request.method == "POST" and form.is_valid():
        went_through, saved = call_for_form(
            form,
            passes.pass_type_save,
            organizer=pass_type.organizer,
            pass_type=pass_type,
            actor=Actor.from_request(request),
            **form.pass_type_fields(),
        )
        if went_through:
            messages.success(request, _("Pass type “%(name)s” saved.") % {"name": saved.name})
            return redirect("control-pass-types")
        pass_type = _pass_type(request, pk)
    return render(
        request,
        "sales/control/pass_type_form.html",
        {"form": form, "pass_type": pass_type},
        status=_status(form),
    )


@control_view(check=can_manage_passes)
def pass_type_delete(request, pk):
    """GET asks for confirmation; only a POST deletes (refused once passes were sold)."""
    pass_type = _pass_type(request, pk)
    if request.method == "POST":
        name = pass_type.name
        try:
            passes.pass_type_delete(pass_type=pass_type, actor=Actor.from_request(request))
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("control-pass-types")
        messages.success(request, _("Pass type “%(name)s” deleted.") % {"name": name})
        return redirect("control-pass-types")
    return render(
        request,
        "sales/control/pass_type_delete.html",
        {"pass_type": pass_type, "back_url": reverse("control-pass-types")},
    )


@control_view(check=can_manage_passes)
def pass_type_passes(request, pk):
    """The passes sold of one type: holder, order, uses (of the maximum) and bookings."""
    pass_type = _pass_type(request, pk)
    sold = passes_visible_to(request.user).filter(pass_type=pass_type)
    zone_name = pass_type.organizer.zone_name
    exported = selling_exports.download(
        request,
        selling_exports.passes_header(zone_name),
        selling_exports.passes_rows(pass_type, sold, zone_name),
        filename=f"passes-{pass_type.organizer.slug}-{pass_type.pk}",
        title=str(pass_type.name),
    )
    if exported is not None:
        return exported
    page = Paginator(sold, PASSES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "sales/control/pass_list.html", {"pass_type": pass_type, "page": page})


@control_view(check=can_manage_passes)
@require_POST
def pass_type_renewal_codes(request, pk):
    """Give each holder of the pass type this one renews their own access code to it."""
    pass_type = _pass_type(request, pk)
    try:
        made = passes.pass_renewal_codes_make(renewal=pass_type, actor=Actor.from_request(request))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d holder got an access code to “%(name)s”.",
                "%(count)d holders got an access code to “%(name)s”.",
                made,
            )
            % {"count": made, "name": pass_type.name},
        )
    return redirect("control-pass-type-passes", pk=pass_type.pk)


@control_view(check=can_see_orders)
def pass_photo(request, pk):
    """A holder's photo for the gate and the passes list: whoever may see the pass's order."""
    season_pass = get_object_or_404(Pass.objects.select_related("ticket__order"), pk=pk)
    if not selectors.orders_visible_to(request.user).filter(pk=season_pass.ticket.order_id).exists():
        raise Http404
    if not season_pass.photo:
        raise Http404
    return FileResponse(season_pass.photo.open("rb"), content_type=_photo_type(season_pass.photo.name))


def _photo_type(name: str) -> str:
    return "image/png" if name.endswith(".png") else "image/jpeg"
