"""The plan catalogue's API (platform admins): plans, their prices, exchange rates and add-on
prices, mounted under /api/v1/ by config.api_public."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.operators.api.base import ServiceViewSet
from apps.operators.api.permissions import IsPlatformAdmin
from apps.plans import selectors, services
from apps.plans.api.serializers import (
    AddonPriceSerializer,
    ExchangeRateSerializer,
    PlanPriceSerializer,
    PlanSerializer,
    ResolvedPriceQuerySerializer,
    ResolvedPriceSerializer,
)
from apps.plans.models import AddonPrice, ExchangeRate, Plan, PlanPrice


class PlatformViewSet(ServiceViewSet):
    """Platform admins only; writes go through the services named below."""

    permission_classes = [IsPlatformAdmin]


def _plans():
    return Plan.objects.prefetch_related(Prefetch("prices", PlanPrice.objects.order_by("currency")))


class PlanViewSet(PlatformViewSet):
    """Plans with their features and prices. Create one with its first price (`price`)."""

    serializer_class = PlanSerializer
    create_service, update_service, delete_service = (
        services.plan_create,
        services.plan_update,
        services.plan_delete,
    )
    instance_kwarg = "plan"

    def get_queryset(self):
        return _plans().order_by("sort_order", "name", "pk")

    def perform_create(self, serializer):
        super().perform_create(serializer)
        serializer.instance = _plans().get(pk=serializer.instance.pk)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        serializer.instance = _plans().get(pk=serializer.instance.pk)

    @extend_schema(
        parameters=[
            OpenApiParameter("currency", str, description="ISO 4217 code, e.g. CHF."),
            OpenApiParameter("country", str, description="ISO 3166 code, e.g. CH: priced in its currency."),
        ],
        responses=ResolvedPriceSerializer,
    )
    @action(detail=True, methods=["get"])
    def price(self, request, pk=None):
        """What a client pays in a currency (or a country's currency), and where that comes from."""
        plan = self.get_object()
        query = ResolvedPriceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        if "currency" in query.validated_data:
            resolved = selectors.plan_price_for(plan=plan, currency=query.validated_data["currency"])
        else:
            resolved = selectors.plan_price_for_country(plan=plan, country=query.validated_data["country"])
        return Response(ResolvedPriceSerializer(resolved).data)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("plan", int, description="Only this plan's.")])
)
class PlanPriceViewSet(PlatformViewSet):
    """A plan's prices, one per currency. A plan's last price cannot be deleted (409)."""

    serializer_class = PlanPriceSerializer
    create_service, update_service, delete_service = (
        services.plan_price_create,
        services.plan_price_update,
        services.plan_price_delete,
    )
    instance_kwarg = "price"
    create_only_fields = ("plan",)

    def get_queryset(self):
        queryset = PlanPrice.objects.order_by("plan__sort_order", "plan__name", "currency", "pk")
        plan = self.request.query_params.get("plan")
        if plan:
            queryset = queryset.filter(plan_id=plan) if plan.isascii() and plan.isdigit() else queryset.none()
        return queryset


class ExchangeRateViewSet(PlatformViewSet):
    """Units of each currency per unit of the platform's default currency (edited by hand)."""

    serializer_class = ExchangeRateSerializer
    queryset = ExchangeRate.objects.order_by("currency")
    create_service, update_service, delete_service = (
        services.exchange_rate_create,
        services.exchange_rate_update,
        services.exchange_rate_delete,
    )
    instance_kwarg = "exchange_rate"


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("feature", str, description="Only this feature's.")])
)
class AddonPriceViewSet(PlatformViewSet):
    """Monthly prices of features sold as add-ons (a feature on for one client while its plan
    lacks it), one per feature and currency. A currency without a price is converted from the
    default currency's; a feature without any price is a free add-on."""

    serializer_class = AddonPriceSerializer
    create_service, update_service, delete_service = (
        services.addon_price_create,
        services.addon_price_update,
        services.addon_price_delete,
    )
    instance_kwarg = "price"

    def get_queryset(self):
        queryset = AddonPrice.objects.order_by("feature", "currency", "pk")
        feature = self.request.query_params.get("feature")
        return queryset.filter(feature=feature) if feature else queryset
