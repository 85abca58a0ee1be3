"""Control panel pages of sales: the gate's check-in."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from apps.accounts.decorators import requires
from apps.accounts.permissions import can_open_control_panel
from apps.sales import selectors, services
from apps.sales.exceptions import CheckInRefused


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Ticket code"),
        max_length=64,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Scan the QR code or type the code printed under it."),
    )
    event_date = forms.TypedChoiceField(
        label=_("Date at this gate"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, dates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_date"].choices = [("", _("The ticket's own date"))] + [
            (d.pk, f"{d.event.name} – {d.start:%Y-%m-%d %H:%M}") for d in dates
        ]


@requires(can_open_control_panel)
def check_in(request):
    """Admit tickets at the gate; the answer is announced to screen readers."""
    form = CheckInForm(request.POST or None, dates=selectors.event_dates_at_gate(request.user))
    admission = refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            admission = services.ticket_check_in(
                code=form.cleaned_data["code"],
                event_date_id=form.cleaned_data["event_date"],
                tickets=selectors.tickets_checkable_by(request.user),
                operator=request.user,
            )
        except CheckInRefused as refused:
            refusal = refused
        form = CheckInForm(
            initial={"event_date": form.cleaned_data["event_date"]},
            dates=selectors.event_dates_at_gate(request.user),
        )
    status = 409 if refusal else 400 if form.errors else 200
    return render(
        request,
        "sales/check_in.html",
        {"form": form, "admission": admission, "refusal": refusal},
        status=status,
    )
