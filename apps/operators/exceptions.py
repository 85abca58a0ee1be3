from apps.core.exceptions import Conflict, DomainError, NotAllowed

__all__ = ["Conflict", "InvitationInvalid", "NotAllowed"]


class InvitationInvalid(DomainError):
    """The invitation link is unknown, tampered with, expired, used or withdrawn."""

    status_code = 400
