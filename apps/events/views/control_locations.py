"""Control panel of events: locations (where an organizer's events take place)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.audit import Actor
from apps.core.exceptions import DomainError
from apps.core.forms import call_for_form
from apps.events import selectors, services
from apps.events.forms import (
    LocationForm,
    OrganizerFilterForm,
)
from apps.events.models import Location
from apps.events.views.common import (
    control_view,
    form_status,
    only_one,
    page_of,
    safe_next,
)
from apps.operators.decorators import require
from apps.operators.permissions import (
    Action,
    organizers_configurable_by,
    organizers_visible_to,
)


@control_view
def location_list(request):
    user = request.user
    filters = OrganizerFilterForm(
        request.GET or None, organizers=organizers_visible_to(user).order_by("name")
    )
    locations = Location.objects.filter(pk__in=selectors.locations_visible_to(user).values("pk"))
    if filters.is_bound and not filters.is_valid():
        locations = locations.none()
    elif filters.is_bound and filters.cleaned_data["organizer"]:
        locations = locations.filter(organizer=filters.cleaned_data["organizer"])
    locations = (
        locations.select_related("organizer")
        .annotate(event_count=Count("events"))
        .order_by("organizer__name", "name", "pk")
    )
    configurable = set(organizers_configurable_by(user).values_list("pk", flat=True))
    return render(
        request,
        "events/location_list.html",
        {
            "filters": filters,
            "page": page_of(request, locations, per_page=50),
            "configurable": configurable,
            "may_create": bool(configurable),
        },
        status=form_status(filters),
    )


@control_view
def location_create(request):
    organizers = organizers_configurable_by(request.user).order_by("name")
    if not organizers.exists():
        raise PermissionDenied
    requested = request.GET.get("organizer", "")
    form = LocationForm(
        request.POST or None,
        organizers=organizers,
        initial={
            "organizer": int(requested)
            if requested.isascii() and requested.isdigit()
            else only_one(organizers)
        },
    )
    next_url = safe_next(request)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organizer = data.pop("organizer")
        went_through, location = call_for_form(
            form, services.location_create, organizer=organizer, actor=Actor.from_request(request), **data
        )
        if went_through:
            messages.success(request, _("Location “%(name)s” added.") % {"name": location.name})
            return redirect(next_url or "location-list")
    return render(
        request,
        "events/location_form.html",
        {"form": form, "location": None, "next": next_url},
        status=form_status(form),
    )


def _configurable_location(request, pk) -> Location:
    location = get_object_or_404(
        selectors.locations_visible_to(request.user).select_related("organizer"), pk=pk
    )
    return require(request, Action.CONFIGURE, location)


@control_view
def location_edit(request, pk):
    location = _configurable_location(request, pk)
    form = LocationForm(request.POST or None, instance=location)
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        went_through, _result = call_for_form(
            form, services.location_update, location=location, actor=Actor.from_request(request), **changes
        )
        if went_through:
            messages.success(request, _("Location “%(name)s” saved.") % {"name": location.name})
            return redirect("location-list")
    return render(
        request,
        "events/location_form.html",
        {"form": form, "location": Location.objects.get(pk=location.pk) if form.errors else location},
        status=form_status(form),
    )


@control_view
def location_delete(request, pk):
    location = _configurable_location(request, pk)
    if request.method == "POST":
        try:
            services.location_delete(location=location, actor=Actor.from_request(request))
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Location “%(name)s” deleted.") % {"name": location.name})
        return redirect("location-list")
    return render(
        request,
        "events/confirm.html",
        {
            "title": _("Delete the location “%(name)s”?") % {"name": location.name},
            "explanation": _("This cannot be undone. A location that events use cannot be deleted."),
            "confirm": _("Yes, delete the location"),
            "back_url": reverse("location-list"),
        },
    )
