class DomainError(Exception):
    """Base of every app's rule-breaking error: the message is for the user, the status for HTTP;
    `field`, when set, names the input the message is about (the API answers {field: [message]})."""

    status_code = 400
    field: str | None = None


class NotAllowed(DomainError):
    """The actor lacks the permission the action needs."""

    status_code = 403


class Conflict(DomainError):
    """The action is already done or clashes with the current state."""

    status_code = 409


class RateLimited(DomainError):
    """Too many attempts from one client: `retry_after` seconds until the next may pass."""

    status_code = 429

    def __init__(self, *, retry_after: int, message: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message or self.default_message(retry_after))

    @staticmethod
    def default_message(retry_after: int) -> str:
        from django.utils.translation import gettext

        return gettext("Too many attempts: please try again in %(wait)s.") % {
            "wait": waiting_time(retry_after)
        }


def waiting_time(seconds: int) -> str:
    """A wait said in words ("4 minutes", "1 hour, 2 minutes"), at least a minute."""
    from datetime import timedelta

    from django.utils import timezone
    from django.utils.timesince import timeuntil

    now = timezone.now()
    return timeuntil(now + timedelta(seconds=max(seconds, 60)), now)


class NotInPlan(NotAllowed):
    """The organizer's plan (with its overrides) lacks the feature the action needs."""


class LimitReached(Conflict):
    """The organizer's plan allows no more of something (operators)."""
