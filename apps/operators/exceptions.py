class AccountsError(Exception):
    """A rule about operators, permissions or invitations was broken; the message says which."""


class NotAllowed(AccountsError):
    """The acting user lacks the permission the action needs (HTTP 403)."""


class Conflict(AccountsError):
    """The action is already done or clashes with the current state (HTTP 409)."""


class InvitationInvalid(AccountsError):
    """The invitation link is unknown, tampered with, expired, used or revoked (HTTP 400)."""
