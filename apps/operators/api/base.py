"""The one base of the REST API's viewsets that write: they ask the permission module and
write through services.

`ServiceViewSet` is a `ModelViewSet` whose writes call the services named on the class,
always with `actor=` and the instance under `instance_kwarg` (`ServiceWriteMixin` is the same
for a viewset made of fewer DRF mixins):

    class LocationViewSet(ServiceViewSet):
        serializer_class = LocationSerializer
        create_service, update_service, delete_service = (
            services.location_create, services.location_update, services.location_delete)
        instance_kwarg = "location"
        write_action = Action.CONFIGURE   # asked of apps.operators.permissions.can()
        parent_field = "organizer"        # on create, the object the action is asked on

Who may call the viewset at all is its `permission_classes` (`IsOperator` by default,
`IsPlatformAdmin` for the platform's); who may write one object is `write_action`, asked on
the object written (on create: the validated `parent_field`, when there is one). A refusal is a 403 with
`write_denied_message(obj)`. `write_action = None`: the permission class decides alone.
`create_only_fields` are dropped from the validated data on update (a price never moves to
another plan). A viewset with a write of its own (an action, a service with other
arguments) calls `self.check_write(obj)` before it.
"""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import viewsets

from apps.core.audit import Actor
from apps.core.exceptions import NotAllowed
from apps.operators.api.permissions import IsOperator
from apps.operators.permissions import Action, can


class ServiceWriteMixin:
    permission_classes = [IsOperator]
    # The services the writes call (keyword arguments only, `actor=` among them).
    create_service: Callable[..., Any] | None = None
    update_service: Callable[..., Any] | None = None
    delete_service: Callable[..., Any] | None = None
    instance_kwarg = ""
    write_action: Action | None = None
    parent_field = ""  # the field whose object decides who may create
    create_only_fields: tuple[str, ...] = ()

    def write_denied_message(self, obj) -> str:
        return _("You need configuration permission on this organizer to change it.")

    def check_write(self, obj) -> None:
        """403 unless the permission module allows `write_action` on the object."""
        if self.write_action is not None and not can(self.request.user, self.write_action, obj):
            raise NotAllowed(self.write_denied_message(obj))

    def parent_of(self, data):
        return data[self.parent_field]

    def perform_create(self, serializer):
        if self.parent_field:
            self.check_write(self.parent_of(serializer.validated_data))
        serializer.instance = type(self).create_service(
            actor=Actor.from_request(self.request), **serializer.validated_data
        )

    def perform_update(self, serializer):
        self.check_write(serializer.instance)
        changes = {
            key: value
            for key, value in serializer.validated_data.items()
            if key not in self.create_only_fields
        }
        serializer.instance = type(self).update_service(
            actor=Actor.from_request(self.request), **{self.instance_kwarg: serializer.instance}, **changes
        )

    def perform_destroy(self, instance):
        self.check_write(instance)
        type(self).delete_service(actor=Actor.from_request(self.request), **{self.instance_kwarg: instance})

    def filter_by_ids(self, queryset, **fields):
        """Filter by id query parameters ({param: field}); a non-numeric id matches nothing."""
        for param, field in fields.items():
            value = self.request.query_params.get(param)
            if value:
                if not (value.isascii() and value.isdigit()):  # "²" is a digit, not a number
                    return queryset.none()
                queryset = queryset.filter(**{field: value})
        return queryset


class ServiceViewSet(ServiceWriteMixin, viewsets.ModelViewSet):
    """List, read, create, change and delete; the writes through services (above)."""
