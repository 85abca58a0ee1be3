from apps.organizers.selectors import organizer_for_host


class OrganizerMiddleware:
    """request.organizer: the organizer this host is bound to, else None."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organizer = organizer_for_host(getattr(request, "tenant_domain", None))
        return self.get_response(request)
