from django.contrib.auth import logout
from django.db import connection

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
