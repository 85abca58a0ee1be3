"""A client's own billing page in its control panel: invoices, balance, the next invoice,
the card on file. Organization admins only."""

from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.billing.forms import BillingDetailsForm
from apps.billing.invoices import invoice_pdf
from apps.billing.models import BillingAccount, Invoice
from apps.billing.selectors.invoices import billing_overview
from apps.billing.services.accounts import billing_account_update
from apps.billing.services.card_on_file import card_on_file_finish, card_on_file_start
from apps.core.audit import Actor
from apps.core.exceptions import DomainError
from apps.core.forms import call_for_form
from apps.operators.decorators import control_view
from apps.operators.permissions import is_organization_admin
from apps.payments.csp import loads_stripe_js
from apps.payments.selectors import stripe_publishable_key


def _own_account(pk: int) -> BillingAccount:
    account = BillingAccount.objects.filter(pk=pk, organization__schema_name=connection.schema_name).first()
    if account is None:
        raise Http404
    return account


def _billing_page(request, *, bound: BillingDetailsForm | None = None, status: int = 200):
    overviews = billing_overview(connection.schema_name)
    forms = {
        o.account.pk: bound
        if bound is not None and bound.instance.pk == o.account.pk
        else BillingDetailsForm(instance=o.account, prefix=f"details-{o.account.pk}")
        for o in overviews
    }
    return render(
        request,
        "billing/control_billing.html",
        {"overviews": [(o, forms[o.account.pk]) for o in overviews]},
        status=status,
    )


@control_view(check=is_organization_admin)
def billing(request):
    return _billing_page(request)


@require_POST
@control_view(check=is_organization_admin)
def details(request, pk):
    """The client's own legal details, printed on its next invoices (issued ones keep theirs)."""
    account = _own_account(pk)
    form = BillingDetailsForm(request.POST, instance=account, prefix=f"details-{account.pk}")
    if form.is_valid():
        done, _result = call_for_form(
            form,
            billing_account_update,
            account_id=account.pk,
            changes=form.changes(),
            actor=Actor.from_request(request),
        )
        if done:
            messages.success(request, _("Your billing details are saved: your next invoices carry them."))
            return redirect("control-billing")
    account.refresh_from_db()
    form.instance = account
    return _billing_page(request, bound=form, status=400)


@control_view(check=is_organization_admin)
def invoice_page(request, pk):
    """An issued invoice as a page the client can read and print (its PDF is invoice_download)."""
    return render(request, "billing/control_invoice.html", {"invoice": _own_invoice(pk)})


def _own_invoice(pk: int) -> Invoice:
    invoice = (
        Invoice.objects.select_related("account")
        .prefetch_related("lines")
        .filter(pk=pk, account__organization__schema_name=connection.schema_name)
        .exclude(number=None)
        .first()
    )
    if invoice is None:
        raise Http404
    return invoice


@control_view(check=is_organization_admin)
def invoice_download(request, pk):
    invoice = _own_invoice(pk)
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response


@require_POST
@control_view(check=is_organization_admin)
@loads_stripe_js
def card_start(request, pk):
    """The card form: Stripe.js saves the card with a SetupIntent, then comes back here."""

    account = _own_account(pk)
    try:
        client_secret = card_on_file_start(account_id=account.pk)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("control-billing")
    return render(
        request,
        "billing/control_card.html",
        {
            "account": account,
            "client_secret": client_secret,
            "publishable_key": stripe_publishable_key(),
            "stripe_js_url": settings.STRIPE_JS_URL,
            "return_url": reverse("control-billing-card-done", args=[account.pk]),
        },
    )


@control_view(check=is_organization_admin)
def card_done(request, pk):
    account = _own_account(pk)
    try:
        account = card_on_file_finish(
            account_id=account.pk,
            setup_intent_id=request.GET.get("setup_intent", ""),
            actor=Actor.from_request(request),
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(card)s is your card on file.") % {"card": account.card_label})
    return redirect("control-billing")
