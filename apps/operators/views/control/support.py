"""The support sessions page: who of the platform opened this site (apps.accounts keeps them)."""

from django.shortcuts import render

from apps.accounts.selectors import support_sessions_with_actions
from apps.operators.decorators import control_view
from apps.operators.permissions import can_view_support_sessions


@control_view(check=can_view_support_sessions)
def support_sessions(request):
    """Who of the platform opened this site, when, why, for how long, and what they did."""
    return render(request, "accounts/support_sessions.html", {"sessions": support_sessions_with_actions()})
