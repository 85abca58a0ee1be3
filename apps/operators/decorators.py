from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from apps.operators.permissions import can_open_platform_admin, has_totp


def requires(check):
    """View decorator: anonymous users go to the login page, others need `check(user)`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def requires_platform_admin(view):
    """View decorator of the platform pages: `requires(can_open_platform_admin)`, and a
    platform admin without a TOTP authenticator is sent to set one up."""

    @requires(can_open_platform_admin)
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not has_totp(request.user):
            messages.warning(
                request,
                _(
                    "Platform administration needs two-factor authentication: set up an authenticator app first."
                ),
            )
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapped
