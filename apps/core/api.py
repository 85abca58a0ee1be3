"""REST API plumbing shared by every app: error mapping, throttles."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.exceptions import DomainError, RateLimited
from apps.core.ratelimit import client_network, rate_limit_hit


def exception_handler(exc, context):
    """Domain errors and model validation become 4xx JSON with the user-facing message."""
    if isinstance(exc, RateLimited):
        return Response(
            {"detail": str(exc)}, status=exc.status_code, headers={"Retry-After": str(exc.retry_after)}
        )
    if isinstance(exc, DomainError):
        if exc.field:
            return Response({exc.field: [str(exc)]}, status=exc.status_code)
        return Response({"detail": str(exc)}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


class ClientRateThrottle(BaseThrottle):
    """settings.RATE_LIMITS[view.throttle_scope] per client address (apps.core.ratelimit:
    atomic, refusals counted); DRF answers a refusal 429 with Retry-After."""

    def allow_request(self, request, view) -> bool:
        try:
            rate_limit_hit(scope=view.throttle_scope, ident=self.ident(request))
        except RateLimited as refused:
            self.retry_after = refused.retry_after
            return False
        return True

    def ident(self, request) -> str:
        return f"address:{client_network(request)}"

    def wait(self) -> int:
        return self.retry_after


class UserRateThrottle(ClientRateThrottle):
    """The same, per signed-in user (a box office at one counter is one user, not one address)."""

    def ident(self, request) -> str:
        if request.user and request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return super().ident(request)


# What a throttled operation documents: the 429 and its Retry-After header.
RATE_LIMITED_RESPONSE = OpenApiResponse(
    response=inline_serializer("RateLimited", {"detail": serializers.CharField()}),
    description="Too many attempts: Retry-After says in how many seconds to try again.",
)
RETRY_AFTER_HEADER = OpenApiParameter(
    "Retry-After", type=int, location=OpenApiParameter.HEADER, response=[429], description="Seconds to wait."
)
