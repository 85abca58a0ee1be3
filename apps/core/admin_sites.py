"""The platform host's Django admin (public-schema models). Organization hosts have none
(config/urls_tenant.py): their people use the control panel."""

from allauth.account.decorators import secure_admin_login
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class PlatformAdminSite(AdminSite):
    """Staff with a TOTP authenticator only. Logins go through allauth's login page, which asks
    for the TOTP code (the admin's own form would not); staff without an authenticator are
    sent to set one up."""

    site_header = _("Platform administration")
    site_title = _("Platform administration")

    def has_permission(self, request):
        return super().has_permission(request) and _has_totp(request.user)

    def login(self, request, extra_context=None):
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff and not _has_totp(user):
            messages.warning(
                request,
                gettext(
                    "Platform administration needs two-factor authentication: "
                    "set up an authenticator app first."
                ),
            )
            return redirect("mfa_activate_totp")
        return secure_admin_login(super().login)(request, extra_context)


def _has_totp(user) -> bool:
    # apps.core imports no domain app: this is apps.operators.permissions.has_totp's rule.
    return is_mfa_enabled(user, [Authenticator.Type.TOTP])


platform_admin_site = PlatformAdminSite(name="platform_admin")
