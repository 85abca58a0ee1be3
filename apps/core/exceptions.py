class DomainError(Exception):
    """Base of every app's rule-breaking error: the message is for the user, the status for HTTP."""

    status_code = 400


class NotAllowed(DomainError):
    """The actor lacks the permission the action needs."""

    status_code = 403


class Conflict(DomainError):
    """The action is already done or clashes with the current state."""

    status_code = 409
