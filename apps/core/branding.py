"""Which brand a page wears: the platform's, or the organizer's on its own host."""

from dataclasses import dataclass

from django.conf import settings

DEFAULT_PRIMARY = "#1f5eff"
DEFAULT_ACCENT = "#ff7a1a"


@dataclass(frozen=True)
class Brand:
    name: str
    primary_color: str = DEFAULT_PRIMARY
    accent_color: str = DEFAULT_ACCENT
    logo_url: str = ""


def platform_brand() -> Brand:
    return Brand(name=settings.PLATFORM_NAME)
