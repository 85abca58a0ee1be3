from django.utils.translation import gettext as _
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from apps.core.audit import Actor
from apps.core.exceptions import NotAllowed
from apps.operators.api.permissions import IsOperator
from apps.operators.permissions import Action, can, distributions_visible_to, organizers_visible_to
from apps.organizers import services
from apps.organizers.api.serializers import DistributionSerializer, OrganizerSerializer
from apps.organizers.models import Organizer


def _require_configure(request, obj) -> None:
    if not can(request.user, Action.CONFIGURE, obj):
        organizer = obj if isinstance(obj, Organizer) else obj.organizer
        raise NotAllowed(
            _("You have no configuration permission on %(organizer)s.") % {"organizer": organizer}
        )


class OrganizerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Organizers of this organization that you configure or sell for."""

    serializer_class = OrganizerSerializer
    permission_classes = [IsOperator]

    def get_queryset(self):
        return organizers_visible_to(self.request.user).prefetch_related("distributions").order_by("name")

    def create(self, request, *args, **kwargs):
        # Refuse before validating: a non-admin learns nothing from field errors.
        if not can(request.user, Action.CREATE_ORGANIZER):
            raise NotAllowed(_("Only organization admins may add organizers."))
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.organizer_create(
            actor=Actor.from_request(self.request), **serializer.validated_data
        )

    def perform_update(self, serializer):
        organizer = serializer.instance
        _require_configure(self.request, organizer)
        serializer.instance = services.organizer_update(
            organizer=organizer, actor=Actor.from_request(self.request), **serializer.validated_data
        )


class DistributionViewSet(viewsets.ModelViewSet):
    """Sale channels you sell in, or of organizers you configure."""

    serializer_class = DistributionSerializer
    permission_classes = [IsOperator]

    def get_queryset(self):
        queryset = (
            distributions_visible_to(self.request.user)
            .select_related("organizer")
            .order_by("organizer", "pk")
        )
        organizer = self.request.query_params.get("organizer")
        if organizer and organizer.isdigit():
            queryset = queryset.filter(organizer_id=organizer)
        return queryset

    def perform_create(self, serializer):
        organizer: Organizer = serializer.validated_data["organizer"]
        _require_configure(self.request, organizer)
        serializer.instance = services.distribution_create(
            actor=Actor.from_request(self.request), **serializer.validated_data
        )

    def perform_update(self, serializer):
        distribution = serializer.instance
        _require_configure(self.request, distribution)
        serializer.instance = services.distribution_rename(
            distribution=distribution,
            name=serializer.validated_data.get("name", distribution.name),
            actor=Actor.from_request(self.request),
        )

    def destroy(self, request, *args, **kwargs):
        distribution = self.get_object()
        _require_configure(request, distribution)
        services.distribution_delete(distribution=distribution, actor=Actor.from_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
