from apps.core.exceptions import Conflict


class AlreadyBilled(Conflict):
    """An adjustment is on an invoice already: it can no longer be withdrawn."""
