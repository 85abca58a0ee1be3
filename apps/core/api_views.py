from django_countries import countries
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from apps.core.currencies import currency_choices


@extend_schema(
    responses=inline_serializer(
        "Country", {"code": serializers.CharField(), "name": serializers.CharField()}, many=True
    )
)
@api_view(["GET"])
@permission_classes([AllowAny])
def country_list(request):
    """ISO 3166 country codes with their names, to fill an organizer's `country`."""
    return Response([{"code": code, "name": str(name)} for code, name in countries])


@extend_schema(
    responses=inline_serializer(
        "Currency", {"code": serializers.CharField(), "name": serializers.CharField()}, many=True
    )
)
@api_view(["GET"])
@permission_classes([AllowAny])
def currency_list(request):
    """ISO 4217 currencies in use, to fill an organizer's `currency`."""
    return Response([{"code": code, "name": label} for code, label in currency_choices()])
