class OrganizerError(Exception):
    """A rule of organizers or distributions was broken; the message says which."""
