"""Service fee rules: creating, changing and deleting them."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.audit import Actor, audit_log
from apps.events.models import Event
from apps.organizers.catalog import catalog_changed
from apps.organizers.models import Organizer
from apps.sales.models import FeeRule
from apps.sales.services.orders import SYSTEM

FEE_RULE_FIELDS = ("name", "fixed", "percent", "paid_by")


@transaction.atomic
def fee_rule_save(
    *,
    rule: FeeRule | None = None,
    organizer: Organizer | None = None,
    event: Event | None = None,
    actor: Actor = SYSTEM,
    **fields: Any,
) -> FeeRule:
    """Create (or, given `rule`, change) a fee rule; an event's rule belongs to its organizer.
    One rule per event, per organizer and for the organization: another is a clear error."""
    unknown = set(fields) - set(FEE_RULE_FIELDS)
    if unknown:
        raise TypeError(f"not a fee rule field: {', '.join(sorted(unknown))}")
    creating = rule is None
    saved = (
        FeeRule(organizer=event.organizer if event is not None else organizer, event=event)
        if rule is None
        else rule
    )
    for name, value in fields.items():
        setattr(saved, name, value)
    saved.full_clean(validate_constraints=False)
    scope = FeeRule.objects.exclude(pk=saved.pk)
    if saved.event_id:
        taken = scope.filter(event_id=saved.event_id)
    elif saved.organizer_id:
        taken = scope.filter(organizer_id=saved.organizer_id, event=None)
    else:
        taken = scope.filter(organizer=None, event=None)
    if taken.exists():
        raise ValidationError(_("There is already a fee rule for this; change that one instead."))
    saved.save()
    catalog_changed()
    audit_log(actor=actor, action="fee_rule.created" if creating else "fee_rule.changed", target=saved)
    return saved


@transaction.atomic
def fee_rule_delete(*, rule: FeeRule, actor: Actor = SYSTEM) -> None:
    audit_log(actor=actor, action="fee_rule.deleted", target=rule)
    rule.delete()
    catalog_changed()
