from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.selectors import support_session_open_of
from apps.accounts.services import SUPPORT_SESSION_KEY, login_token_consume, support_session_end
from apps.core.audit import Actor
from apps.core.links import url_on
from apps.tenancy.selectors import platform_base_domain


def token_login(request, token):
    """Lands a user who registered (or was sent here) on another host, logged in. A support
    identity's session is bound to its open support session and lasts no longer."""
    user = login_token_consume(token=token)
    support = support_session_open_of(user) if user is not None and user.is_support else None
    if user is None or (user.is_support and support is None):
        return render(
            request,
            "accounts/token_invalid.html",
            {"message": _("This sign-in link has expired or was already used. Please log in.")},
            status=400,
        )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if support is not None:
        request.session[SUPPORT_SESSION_KEY] = support.pk
        request.session.set_expiry(support.expires_at)
    next_path = request.GET.get("next", "")
    if next_path.startswith("/control/") and url_has_allowed_host_and_scheme(
        next_path, allowed_hosts={request.get_host()}
    ):
        return redirect(next_path)
    return redirect("control-dashboard")


@require_POST
def support_session_leave(request):
    """The banner's "End support session": ends it, logs the identity out, back to the platform."""
    support = getattr(request, "support_session", None)  # set by SupportSessionMiddleware
    if support is None:
        return redirect("control-dashboard")
    support_session_end(support_session=support, actor=Actor.from_request(request))
    logout(request)
    return redirect(url_on(platform_base_domain(), "/platform/"))
