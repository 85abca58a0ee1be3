"""The one base of control-panel (and platform) pages: function views decorated here, which
ask apps.operators.permissions and nothing else.

- `@control_view`: an operator of this organization (`can_open_control_panel`); anonymous
  visitors go to the login page, others get 403. `@control_view(check=is_organization_admin)`
  for a page that asks more of the user (any `check(user) -> bool` of the permission module).
- `require(request, action, obj)`: inside the view, 403 unless `can(user, action, obj)`;
  returns `obj`, so `event = require(request, Action.CONFIGURE, visible_event(...))`.
  Look the object up among what the user sees first (404 for what they may not see), then
  `require` the action (403 for what they see but may not change).
- `@requires_platform_admin`: the platform pages (TOTP required).
- `requires(check)`: the primitive under them all.

An app's own concerns (the events pages' time zone) wrap `control_view`, never replace it.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from apps.operators.permissions import Action, can, can_open_control_panel, can_open_platform_admin, has_totp


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


def control_view(view=None, *, check=can_open_control_panel):
    """Decorator of control-panel pages: `@control_view` or `@control_view(check=...)`."""
    if view is None:
        return requires(check)
    return requires(check)(view)


def require(request, action: Action | str, obj=None):
    """403 (PermissionDenied) unless the user may do `action` on `obj`; returns `obj`."""
    if not can(request.user, action, obj):
        raise PermissionDenied
    return obj
