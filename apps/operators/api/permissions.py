"""DRF permission classes; each one asks apps.operators.permissions."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from apps.operators.permissions import Action, can, has_totp


class IsOperator(BasePermission):
    message = _("Log in as an operator of this organization.")

    def has_permission(self, request, view) -> bool:
        return can(request.user, Action.OPEN_CONTROL_PANEL)


class IsPlatformAdmin(BasePermission):
    """A platform admin on the platform host, with a TOTP authenticator: like the dashboard,
    the API (token or session) is closed to an admin account protected by a password alone."""

    message = _("Only platform admins may do this, on the platform host.")
    totp_missing_message = _(
        "Platform administration needs two-factor authentication: "
        "set up an authenticator app on the platform site first."
    )

    def has_permission(self, request, view) -> bool:
        if not can(request.user, Action.OPEN_PLATFORM_ADMIN):
            return False
        if not has_totp(request.user):
            self.message = self.totp_missing_message
            return False
        return True
