"""The address of the platform's support identity, which nobody else may take.

Platform admins enter an organization each under their own support identity (apps.platform
support sessions), a user of that organization's schema whose address is a sub-address
support+<admin id>@<platform domain>; support@ and every support+…@ are reserved. Were a
customer or an operator to hold such an address first, the identity could not be made there, or
a password reset sent to the platform's support mailbox would open it with a password: every
way in (signup, social signup, added addresses, password resets, invitations, client signup,
user_create itself) refuses it.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from apps.accounts.exceptions import AddressReserved
from apps.tenancy.selectors import platform_base_domain

SUPPORT_LOCAL_PART = "support"


def support_email() -> str:
    """The support identity's address in every organization."""
    return f"{SUPPORT_LOCAL_PART}@{platform_base_domain()}"


def is_support_address(email: str) -> bool:
    """Whether `email` is, or is a sub-address of, the support identity's address (on the
    stored base domain or settings.PLATFORM_DOMAIN, whatever the case)."""
    local, _at, domain = (email or "").strip().lower().rpartition("@")
    if domain not in {platform_base_domain().lower(), settings.PLATFORM_DOMAIN.lower()}:
        return False
    return local == SUPPORT_LOCAL_PART or local.startswith(f"{SUPPORT_LOCAL_PART}+")


def support_address_refusal(email: str) -> str:
    """Why `email` may not be an account's address, or "" when it may."""
    if is_support_address(email):
        return _("%(email)s is reserved for the platform's support.") % {"email": email.strip().lower()}
    return ""


def support_address_check(email: str) -> None:
    """Raise AddressReserved when `email` is the support identity's address."""
    refusal = support_address_refusal(email)
    if refusal:
        raise AddressReserved(refusal)
