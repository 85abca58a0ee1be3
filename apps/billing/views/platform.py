"""Platform admin pages of the invoices: all clients', filters and totals, corrections."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.billing.invoice_forms import (
    CreditNoteForm,
    InvoiceAdjustForm,
    InvoiceFilterForm,
    ManualInvoiceForm,
    ReasonForm,
)
from apps.billing.invoices import invoice_pdf
from apps.billing.models import Invoice
from apps.billing.selectors.invoices import invoice_totals, invoices_listed
from apps.billing.services import collection
from apps.billing.services.corrections import (
    credit_note_create,
    invoice_adjust,
    invoice_manual_create,
    invoice_void,
)
from apps.core.audit import Actor
from apps.core.forms import call_for_form
from apps.operators.decorators import requires_platform_admin

PER_PAGE = 50


@requires_platform_admin
def invoice_list(request):
    form = InvoiceFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    invoices = invoices_listed(
        status=filters.get("status", ""), search=filters.get("search", ""), month=filters.get("month")
    )
    return render(
        request,
        "billing/invoice_list.html",
        {"form": form, "invoices": invoices[: PER_PAGE * 4], "totals": invoice_totals(invoices)},
        status=400 if form.errors else 200,
    )


def _invoice_forms(request, invoice, bound: str = ""):
    data = request.POST if request.method == "POST" else None
    return {
        "adjust_form": InvoiceAdjustForm(data if bound == "adjust" else None, prefix="adjust"),
        "void_form": ReasonForm(data if bound == "void" else None, prefix="void"),
        "credit_form": CreditNoteForm(data if bound == "credit" else None, prefix="credit"),
    }


@requires_platform_admin
def invoice_detail(request, pk):
    invoice = get_object_or_404(Invoice.objects.select_related("account"), pk=pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = _invoice_forms(request, invoice, action)
    actor = Actor.from_request(request)
    done = False
    if action == "adjust" and forms["adjust_form"].is_valid():
        data = forms["adjust_form"].cleaned_data
        done, _result = call_for_form(
            forms["adjust_form"], invoice_adjust, invoice_id=pk, actor=actor, **data
        )
    elif action == "void" and forms["void_form"].is_valid():
        done, _result = call_for_form(
            forms["void_form"],
            invoice_void,
            invoice_id=pk,
            actor=actor,
            **forms["void_form"].cleaned_data,
        )
    elif action == "credit" and forms["credit_form"].is_valid():
        done, _result = call_for_form(
            forms["credit_form"],
            credit_note_create,
            invoice_id=pk,
            actor=actor,
            **forms["credit_form"].cleaned_data,
        )
    if done:
        messages.success(request, _("Invoice %(number)s is updated.") % {"number": invoice.number})
        return redirect("platform-invoice", pk=pk)
    invoice.refresh_from_db()
    return render(
        request,
        "billing/invoice_detail.html",
        {"invoice": invoice, "lines": invoice.lines.all(), "refused_forms": forms.values(), **forms},
        status=400 if action else 200,
    )


@require_POST
@requires_platform_admin
def invoice_mark_paid(request, pk):
    form = ReasonForm(request.POST, prefix="paid")
    done, _result = (False, None)
    if form.is_valid():
        done, _result = call_for_form(
            form,
            collection.invoice_mark_paid,
            invoice_id=pk,
            actor=Actor.from_request(request),
            via=f"bank transfer: {form.cleaned_data['reason']}",
        )
    if done:
        messages.success(request, _("Marked paid."))
    else:
        messages.error(
            request,
            " ".join(str(e) for e in form.errors.values()) or _("This invoice cannot be marked paid."),
        )
    return redirect("platform-invoice", pk=pk)


@requires_platform_admin
def invoice_download(request, pk):
    invoice = get_object_or_404(Invoice.objects.select_related("account").exclude(number=None), pk=pk)
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response


@requires_platform_admin
def invoice_create(request):
    form = ManualInvoiceForm(request.POST or None, initial={"account": request.GET.get("client")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        account = data.pop("account")
        done, invoice = call_for_form(
            form,
            invoice_manual_create,
            account_id=account.pk,
            actor=Actor.from_request(request),
            **data,
        )
        if done:
            messages.success(request, _("Invoice %(number)s is issued.") % {"number": invoice.number})
            return redirect("platform-invoice", pk=invoice.pk)
    return render(request, "billing/invoice_form.html", {"form": form}, status=400 if form.errors else 200)
