from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.core.exceptions import DomainError
from apps.payments import services


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's one webhook endpoint (platform host): events of every connected account."""
    try:
        outcome = services.webhook_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except DomainError as exc:
        return JsonResponse({"detail": str(exc)}, status=exc.status_code)
    return JsonResponse({"outcome": outcome})
