"""The events hub's index: one public-schema row per upcoming published event of any client.

Kept up to date as events and dates change: the events services send
`apps.core.hooks.event_changed` and apps.hub.services re-reads the event, so
the hub page reads this one table and never visits an organization's schema. Rows refer to
tenant events by (schema name, event id) with a snapshot of what the page shows: no foreign
key leads into a tenant schema.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class HubEvent(models.Model):
    schema_name = models.CharField(_("organization schema"), max_length=63)
    event_id = models.BigIntegerField(_("event id"))
    organizer_name = models.CharField(_("organizer"), max_length=200)
    organizer_slug = models.SlugField(_("organizer slug"), max_length=63)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20)
    city = models.CharField(_("city"), max_length=120)
    country = models.CharField(_("country"), max_length=2)
    location_name = models.CharField(_("location"), max_length=200)
    next_start = models.DateTimeField(_("next date"))
    last_end = models.DateTimeField(_("last date ends"))
    date_count = models.PositiveIntegerField(_("dates to come"))
    time_zone = models.CharField(
        _("time zone"), max_length=63, default="UTC", help_text=_("The zone its dates are shown in.")
    )
    host = models.CharField(
        _("host"), max_length=253, help_text=_("The organizer's storefront host, where its tickets are sold.")
    )
    # Lower-cased event name, organizer, city and location name: what the hub's search matches.
    search = models.TextField(editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hub event")
        verbose_name_plural = _("hub events")
        ordering = ["next_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["schema_name", "event_id"], name="hub_event_once_per_organization"
            )
        ]
        indexes = [
            models.Index(fields=["next_start", "id"], name="hub_event_next_start"),
            models.Index(Upper("city"), "next_start", name="hub_event_city"),
            GinIndex(fields=["search"], opclasses=["gin_trgm_ops"], name="hub_event_search_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organizer_name})"


def search_text(*parts: str) -> str:
    """What the search column holds and a query is compared with: lower case, single spaces."""
    return " ".join(" ".join(parts).lower().split())
