from django.contrib import messages
from django.contrib.auth import logout
from django.db import connection
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from apps.accounts.models import SupportSession
from apps.accounts.roles import can_enter_template_site
from apps.accounts.services import SUPPORT_SESSION_KEY, support_session_end
from apps.core.audit import Actor, audit_log
from apps.tenancy.views import unknown_host

SESSION_SCHEMA_KEY = "_tessera_schema"


class SessionSchemaMiddleware:
    """Binds a logged-in session to the schema it was opened in.

    Sessions already live in per-schema tables behind host-only cookies; this is the second
    lock: a session that somehow reaches another schema's host is logged out, not trusted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            bound = request.session.get(SESSION_SCHEMA_KEY)
            if bound is None:
                request.session[SESSION_SCHEMA_KEY] = connection.schema_name
            elif bound != connection.schema_name:
                logout(request)
        return self.get_response(request)


class TemplateSiteMiddleware:
    """A template site (Organization.is_template) is kept to be cloned, not served: on its
    hosts everyone but its support identity gets the unknown-host 404 — storefront, signup
    and login pages, control panel and API alike. The one way in is a support session's
    one-time link, which logs the support identity in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if getattr(tenant, "is_template", False) and not (
            can_enter_template_site(request.user) or _is_support_link(request)
        ):
            return unknown_host(request)
        return self.get_response(request)


def _is_support_link(request) -> bool:
    try:
        match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return match.url_name == "token-login"


UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class SupportSessionMiddleware:
    """A support identity is let in only within its open support session: past its time, or
    once ended, it is logged out. Every write it makes is in this schema's audit log, under
    its own name (on top of what the services audit), with the answer's status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_support:
            return self.get_response(request)
        support = SupportSession.objects.filter(
            pk=request.session.get(SUPPORT_SESSION_KEY), identity=user
        ).first()
        if support is None or not support.is_open():
            if support is not None:
                support_session_end(support_session=support, actor=Actor.from_request(request), why="expired")
            logout(request)
            messages.info(request, _("The support session has ended."))
            return redirect("account_login")
        request.support_session = support
        actor = Actor.from_request(request)  # now: ending the session logs the identity out
        response = self.get_response(request)
        if request.method in UNSAFE_METHODS:
            audit_log(
                actor=actor,
                action="support.request",
                target=support,
                method=request.method,
                path=request.path,
                status=response.status_code,
            )
        return response
