"""One API view with a bug, added to both hosts' URL confs for the error-page tests."""

from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny


@api_view(["GET"])
@permission_classes([AllowAny])
def failing(request):
    raise RuntimeError("a bug")


def with_failing(urlpatterns):
    return [path("api/v1/failing/", failing), *urlpatterns]
