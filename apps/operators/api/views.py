from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from apps.accounts.models import User
from apps.core.audit import Actor
from apps.core.exceptions import NotAllowed
from apps.operators import selectors, services
from apps.operators.api.base import ServiceViewSet, ServiceWriteMixin
from apps.operators.api.permissions import IsOperator
from apps.operators.api.serializers import (
    DistributionLinkSerializer,
    DistributionSerializer,
    InvitationAcceptSerializer,
    InvitationSerializer,
    OrganizerLinkSerializer,
    OrganizerSerializer,
    TeamMemberSerializer,
)
from apps.operators.permissions import Action, can, distributions_visible_to, organizers_visible_to
from apps.organizers import services as organizers
from apps.organizers.models import Distribution, Organizer


def _operator_or_403(request, pk) -> User:
    # 403 either way: whether such an operator exists is not the caller's business.
    operator = User.objects.filter(pk=pk, is_operator=True).first() if str(pk).isdigit() else None
    if operator is None:
        raise NotAllowed(_("This operator is not one of your team members."))
    return operator


class TeamMemberViewSet(viewsets.ViewSet):
    """Operators who share at least one organizer or distribution with you."""

    permission_classes = [IsOperator]
    serializer_class = TeamMemberSerializer
    lookup_value_regex = r"[0-9]+"

    def list(self, request):
        members = selectors.team_members_of(request.user)
        return Response(TeamMemberSerializer(members, many=True).data)

    def retrieve(self, request, pk=None):
        member = selectors.team_member_of(request.user, int(pk)) if str(pk).isdigit() else None
        if member is None:
            raise Http404
        return Response(TeamMemberSerializer(member).data)

    @extend_schema(request=OrganizerLinkSerializer, responses=TeamMemberSerializer)
    @action(detail=True, methods=["post"], url_path="organizers")
    def add_organizer(self, request, pk=None):
        """Give a team member configuration permission on an organizer you configure."""
        operator = _operator_or_403(request, pk)
        link = OrganizerLinkSerializer(data=request.data)
        link.is_valid(raise_exception=True)
        services.configuration_permission_grant(
            actor=Actor.from_request(request), operator=operator, organizer=link.validated_data["organizer"]
        )
        return self._member_response(request, operator, status.HTTP_201_CREATED)

    @action(detail=True, methods=["delete"], url_path=r"organizers/(?P<organizer_id>\d+)")
    def remove_organizer(self, request, pk=None, organizer_id=None):
        operator = _operator_or_403(request, pk)
        organizer = Organizer.objects.filter(pk=organizer_id).first()
        if organizer is None:
            raise Http404
        services.configuration_permission_revoke(
            actor=Actor.from_request(request), operator=operator, organizer=organizer
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=DistributionLinkSerializer, responses=TeamMemberSerializer)
    @action(detail=True, methods=["post"], url_path="distributions")
    def add_distribution(self, request, pk=None):
        """Give a team member sale permission on a distribution of an organizer you configure."""
        operator = _operator_or_403(request, pk)
        link = DistributionLinkSerializer(data=request.data)
        link.is_valid(raise_exception=True)
        services.sale_permission_grant(
            actor=Actor.from_request(request),
            operator=operator,
            distribution=link.validated_data["distribution"],
        )
        return self._member_response(request, operator, status.HTTP_201_CREATED)

    @action(detail=True, methods=["delete"], url_path=r"distributions/(?P<distribution_id>\d+)")
    def remove_distribution(self, request, pk=None, distribution_id=None):
        operator = _operator_or_403(request, pk)
        distribution = Distribution.objects.filter(pk=distribution_id).first()
        if distribution is None:
            raise Http404
        services.sale_permission_revoke(
            actor=Actor.from_request(request), operator=operator, distribution=distribution
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _member_response(self, request, operator, code):
        member = selectors.team_member_of(request.user, operator.pk)
        return Response(TeamMemberSerializer(member).data if member else {}, status=code)


class InvitationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Invitations you sent or that give access to organizers you configure."""

    serializer_class = InvitationSerializer
    permission_classes = [IsOperator]

    def get_queryset(self):
        return selectors.invitations_visible_to(self.request.user).prefetch_related(
            "organizers", "distributions"
        )

    def perform_create(self, serializer):
        serializer.instance = services.invitation_create(
            actor=Actor.from_request(self.request),
            email=serializer.validated_data["email"],
            organizers=serializer.validated_data.get("organizers", []),
            distributions=serializer.validated_data.get("distributions", []),
        )

    def perform_destroy(self, instance):
        services.invitation_revoke(actor=Actor.from_request(self.request), invitation=instance)

    @extend_schema(request=InvitationAcceptSerializer, responses={201: TeamMemberSerializer})
    @action(detail=False, methods=["post"], permission_classes=[AllowAny])
    def accept(self, request):
        """Accept an invitation: creates your operator account, or links your existing one."""
        data = InvitationAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        operator = services.invitation_accept(
            token=data.validated_data["token"],
            user=request.user if request.user.is_authenticated else None,
            password=data.validated_data.get("password", ""),
            full_name=data.validated_data.get("full_name", ""),
            host=request.get_host(),
        )
        return Response({"id": operator.pk, "email": operator.email}, status=status.HTTP_201_CREATED)


# --- organizers and their distributions ----------------------------------------------


class _ConfiguredOrganizerWrites(ServiceWriteMixin):
    write_action = Action.CONFIGURE

    def write_denied_message(self, obj) -> str:
        organizer = obj if isinstance(obj, Organizer) else obj.organizer
        return _("You have no configuration permission on %(organizer)s.") % {"organizer": organizer}


class OrganizerViewSet(
    _ConfiguredOrganizerWrites,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Organizers of this organization that you configure or sell for."""

    serializer_class = OrganizerSerializer
    create_service, update_service = organizers.organizer_create, organizers.organizer_update
    instance_kwarg = "organizer"

    def get_queryset(self):
        return organizers_visible_to(self.request.user).prefetch_related("distributions").order_by("name")

    def create(self, request, *args, **kwargs):
        # Refuse before validating: a non-admin learns nothing from field errors.
        if not can(request.user, Action.CREATE_ORGANIZER):
            raise NotAllowed(_("Only organization admins may add organizers."))
        return super().create(request, *args, **kwargs)


class DistributionViewSet(_ConfiguredOrganizerWrites, ServiceViewSet):
    """Sale channels you sell in, or of organizers you configure."""

    serializer_class = DistributionSerializer
    create_service, delete_service = organizers.distribution_create, organizers.distribution_delete
    instance_kwarg = "distribution"
    parent_field = "organizer"

    def get_queryset(self):
        queryset = (
            distributions_visible_to(self.request.user)
            .select_related("organizer")
            .order_by("organizer", "pk")
        )
        organizer = self.request.query_params.get("organizer")
        if organizer and organizer.isascii() and organizer.isdigit():
            queryset = queryset.filter(organizer_id=organizer)
        return queryset

    def perform_update(self, serializer):
        # Only the name changes (a channel never moves to another organizer).
        distribution = serializer.instance
        self.check_write(distribution)
        serializer.instance = organizers.distribution_rename(
            distribution=distribution,
            name=serializer.validated_data.get("name", distribution.name),
            actor=Actor.from_request(self.request),
        )
