from django.db import transaction
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.billing.services.accounts import billing_account_open
from apps.core.audit import Actor
from apps.core.exceptions import Conflict
from apps.operators.api.permissions import IsPlatformAdmin
from apps.organizers.services import organizer_create
from apps.plans.models import Plan
from apps.platform.api.serializers import (
    OrganizationOrganizerSerializer,
    OrganizationSerializer,
    PlatformSettingsSerializer,
)
from apps.platform.selectors import platform_configuration
from apps.platform.services.configuration import platform_settings_update
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

    @extend_schema(request=OrganizationOrganizerSerializer, responses={201: OrganizationOrganizerSerializer})
    @action(
        detail=True, methods=["post"], url_path="organizers", serializer_class=OrganizationOrganizerSerializer
    )
    def create_organizer(self, request, pk=None):
        """Add an organizer to this (existing, live) organization, and open its client
        (billing) account on `plan` (a plan's slug; by default the first public plan)."""
        organization = self.get_object()
        if not organization.is_ready:
            raise Conflict(_("%(organization)s is not live yet.") % {"organization": organization})
        actor = Actor.from_request(request)
        with schema_context(organization.schema_name):
            serializer = OrganizationOrganizerSerializer(data=request.data, context={"request": request})
            serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        plan = _plan_named(fields.pop("plan", ""))
        with transaction.atomic():  # no organizer without its client account
            with schema_context(organization.schema_name):
                organizer = organizer_create(actor=actor, **fields)
                data = OrganizationOrganizerSerializer(organizer).data
            billing_account_open(
                organization=organization,
                organizer_id=organizer.pk,
                organizer_name=organizer.name,
                organizer_slug=organizer.slug,
                country=str(organizer.country),
                plan=plan,
                actor=actor,
            )
        return Response(data, status=status.HTTP_201_CREATED)


def _plan_named(slug) -> Plan:
    """The plan of that slug, or without one the first public plan; 400 when there is none."""
    if slug:
        plan = Plan.objects.filter(slug=slug).first()
        if plan is None:
            raise ValidationError({"plan": [_("There is no plan “%(slug)s”.") % {"slug": slug}]})
        return plan
    plan = Plan.objects.filter(is_public=True).order_by("sort_order", "name", "pk").first()
    if plan is None:
        raise ValidationError(
            {"plan": [_("There is no public plan: create one, or name the client's plan here.")]}
        )
    return plan


class PlatformSettingsView(generics.RetrieveUpdateAPIView):
    """The platform's settings (platform admins only). Secrets are write-only: responses carry
    their masked form. Changing a Stripe or Facebook value needs `current_password`."""

    serializer_class = PlatformSettingsSerializer
    permission_classes = [IsPlatformAdmin]
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        with schema_context(get_public_schema_name()):
            return platform_configuration()

    def perform_update(self, serializer):
        # validated_data holds only what changes (see the serializer).
        serializer.instance = platform_settings_update(
            changes=serializer.validated_data, actor=Actor.from_request(self.request)
        )
