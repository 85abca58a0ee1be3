from apps.core.exceptions import Conflict


class LastPrice(Conflict):
    """A plan keeps at least one price."""


class NoPrice(Conflict):
    """A plan has no price to offer in a currency (nor one in the default currency to fall back on)."""


class PlanInUse(Conflict):
    """Clients (or signups) are on the plan: it cannot be deleted."""
