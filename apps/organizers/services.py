"""Writes on organizers and their sale channels."""

from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.core.audit import Actor, audit_log
from apps.core.branding import DEFAULT_ACCENT, DEFAULT_PRIMARY
from apps.core.timezones import zone_for_country
from apps.organizers.catalog import catalog_changed
from apps.organizers.exceptions import OrganizerError
from apps.organizers.models import Distribution, Organizer

SYSTEM = Actor(user=None)


def organizer_slug_free(name: str) -> str:
    base = slugify(name)[:50] or "organizer"
    slug, n = base, 1
    while Organizer.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def organizer_create(
    *,
    name: str,
    currency: str,
    country: str,
    legal_name: str = "",
    slug: str = "",
    bank_account: str = "",
    vat_number: str = "",
    primary_color: str = DEFAULT_PRIMARY,
    accent_color: str = DEFAULT_ACCENT,
    time_zone: str = "",
    actor: Actor = SYSTEM,
) -> Organizer:
    """Create an organizer with its two default sale channels ("Online shop", "Box office");
    its time zone is its country's main one unless `time_zone` names another."""
    organizer = Organizer(
        name=name,
        slug=slug or organizer_slug_free(name),
        legal_name=legal_name or name,
        currency=currency.upper(),
        country=country,
        time_zone=time_zone or zone_for_country(country),
        bank_account=bank_account.replace(" ", "").upper(),
        vat_number=vat_number.replace(" ", "").upper(),
        primary_color=primary_color,
        accent_color=accent_color,
    )
    organizer.full_clean()
    organizer.save()
    Distribution.objects.bulk_create(
        [
            Distribution(organizer=organizer, name=_("Online shop"), kind=Distribution.Kind.ONLINE_SHOP),
            Distribution(organizer=organizer, name=_("Box office"), kind=Distribution.Kind.BOX_OFFICE),
        ]
    )
    audit_log(actor=actor, action="organizer.created", target=organizer)
    catalog_changed()
    return organizer


UPDATABLE_FIELDS = (
    "name",
    "legal_name",
    "address",
    "bank_account",
    "vat_number",
    "country",
    "time_zone",
    "currency",
    "primary_color",
    "accent_color",
)


@transaction.atomic
def organizer_update(*, organizer: Organizer, actor: Actor = SYSTEM, **changes: Any) -> Organizer:
    organizer = Organizer.objects.select_for_update().get(pk=organizer.pk)
    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        raise TypeError(f"not updatable: {', '.join(sorted(unknown))}")
    if "currency" in changes:
        changes["currency"] = changes["currency"].upper()
        if changes["currency"] != organizer.currency and organizer.currency_locked:
            raise OrganizerError(
                _("The currency of %(organizer)s cannot change: it already has sales.")
                % {"organizer": organizer}
            )
    for field in ("bank_account", "vat_number"):
        if field in changes:
            changes[field] = changes[field].replace(" ", "").upper()
    before = {field: str(getattr(organizer, field)) for field in changes}
    for field, value in changes.items():
        setattr(organizer, field, value)
    organizer.full_clean()
    organizer.save()
    catalog_changed()
    changed = {
        field: [before[field], str(getattr(organizer, field))]
        for field in changes
        if before[field] != str(getattr(organizer, field))
    }
    if changed:
        audit_log(actor=actor, action="organizer.updated", target=organizer, changes=changed)
    return organizer


def organizer_lock_currency(*, organizer: Organizer) -> None:
    """Called by the first sale, in its transaction: from then on the currency is fixed."""
    if Organizer.objects.filter(pk=organizer.pk, currency_locked=False).update(currency_locked=True):
        catalog_changed()  # the organizer, as cached with its distributions, has changed


@transaction.atomic
def distribution_create(
    *, organizer: Organizer, name: str, kind: str = Distribution.Kind.OTHER, actor: Actor = SYSTEM
) -> Distribution:
    distribution = Distribution(organizer=organizer, name=name, kind=kind)
    distribution.full_clean()
    distribution.save()
    catalog_changed()
    audit_log(actor=actor, action="distribution.created", target=distribution)
    return distribution


@transaction.atomic
def distribution_rename(*, distribution: Distribution, name: str, actor: Actor = SYSTEM) -> Distribution:
    distribution.name = name
    distribution.full_clean()
    distribution.save(update_fields=["name"])
    catalog_changed()
    audit_log(actor=actor, action="distribution.renamed", target=distribution, name=name)
    return distribution


@transaction.atomic
def distribution_delete(*, distribution: Distribution, actor: Actor = SYSTEM) -> None:
    # Lock the organizer so two concurrent deletions cannot both see three channels.
    organizer = Organizer.objects.select_for_update().get(pk=distribution.organizer_id)
    if organizer.distributions.count() <= Distribution.MINIMUM_PER_ORGANIZER:
        raise OrganizerError(
            _("%(organizer)s must keep at least %(count)d distributions; “%(name)s” is one of the last two.")
            % {"organizer": organizer, "count": Distribution.MINIMUM_PER_ORGANIZER, "name": distribution.name}
        )
    audit_log(actor=actor, action="distribution.deleted", target=distribution)
    distribution.delete()
    catalog_changed()
