"""Client accounts: opened on signup, changed by the platform's admins (plan, status, contact,
overrides, add-ons). A change of plan or features drops the clients' cached features."""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.billing.models import BillingAccount
from apps.billing.selectors.accounts import account_addons, account_price
from apps.billing.services import SYSTEM
from apps.billing.vat import vat_number_clean
from apps.core.audit import Actor, audit_log
from apps.plans.exceptions import NoPrice
from apps.plans.features import features_changed
from apps.plans.models import Feature, Plan
from apps.plans.selectors import plan_price_for_country
from apps.tenancy.models import Organization

M = TypeVar("M", bound=Model)


def _check_fields(changes: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"not updatable: {', '.join(sorted(unknown))}")


def _save(instance: M, actor: Actor, action: str, **data: Any) -> M:
    instance.full_clean()
    instance.save()
    audit_log(actor=actor, action=action, target=instance, **data)
    return instance


def billing_account_open(
    *,
    organization: Organization,
    organizer_id: int,
    organizer_name: str,
    organizer_slug: str,
    country: str,
    plan: Plan,
    contact_email: str = "",
    legal_name: str = "",
    vat_number: str = "",
    actor: Actor = SYSTEM,
) -> BillingAccount:
    """Open the client account of a new organizer on `plan`, billed in the plan's price
    currency for its country (own, converted, or the default when it cannot be billed),
    anchored on today's day of the month. Idempotent per (organization, organizer)."""
    existing = BillingAccount.objects.filter(organization=organization, organizer_id=organizer_id).first()
    if existing is not None:
        return existing
    now = timezone.now()
    account = BillingAccount(
        organization=organization,
        organizer_id=organizer_id,
        organizer_name=organizer_name,
        organizer_slug=organizer_slug,
        country=country,
        plan=plan,
        currency=plan_price_for_country(plan=plan, country=country).currency,
        signed_up_at=now,
        billing_anchor_day=timezone.localdate(now).day,
        contact_email=contact_email,
        legal_name=legal_name,
        vat_number=_vat_number_or_none(vat_number, country),
    )
    with transaction.atomic():
        return _save(account, actor, "client.opened", plan=plan.slug, organizer=organizer_slug)


# What the client itself may change of its account (its control panel): its legal details.
def _vat_number_or_none(number: str, country: str) -> str:
    """A new client's VAT number as the organizer gave it, when valid; else none yet (the
    client enters it on its billing page): a wrong number never stops an account opening."""
    try:
        return vat_number_clean(number, country)
    except ValidationError:
        return ""


CLIENT_DETAILS = ("legal_name", "legal_address", "country", "vat_number")
CLIENT_FIELDS = (
    "plan",
    "status",
    "contact_email",
    "notes",
    *CLIENT_DETAILS,
    *(f"{name}_override" for name in BillingAccount.PRICE_OVERRIDES),
    *(f"{name}_override" for name in BillingAccount.FEATURE_OVERRIDES),
)


def _audit_value(value: Any) -> Any:
    if isinstance(value, Plan):
        return value.slug
    if isinstance(value, Decimal):
        return str(value)
    return value


@transaction.atomic
def billing_account_update(*, account_id: int, changes: Mapping[str, Any], actor: Actor) -> BillingAccount:
    """Change a client's plan, status, contact, notes or overrides (None: back to the plan's).

    Amounts must fit the account's currency; a plan must be able to price the account's
    currency (its own price, or one in the default currency). Audited with each changed
    field's old and new value; nothing changed, nothing recorded.
    """
    _check_fields(changes, (*CLIENT_FIELDS, "addons"))
    account = BillingAccount.objects.select_for_update().select_related("plan").get(pk=account_id)
    if "addons" in changes:
        changes = {**changes}
        changes.update(_addons_as_overrides(account, changes.pop("addons"), changes))
    changed = {}
    for field, value in changes.items():
        old = getattr(account, field)
        if old != value:
            changed[field] = {"from": _audit_value(old), "to": _audit_value(value)}
            setattr(account, field, value)
    if not changed:
        return account
    account.full_clean()
    if "plan" in changed:
        try:
            account_price(account)
        except NoPrice as exc:
            raise ValidationError({"plan": str(exc)}) from exc
    if changed.keys() & {"plan", *(f"{feature}_override" for feature in Feature.values)}:
        try:
            account_addons(account)
        except NoPrice as exc:  # an add-on its invoices could not price
            field = next((f"{f}_override" for f in Feature.values if f"{f}_override" in changed), "plan")
            raise ValidationError({field: str(exc)}) from exc
    account.save()
    audit_log(actor=actor, action="client.updated", target=account, fields=sorted(changed), changes=changed)
    if changed.keys() & {"plan", *(f"{name}_override" for name in BillingAccount.FEATURE_OVERRIDES)}:
        features_changed()
    return account


def _addons_as_overrides(
    account: BillingAccount, features: Iterable[str], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """The feature overrides that give the client exactly the add-ons `features`: each one on
    (its plan lacks it), every other add-on back to the plan's value."""
    features = set(features)
    errors = []
    for feature in sorted(features):
        if feature not in Feature.values:
            errors.append(_("“%(feature)s” is not a feature.") % {"feature": feature})
        elif getattr(account.plan, feature) and "plan" not in changes:
            errors.append(
                _("%(feature)s is in the plan already: it is no add-on.")
                % {"feature": Feature(feature).label}
            )
        elif f"{feature}_override" in changes:
            errors.append(
                _("Set %(feature)s either as an add-on or by its override, not both.")
                % {"feature": Feature(feature).label}
            )
    if errors:
        raise ValidationError({"addons": errors})
    overrides: dict[str, bool | None] = {}
    for feature in Feature.values:
        field = f"{feature}_override"
        if feature in features:
            overrides[field] = True
        elif field not in changes and getattr(account, field) is True and not getattr(account.plan, feature):
            overrides[field] = None
    return overrides
