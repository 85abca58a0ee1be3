from django.utils.translation import gettext_lazy as _

from apps.core.exceptions import Conflict, DomainError


class PaymentsNotConfigured(DomainError):
    status_code = 503

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message or _("Online payment is not available: the platform has no Stripe account set up.")
        )


class AccountNotReady(Conflict):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("This organizer cannot take online payments yet."))


class BadWebhook(DomainError):
    """A webhook whose signature does not verify, or whose body is not a Stripe event."""


class PaymentsUnavailable(DomainError):
    """Stripe could not be reached or refused the request."""

    status_code = 503

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("The payment service cannot be reached right now; please try again."))


class PaymentUnderway(Conflict):
    """The buyer has paid, or is paying, an intent that was to be cancelled."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or _("Your payment is already under way; wait for it to complete before changing the order.")
        )
