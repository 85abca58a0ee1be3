from django_tenants.utils import get_public_schema_name

from apps.core.branding import Brand


def site_area(request) -> str:
    """platform, control (an organization's control panel) or storefront: picks the nav."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return "platform"
    if request.path.startswith("/control/"):
        return "control"
    return "storefront"


def brand_context(request, *, platform_brand: Brand, powered_by: bool) -> dict:
    """The template context of a page's brand: the organizer's on a host bound to one, else
    the platform's (the platform site, an organization host without an organizer, the
    unknown-host page). apps.core imports no domain app, so the platform's brand is handed
    in by apps.platform.context_processors, the processor TEMPLATES names."""
    organizer = getattr(request, "organizer", None)
    return {
        "brand": organizer.brand if organizer is not None else platform_brand,
        "powered_by": powered_by,
        "site_area": site_area(request),
        "organizer": organizer,
    }
