class RegistrationError(Exception):
    """A public organizer registration that cannot be carried out; the message says why."""
