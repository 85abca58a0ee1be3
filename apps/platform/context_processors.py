"""The brand of every page, wired into TEMPLATES in place of a core processor.

apps.core may not import domain apps, yet the platform's brand is stored by this app; so
this processor (in the app that owns the data) reads it through a selector and hands it to
apps.core.context_processors.brand_context, which picks the organizer's brand where a host
is bound to one. No setting names a callable and nothing in core imports us: no cycle.
"""

from apps.core.context_processors import brand_context
from apps.platform.selectors import platform_brand


def brand(request) -> dict:
    platform = platform_brand()
    return {
        **brand_context(request, platform_brand=platform.brand, powered_by=platform.show_powered_by),
        "platform_nav_pages": platform.nav_pages,  # the platform site's nav only
    }
