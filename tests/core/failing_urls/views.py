"""A page and an API view with a bug, added to both hosts' URL confs for the error tests."""

from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny


def failing_page(request):
    raise RuntimeError("a page that fails")


@api_view(["GET"])
@permission_classes([AllowAny])
def failing(request):
    raise RuntimeError("a bug")


def with_failing(urlpatterns):
    return [path("fails/", failing_page), path("api/v1/failing/", failing), *urlpatterns]
