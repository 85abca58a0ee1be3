"""Django's error pages (handler400/403/404/500 of both URL confs): the REST API answers
JSON, as DRF's own errors do, whatever failed — an unknown path, a middleware, a bug —
and every other page keeps Django's templates (templates/404.html, 500.html …)."""

from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _json(error: type[exceptions.APIException]) -> JsonResponse:
    # DRF's own messages, which its catalogues translate.
    return JsonResponse({"detail": str(error.default_detail)}, status=error.status_code)


def bad_request(request, exception):
    if _is_api(request):
        return _json(exceptions.ParseError)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _is_api(request):
        return _json(exceptions.PermissionDenied)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _is_api(request):
        return _json(exceptions.NotFound)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return _json(exceptions.APIException)
    return defaults.server_error(request)
