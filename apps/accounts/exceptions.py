from apps.core.exceptions import DomainError


class AddressReserved(DomainError):
    """The e-mail address belongs to the platform's support identity."""

    status_code = 400
