from django import forms
from django.utils.translation import gettext_lazy as _

from apps.billing.models import BillingAccount
from apps.core.datetimes import date_in_range


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All invoices")),
            ("unpaid", _("Unpaid")),
            ("overdue", _("Overdue")),
            ("paid", _("Paid")),
            ("void", _("Void")),
        ],
    )
    search = forms.CharField(label=_("Client or number"), required=False, max_length=100)
    month = forms.DateField(
        label=_("Issued in"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}),
        validators=[date_in_range],
    )


class InvoiceAdjustForm(forms.Form):
    total = forms.DecimalField(
        label=_("New total"), required=False, min_value=0, max_digits=14, decimal_places=3
    )
    due_date = forms.DateField(
        label=_("New due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[date_in_range],
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CreditNoteForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount to credit"), min_value=0, max_digits=14, decimal_places=3)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ManualInvoiceForm(forms.Form):
    account = forms.ModelChoiceField(
        label=_("Client"), queryset=BillingAccount.objects.order_by("organizer_name")
    )
    description = forms.CharField(label=_("Description"), max_length=300)
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=14, decimal_places=3)
    due_date = forms.DateField(
        label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}), validators=[date_in_range]
    )
