from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from apps.accounts.services import login_token_consume


def token_login(request, token):
    """Lands a user who registered (or was sent here) on another host, logged in."""
    user = login_token_consume(token=token)
    if user is None:
        return render(
            request,
            "accounts/token_invalid.html",
            {"message": _("This sign-in link has expired or was already used. Please log in.")},
            status=400,
        )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    next_path = request.GET.get("next", "")
    if next_path.startswith("/control/") and url_has_allowed_host_and_scheme(
        next_path, allowed_hosts={request.get_host()}
    ):
        return redirect(next_path)
    return redirect("control-dashboard")
