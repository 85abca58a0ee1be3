from django.http import JsonResponse

from apps.core import health


class HealthCheckMiddleware:
    """Answers /healthz on any host, before tenant routing (load balancers probe by IP)."""

    path = "/healthz"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != self.path:
            return self.get_response(request)
        checks = {"database": health.database_status(), "redis": health.redis_status()}
        healthy = all(value == "ok" for value in checks.values())
        return JsonResponse(
            {"status": "ok" if healthy else "unavailable", **checks},
            status=200 if healthy else 503,
        )
