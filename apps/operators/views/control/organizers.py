"""The control panel's organizers and their distributions (sale channels); the writes are
apps.organizers.services. The control panel's home is sales' dashboard
(apps.sales.views.control_dashboard)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.audit import Actor
from apps.core.exceptions import DomainError
from apps.core.forms import add_validation_errors
from apps.operators.decorators import control_view, require
from apps.operators.permissions import Action, distributions_visible_to, organizers_visible_to
from apps.organizers import services
from apps.organizers.forms import DistributionForm, OrganizerForm


def _visible_organizer(request, pk):
    return get_object_or_404(organizers_visible_to(request.user), pk=pk)


@control_view
def organizer_list(request):
    organizers = organizers_visible_to(request.user).order_by("name")
    return render(request, "organizers/organizer_list.html", {"organizers": organizers})


@control_view
def organizer_detail(request, pk):
    organizer = _visible_organizer(request, pk)
    distributions = distributions_visible_to(request.user).filter(organizer=organizer)
    return render(
        request,
        "organizers/organizer_detail.html",
        {
            "organizer": organizer,
            "distributions": distributions,
            "distribution_form": DistributionForm(),
        },
    )


@control_view
def organizer_edit(request, pk):
    organizer = _visible_organizer(request, pk)
    require(request, Action.CONFIGURE, organizer)
    form = OrganizerForm(request.POST or None, instance=organizer)
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        try:
            services.organizer_update(organizer=organizer, actor=Actor.from_request(request), **changes)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except DomainError as exc:
            form.add_error("currency" if "currency" in changes else None, str(exc))
        else:
            messages.success(request, _("%(organizer)s saved.") % {"organizer": organizer.name})
            return redirect("organizer-detail", pk=organizer.pk)
    return render(
        request,
        "organizers/organizer_form.html",
        {"organizer": organizer, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@control_view
def distribution_add(request, pk):
    organizer = _visible_organizer(request, pk)
    require(request, Action.CONFIGURE, organizer)
    form = DistributionForm(request.POST)
    if form.is_valid():
        services.distribution_create(
            organizer=organizer, actor=Actor.from_request(request), **form.cleaned_data
        )
        messages.success(request, _("Distribution “%(name)s” added.") % {"name": form.cleaned_data["name"]})
    else:
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    return redirect("organizer-detail", pk=organizer.pk)


@require_POST
@control_view
def distribution_delete(request, pk):
    distribution = get_object_or_404(
        distributions_visible_to(request.user).select_related("organizer"), pk=pk
    )
    require(request, Action.CONFIGURE, distribution)
    try:
        services.distribution_delete(distribution=distribution, actor=Actor.from_request(request))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Distribution “%(name)s” deleted.") % {"name": distribution.name})
    return redirect("organizer-detail", pk=distribution.organizer_id)
