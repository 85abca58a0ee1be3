"""Control panel pages of sales: the gate's check-in, an organizer's online payments."""

import contextlib

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.accounts.decorators import requires
from apps.accounts.permissions import can_open_control_panel, organizers_configurable_by
from apps.core.exceptions import DomainError
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


@requires(can_open_control_panel)
def organizer_payments(request, pk):
    """An organizer's online payments: its Stripe account's state, and the link to connect
    or finish it (Stripe's onboarding, back here when done)."""
    from apps.payments.services import connected_account_of, connected_account_onboard, connected_account_sync

    organizer = get_object_or_404(organizers_configurable_by(request.user), pk=pk)
    account = connected_account_of(organizer)
    if request.method == "POST":
        here = request.build_absolute_uri(reverse("organizer-payments", args=[organizer.pk]))
        try:
            url = connected_account_onboard(
                organizer=organizer, email=request.user.email, refresh_url=here, return_url=f"{here}?back=1"
            )
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("organizer-payments", pk=organizer.pk)
        return redirect(url)
    if account is not None and request.GET.get("back"):
        with contextlib.suppress(DomainError):
            account = connected_account_sync(stripe_account_id=account.stripe_account_id) or account
    return render(request, "sales/organizer_payments.html", {"organizer": organizer, "account": account})
