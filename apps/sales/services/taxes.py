"""Tax rules: creating, changing and deleting them, with the ticket types they tax."""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.core.audit import Actor, audit_log
from apps.events.models import TicketType
from apps.organizers.catalog import catalog_changed
from apps.organizers.models import Organizer
from apps.sales.models import TaxedTicketType, TaxRule
from apps.sales.services.orders import SYSTEM


def _conflicts(rule: TaxRule, ticket_types: list[TicketType]) -> list[str]:
    taken = (
        TaxedTicketType.objects.filter(ticket_type__in=ticket_types, country=rule.country)
        .exclude(rule_id=rule.pk)
        .select_related("ticket_type", "rule")
    )
    return [
        _("“%(ticket_type)s” already has the rule “%(rule)s” for this country.")
        % {"ticket_type": assignment.ticket_type.name, "rule": assignment.rule.name}
        for assignment in taken
    ]


@transaction.atomic
def tax_rule_save(
    *,
    organizer: Organizer,
    name: str,
    rate: Decimal,
    price_includes_tax: bool,
    country: str = "",
    ticket_types: Iterable[TicketType] = (),
    rule: TaxRule | None = None,
    actor: Actor = SYSTEM,
) -> TaxRule:
    """Create (or, given `rule`, change) an organizer's tax rule and the ticket types it
    taxes (all the organizer's; at most one rule per ticket type and country). Orders placed
    before keep the tax they were priced with."""
    creating = rule is None
    saved = TaxRule(organizer=organizer) if rule is None else rule
    if saved.organizer_id != organizer.pk:
        raise ValidationError(_("This rule belongs to another organizer."))
    saved.name, saved.rate, saved.price_includes_tax, saved.country = name, rate, price_includes_tax, country
    saved.full_clean()
    chosen = list(ticket_types)
    foreign = [t.name for t in chosen if t.event.organizer_id != organizer.pk]
    if foreign:
        raise ValidationError(
            {
                "ticket_types": _("Not ticket types of %(organizer)s: %(names)s.")
                % {"organizer": organizer.name, "names": ", ".join(foreign)}
            }
        )
    conflicts = _conflicts(saved, chosen) if saved.pk else []
    if conflicts:
        raise ValidationError({"ticket_types": conflicts})
    try:
        with transaction.atomic():
            saved.save()
            conflicts = _conflicts(saved, chosen)
            if conflicts:
                raise ValidationError({"ticket_types": conflicts})
            TaxedTicketType.objects.filter(rule=saved).delete()
            TaxedTicketType.objects.bulk_create(
                [TaxedTicketType(rule=saved, ticket_type=t, country=saved.country) for t in chosen]
            )
    except IntegrityError as exc:  # another rule took one of them at the same moment
        raise ValidationError(
            {"ticket_types": _("Another rule for this country was just given one of these ticket types.")}
        ) from exc
    catalog_changed()  # a sale reads the ticket types' rules from the cached catalog
    audit_log(
        actor=actor,
        action="tax_rule.created" if creating else "tax_rule.changed",
        target=saved,
        rate=str(saved.rate),
        included=saved.price_includes_tax,
        country=str(saved.country),
        ticket_types=[t.pk for t in chosen],
    )
    return saved


@transaction.atomic
def tax_rule_delete(*, rule: TaxRule, actor: Actor = SYSTEM) -> None:
    """Delete a rule: its ticket types are sold without it from now on; tickets sold keep
    their tax."""
    audit_log(actor=actor, action="tax_rule.deleted", target=rule, rate=str(rule.rate))
    rule.delete()
    catalog_changed()
