"""The control panel's billing banner: a client whose account is past due or suspended."""

from django.db import connection
from django_tenants.utils import get_public_schema_name

from apps.billing.models import BillingAccount
from apps.operators.permissions import is_operator

ATTENTION = (BillingAccount.Status.PAST_DUE, BillingAccount.Status.SUSPENDED)


def billing_notice(request) -> dict:
    if connection.schema_name == get_public_schema_name() or not request.path.startswith("/control/"):
        return {}
    if not is_operator(getattr(request, "user", None)):
        return {}
    statuses = set(
        BillingAccount.objects.filter(
            organization__schema_name=connection.schema_name, status__in=ATTENTION
        ).values_list("status", flat=True)
    )
    if not statuses:
        return {}
    return {
        "billing_attention": BillingAccount.Status.SUSPENDED
        if BillingAccount.Status.SUSPENDED in statuses
        else BillingAccount.Status.PAST_DUE
    }
