from django_tenants.utils import get_public_schema_name

from apps.core.branding import Brand, platform_brand


def site_area(request) -> str:
    """platform, control (an organization's control panel) or storefront: picks the nav."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return "platform"
    if request.path.startswith("/control/"):
        return "control"
    return "storefront"


def brand(request) -> dict:
    organizer = getattr(request, "organizer", None)
    tenant = getattr(request, "tenant", None)
    if organizer is not None:
        current = organizer.brand
    elif tenant is not None and tenant.schema_name != get_public_schema_name():
        current = Brand(name=tenant.name)
    else:
        current = platform_brand()
    return {
        "brand": current,
        "site_area": site_area(request),
        "organizer": organizer,
    }
