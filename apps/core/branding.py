"""Which brand a page wears: the platform's, or the organizer's on its own host.

The platform's brand is stored here (apps.core.models.Branding, one row in the public
schema); the platform app caches it with its site's nav pages, and
apps.core.context_processors picks between it and an organizer's brand.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

DEFAULT_PRIMARY = "#1f5eff"
DEFAULT_ACCENT = "#ff7a1a"

hex_color = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1f5eff."))


def default_platform_name() -> str:
    """The PLATFORM_NAME environment variable only seeds the stored name."""
    return settings.PLATFORM_NAME


@dataclass(frozen=True)
class Brand:
    name: str
    primary_color: str = DEFAULT_PRIMARY
    accent_color: str = DEFAULT_ACCENT
    logo_url: str = ""
    # The platform's own footer lines; an organizer's brand leaves them empty.
    legal_footer: str = ""
    support_email: str = ""
