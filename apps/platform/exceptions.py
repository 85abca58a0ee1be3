from apps.core.exceptions import DomainError


class RegistrationError(DomainError):
    """A public organizer registration that cannot be carried out; the message says why."""
