"""Service fee rules: creating, changing and deleting them."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.audit import Actor, audit_log
from apps.organizers.catalog import catalog_changed
from apps.sales.models import FeeRule
from apps.sales.services.orders import SYSTEM

FEE_RULE_FIELDS = ("name", "fixed", "percent", "paid_by")


@transaction.atomic
def fee_rule_save(*, rule=None, organizer=None, event=None, actor: Actor = SYSTEM, **fields):
    """Create (or, given `rule`, change) a fee rule; an event's rule belongs to its organizer.
    One rule per event, per organizer and for the organization: another is a clear error."""
    unknown = set(fields) - set(FEE_RULE_FIELDS)
    if unknown:
        raise TypeError(f"not a fee rule field: {', '.join(sorted(unknown))}")
    creating = rule is None
    if creating:
        rule = FeeRule(organizer=event.organizer if event is not None else organizer, event=event)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.full_clean(validate_constraints=False)
    scope = FeeRule.objects.exclude(pk=rule.pk)
    if rule.event_id:
        taken = scope.filter(event_id=rule.event_id)
    elif rule.organizer_id:
        taken = scope.filter(organizer_id=rule.organizer_id, event=None)
    else:
        taken = scope.filter(organizer=None, event=None)
    if taken.exists():
        raise ValidationError(_("There is already a fee rule for this; change that one instead."))
    rule.save()
    catalog_changed()
    audit_log(actor=actor, action="fee_rule.created" if creating else "fee_rule.changed", target=rule)
    return rule


@transaction.atomic
def fee_rule_delete(*, rule, actor: Actor = SYSTEM) -> None:
    audit_log(actor=actor, action="fee_rule.deleted", target=rule)
    rule.delete()
    catalog_changed()
