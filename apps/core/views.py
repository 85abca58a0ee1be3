import re

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

HEX_COLOR = re.compile(r"[0-9a-fA-F]{6}")


@require_GET
def brand_css(request):
    """A brand's colours as CSS variables, in place of an inline style the CSP forbids. The
    colours are in the address, so an answer never changes and browsers keep it a year."""
    primary, accent = request.GET.get("primary", ""), request.GET.get("accent", "")
    if not (HEX_COLOR.fullmatch(primary) and HEX_COLOR.fullmatch(accent)):
        return HttpResponseBadRequest("primary and accent are colours like 1f5eff", content_type="text/plain")
    response = HttpResponse(
        f":root {{ --brand-primary: #{primary}; --brand-accent: #{accent}; }}\n", content_type="text/css"
    )
    patch_cache_control(response, public=True, max_age=60 * 60 * 24 * 365, immutable=True)
    return response
