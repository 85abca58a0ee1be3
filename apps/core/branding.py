"""Which brand a page wears: the platform's, or the organizer's on its own host.

The platform's brand is stored in the public schema (apps.platform); apps.core only
describes a brand and picks between the two (see apps.core.context_processors).
"""

from dataclasses import dataclass

DEFAULT_PRIMARY = "#1f5eff"
DEFAULT_ACCENT = "#ff7a1a"


@dataclass(frozen=True)
class Brand:
    name: str
    primary_color: str = DEFAULT_PRIMARY
    accent_color: str = DEFAULT_ACCENT
    logo_url: str = ""
    # The platform's own footer lines; an organizer's brand leaves them empty.
    legal_footer: str = ""
    support_email: str = ""
