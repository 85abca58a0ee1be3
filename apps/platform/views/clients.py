"""Platform admin pages of the clients: list (with CSV export), snapshot, settings and overrides."""

import csv
import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.billing.forms import AdjustmentForm, ClientFilterForm, ClientSettingsForm
from apps.billing.models import BillingAccount, BillingAdjustment
from apps.billing.selectors.accounts import (
    account_addons,
    account_features,
    account_price,
    pending_adjustments,
)
from apps.billing.selectors.clients import (
    client_activity,
    client_home_host,
    client_of,
    clients_listed,
    open_invoices,
    overdue_invoices,
    sales_currency_of,
    sales_history,
)
from apps.billing.selectors.invoices import next_invoice_estimate
from apps.billing.selectors.periods import next_invoice_date
from apps.billing.services.accounts import billing_account_update
from apps.billing.services.adjustments import billing_adjustment_create, billing_adjustment_delete
from apps.core.audit import Actor
from apps.core.exceptions import DomainError
from apps.core.forms import call_for_form
from apps.core.money import format_money
from apps.operators.decorators import requires_platform_admin
from apps.plans.exceptions import NoPrice
from apps.plans.selectors import addon_fees_in, plan_price_for

CLIENTS_PER_PAGE = 50


def _filtered_clients(request):
    form = ClientFilterForm(request.GET or None)
    return form, clients_listed(**form.filters())


def _query_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@requires_platform_admin
def client_list(request):
    form, clients = _filtered_clients(request)
    page = Paginator(clients, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "billing/client_list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without(request, "page"),
            "month": timezone.localdate().replace(day=1),
        },
        status=400 if form.errors else 200,
    )


_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")  # as format_money writes amounts for CSV


def _csv_cell(value) -> str:
    """A cell no spreadsheet runs as a formula: texts (typed by clients) that could start one are
    quoted; numbers, negative ones included, stay numbers."""
    if value is None:
        return ""
    if (
        isinstance(value, str)
        and value[:1] in ("=", "+", "-", "@", "\t", "\r")
        and not _NUMBER.fullmatch(value)
    ):
        return f"'{value}"
    return str(value)


CSV_HEADER = (
    "id",
    "organizer",
    "organizer_address",
    "organization",
    "plan",
    "status",
    "signed_up",
    "sales_this_month",
    "sales_currency",
    "balance",
    "billing_currency",
    "contact_email",
    "overrides",
)


@requires_platform_admin
def client_export(request):
    """The clients list as CSV: the same search, filters and order, every page."""
    form, clients = _filtered_clients(request)
    if form.errors:
        return client_list(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="clients-{timezone.localdate():%Y-%m-%d}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for account in clients.iterator(chunk_size=500):
        sales_currency = account.sales_currency or ""
        writer.writerow(
            [
                _csv_cell(value)
                for value in (
                    account.pk,
                    account.organizer_name,
                    account.organizer_slug,
                    account.organization.name,
                    account.plan.name,
                    account.status,
                    timezone.localtime(account.signed_up_at).date().isoformat(),
                    format_money(account.sales_this_month, sales_currency, style="csv")
                    if sales_currency
                    else "0",
                    sales_currency,
                    format_money(account.balance, account.currency, style="csv"),
                    account.currency,
                    account.contact_email,
                    " ".join(account.overridden_fields()),
                )
            ]
        )
    return response


def _client_or_404(pk: int) -> BillingAccount:
    try:
        return client_of(pk)
    except BillingAccount.DoesNotExist as exc:
        raise Http404 from exc


def _price_or_none(account: BillingAccount):
    try:
        return account_price(account)
    except NoPrice:
        return None


# The sales chart's drawing area (SVG user units): bars stand on a baseline above the labels.
CHART_WIDTH, CHART_TOP, CHART_PLOT, CHART_HEIGHT = 600, 10, 160, 200


def _chart_bars(history) -> list[dict]:
    """Each month's bar geometry, as strings: an SVG must not get "12,5" from a French locale."""
    slot = CHART_WIDTH / len(history)
    bars = []
    for index, bar in enumerate(history):
        height = float(bar.height) * CHART_PLOT / 100
        bars.append(
            {
                "bar": bar,
                "x": f"{index * slot + slot * 0.15:.1f}",
                "y": f"{CHART_TOP + CHART_PLOT - height:.1f}",
                "width": f"{slot * 0.7:.1f}",
                "height": f"{height:.1f}",
                "label_x": f"{index * slot + slot / 2:.1f}",
            }
        )
    return bars


def _addons_or_none(account: BillingAccount, price):
    """The client's add-ons with their price in its invoices' currency; None when one cannot be
    priced (the page says so)."""
    try:
        return account_addons(account, currency=price.currency if price else account.currency)
    except NoPrice:
        return None


@requires_platform_admin
def client_detail(request, pk):
    account = _client_or_404(pk)
    history = sales_history(account)
    next_on = next_invoice_date(account)
    price = _price_or_none(account)
    addons = _addons_or_none(account, price)
    return render(
        request,
        "billing/client_detail.html",
        {
            "account": account,
            "price": price,
            "features": account_features(account),
            "addons": {addon.feature: addon for addon in addons or ()},
            "addons_unpriced": addons is None,
            "next_invoice_on": next_on,
            "next_invoice_estimate": next_invoice_estimate(account, next_on),
            "adjustments": pending_adjustments(account),
            "history": history,
            "chart": {
                "bars": _chart_bars(history),
                "width": CHART_WIDTH,
                "height": CHART_HEIGHT,
                "baseline": CHART_TOP + CHART_PLOT,
                "label_y": CHART_HEIGHT - 8,
            },
            "history_currency": sales_currency_of(account) or account.currency,
            "open_invoice_count": open_invoices(account).count(),
            "overdue_invoice_count": overdue_invoices(account).count(),
            "activity": client_activity(account),
            "domains": account.organization.domains.all(),
            "home_host": client_home_host(account),
            "port": "" if request.get_port() in ("80", "443") else f":{request.get_port()}",
        },
    )


@requires_platform_admin
def client_settings(request, pk):
    account = _client_or_404(pk)
    try:
        plan_price = plan_price_for(plan=account.plan, currency=account.currency)
    except NoPrice:
        plan_price = None
    try:
        addon_fees = addon_fees_in(plan_price.currency if plan_price else account.currency)
    except NoPrice:
        addon_fees = None
    form = ClientSettingsForm(
        request.POST or None, instance=account, plan_price=plan_price, addon_fees=addon_fees
    )
    if request.method == "POST" and form.is_valid():
        done, _account = call_for_form(
            form,
            billing_account_update,
            account_id=account.pk,
            changes=form.changes(),
            actor=Actor.from_request(request),
        )
        if done:
            messages.success(request, _("The settings of %(client)s are saved.") % {"client": account})
            return redirect("platform-client", pk=account.pk)
    return render(
        request,
        "billing/client_settings.html",
        {"account": account, "form": form},
        status=400 if form.errors else 200,
    )


@requires_platform_admin
def client_adjustment_create(request, pk):
    """Add a one-off charge or credit to the client's next monthly invoice."""
    account = _client_or_404(pk)
    form = AdjustmentForm(request.POST or None, currency=account.currency)
    if request.method == "POST" and form.is_valid():
        done, _adjustment = call_for_form(
            form,
            billing_adjustment_create,
            account_id=account.pk,
            actor=Actor.from_request(request),
            **form.cleaned_data,
        )
        if done:
            messages.success(
                request, _("The adjustment is added to the next invoice of %(client)s.") % {"client": account}
            )
            return redirect(f"{reverse('platform-client', args=[account.pk])}#adjustments")
    return render(
        request,
        "billing/adjustment_form.html",
        {"account": account, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@requires_platform_admin
def client_adjustment_delete(request, pk, adjustment_pk):
    """Withdraw an adjustment that is not billed yet."""
    account = _client_or_404(pk)
    try:
        billing_adjustment_delete(
            adjustment_id=adjustment_pk, account_id=account.pk, actor=Actor.from_request(request)
        )
    except BillingAdjustment.DoesNotExist as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The adjustment is withdrawn."))
    return redirect(f"{reverse('platform-client', args=[account.pk])}#adjustments")
