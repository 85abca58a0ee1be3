"""Invoices to buyers: asked for on the buyer's order page (its secret link) or issued from
the control panel, and downloaded as PDF by the buyer and by whoever sees the order there."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from apps.core.audit import Actor
from apps.core.forms import call_for_form
from apps.operators.decorators import control_view
from apps.operators.permissions import Action, can, can_see_orders
from apps.sales import selectors
from apps.sales.invoice_pdf import invoice_pdf
from apps.sales.models import Invoice, Order
from apps.sales.selectors.invoices import invoice_of, invoices_visible_to, issues_invoices
from apps.sales.services.invoices import invoice_issue
from apps.sales.tax_forms import InvoiceRequestForm

INVOICES_PER_PAGE = 50


def _pdf_response(invoice: Invoice) -> HttpResponse:
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="invoice-{invoice.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _issue(request, form, order: Order, actor: Actor):
    user = request.user if request.user.is_authenticated else None
    return call_for_form(
        form,
        invoice_issue,
        order_id=order.pk,
        issued_by=user if user is not None and user.is_operator else None,
        actor=actor,
        **form.cleaned_data,
    )


# --- the buyer ---------------------------------------------------------------------------------


def _buyers_order(code: str, secret: str) -> Order:
    order = selectors.order_by_secret(code, secret)
    if order is None:
        raise Http404
    return order


def invoice_request(request, code, secret):
    """The form a buyer asks for the invoice of a paid order with; an order that has one
    goes back to its page, where the invoice is."""
    order = _buyers_order(code, secret)
    if invoice_of(order) is not None:
        return redirect("order-detail", code=order.code, secret=order.secret)
    form = InvoiceRequestForm(request.POST or None, initial={"name": order.buyer_name})
    if request.method == "POST" and form.is_valid():
        went_through, invoice = _issue(request, form, order, Actor.from_request(request))
        if went_through:
            messages.success(request, _("Invoice %(number)s is ready.") % {"number": invoice.number})
            return redirect("order-detail", code=order.code, secret=order.secret)
    return render(
        request,
        "sales/invoice_request.html",
        {
            "order": order,
            "form": form,
            "may_issue": order.status == Order.Status.PAID and issues_invoices(order.organizer),
            "back_url": f"/orders/{order.code}/{order.secret}/",
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def invoice_download(request, code, secret):
    order = _buyers_order(code, secret)
    invoice = invoice_of(order)
    if invoice is None:
        raise Http404
    return _pdf_response(invoice)


# --- the control panel -------------------------------------------------------------------------


@control_view(check=can_see_orders)
def control_invoice_list(request):
    page = Paginator(invoices_visible_to(request.user), INVOICES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "sales/invoice_list.html", {"page": page})


@control_view(check=can_see_orders)
def control_invoice_pdf(request, pk):
    return _pdf_response(get_object_or_404(invoices_visible_to(request.user), pk=pk))


@control_view(check=can_see_orders)
def control_order_invoice(request, pk):
    """An order's invoice in the control panel: its PDF if issued, else the form to issue it."""
    order = get_object_or_404(
        selectors.orders_visible_to(request.user).select_related("organizer", "distribution"), pk=pk
    )
    invoice = invoice_of(order)
    if invoice is not None:
        return redirect("control-invoice-pdf", pk=invoice.pk)
    if not can(request.user, Action.MANAGE_ORDER, order):
        raise PermissionDenied
    form = InvoiceRequestForm(request.POST or None, initial={"name": order.buyer_name})
    if request.method == "POST" and form.is_valid():
        went_through, invoice = _issue(request, form, order, Actor.from_request(request))
        if went_through:
            messages.success(request, _("Invoice %(number)s issued.") % {"number": invoice.number})
            return redirect("control-invoices")
    return render(
        request,
        "sales/invoice_issue.html",
        {
            "order": order,
            "form": form,
            "may_issue": order.status == Order.Status.PAID and issues_invoices(order.organizer),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
