"""The cached catalog: the generation (apps.core.cache) of what a sale reads on every order.

It covers organizers and their distributions, who may sell in them (operators), events with
their channels, dates and ticket types and the country of their locations (events), fee
rules and tax rules (sales); apps.sales.selectors reads it. It is declared here, in the
lowest app whose rows it covers, so that every app that writes one of those rows imports it
downwards: the service that writes drops it, in its transaction (a save, a delete, a
QuerySet.update() or a bulk write alike). No receiver does.
"""

from apps.core.cache import generation_bump
from apps.core.schemas import current_schema

CATALOG = "catalog"


def catalog_changed() -> None:
    """Drop this schema's cached catalog (now, and again once the transaction commits)."""
    generation_bump(schema_name=current_schema(), name=CATALOG)
