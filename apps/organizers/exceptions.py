from apps.core.exceptions import Conflict


class OrganizerError(Conflict):
    """A rule of organizers or distributions was broken; the message says which."""
