from apps.core.exceptions import DomainError


class RegistrationError(DomainError):
    """A public organizer registration that cannot be carried out; the message says why."""


class SupportError(DomainError):
    """A support session that cannot be opened (organization not live, no host, …)."""
