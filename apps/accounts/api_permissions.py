"""DRF permission classes; each one asks apps.accounts.permissions."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from apps.accounts.permissions import Action, can


class IsOperator(BasePermission):
    message = _("Log in as an operator of this organization.")

    def has_permission(self, request, view) -> bool:
        return can(request.user, Action.OPEN_CONTROL_PANEL)


class IsPlatformAdmin(BasePermission):
    message = _("Only platform admins may do this, on the platform host.")

    def has_permission(self, request, view) -> bool:
        return can(request.user, Action.OPEN_PLATFORM_ADMIN)
