"""One-off charges and credits on a client's next monthly invoice."""

from decimal import Decimal
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.billing.exceptions import AlreadyBilled
from apps.billing.models import BillingAccount, BillingAdjustment, Invoice
from apps.core.audit import Actor, audit_log
from apps.core.money import quantize
from apps.plans.models import decimals_errors


@transaction.atomic
def billing_adjustment_create(
    *, account_id: int, description: str, amount: Decimal, actor: Actor
) -> BillingAdjustment:
    """Add a one-off charge (amount above zero) or credit (below zero), in the client's billing
    currency, to its next monthly invoice. Audited on the client."""
    account = BillingAccount.objects.select_for_update().get(pk=account_id)
    description = (description or "").strip()
    errors = {}
    if not description:
        errors["description"] = [_("Say what the charge or credit is for: it is printed on the invoice.")]
    if amount is None or amount == 0:
        errors["amount"] = [_("Enter an amount other than zero: above zero charges, below zero credits.")]
    else:
        errors.update(decimals_errors({"amount": amount}, account.currency))
    if errors:
        raise ValidationError(errors)
    adjustment = BillingAdjustment(
        account=account,
        description=description[:300],
        amount=quantize(amount, account.currency),
        currency=account.currency,
        created_by=getattr(actor.user, "email", "") or "",
    )
    adjustment.full_clean()
    adjustment.save()
    audit_log(
        actor=actor,
        action="client.adjustment_added",
        target=account,
        adjustment=adjustment.pk,
        description=adjustment.description,
        amount=str(adjustment.amount),
        currency=adjustment.currency,
    )
    return adjustment


@transaction.atomic
def billing_adjustment_delete(*, adjustment_id: int, actor: Actor, account_id: int | None = None) -> None:
    """Withdraw an adjustment that is not billed yet (`account_id`, when given, must be its
    client's). The client's row is locked as the billing run locks it: the run either billed it
    before (Conflict) or will not see it."""
    account_of = BillingAdjustment.objects.filter(pk=adjustment_id).values_list("account_id", flat=True)
    owner = account_of.first()
    if owner is None or (account_id is not None and owner != account_id):
        raise BillingAdjustment.DoesNotExist
    account = BillingAccount.objects.select_for_update().get(pk=owner)
    adjustment = BillingAdjustment.objects.select_related("invoice").get(pk=adjustment_id)
    if adjustment.invoice_id is not None:
        raise AlreadyBilled(
            _("This adjustment is billed on invoice %(number)s already: correct that invoice instead.")
            % {"number": cast(Invoice, adjustment.invoice).number}
        )
    audit_log(
        actor=actor,
        action="client.adjustment_deleted",
        target=account,
        adjustment=adjustment.pk,
        description=adjustment.description,
        amount=str(adjustment.amount),
        currency=adjustment.currency,
    )
    adjustment.delete()
