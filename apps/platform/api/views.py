from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.api_permissions import IsPlatformAdmin
from apps.core.audit import Actor
from apps.core.exceptions import Conflict
from apps.organizers.services import organizer_create
from apps.platform.api.serializers import OrganizationOrganizerSerializer, OrganizationSerializer
from apps.tenancy import services as tenancy
from apps.tenancy.models import Organization


class OrganizationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Every organization of the platform (platform admins only)."""

    serializer_class = OrganizationSerializer
    permission_classes = [IsPlatformAdmin]

    def get_queryset(self):
        return (
            Organization.objects.exclude(schema_name=get_public_schema_name())
            .prefetch_related("domains")
            .order_by("name")
        )

    def perform_create(self, serializer):
        """Recorded as pending; a Celery worker clones its schema (poll `status`)."""
        serializer.instance = tenancy.organization_request_async(
            name=serializer.validated_data["name"], slug=serializer.validated_data["slug"]
        )

    @extend_schema(request=OrganizationOrganizerSerializer, responses=OrganizationOrganizerSerializer)
    @action(
        detail=True, methods=["post"], url_path="organizers", serializer_class=OrganizationOrganizerSerializer
    )
    def create_organizer(self, request, pk=None):
        """Add an organizer to this (existing, live) organization."""
        organization = self.get_object()
        if not organization.is_ready:
            raise Conflict(_("%(organization)s is not live yet.") % {"organization": organization})
        with schema_context(organization.schema_name):
            serializer = OrganizationOrganizerSerializer(data=request.data, context={"request": request})
            serializer.is_valid(raise_exception=True)
            organizer = organizer_create(actor=Actor.from_request(request), **serializer.validated_data)
            data = OrganizationOrganizerSerializer(organizer).data
        return Response(data, status=status.HTTP_201_CREATED)
