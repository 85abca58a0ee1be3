from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.currencies import currency_exponent
from apps.core.money import fits_currency, quantize
from apps.organizers.selectors import organization_currencies
from apps.sales.models import FeeRule, Order


class CheckoutForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), help_text=_("Your tickets are sent here."))
    buyer_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email.widget.attrs.update(autocomplete="email")


def quantities_from(data, listing, *, max_each: int = 100) -> tuple[list[tuple], list[str]]:
    """[(ticket type, event date or None, quantity)] asked for on the event page's form
    (fields qty-<ticket type>-<date id or "pass">), and the errors of bad values."""
    offers = [(t, d) for d, _avail, types in listing.dates for t, _a in types]
    offers += [(t, None) for t, _a in listing.passes]
    chosen, errors = [], []
    for ticket_type, event_date in offers:
        name = f"qty-{ticket_type.pk}-{event_date.pk if event_date else 'pass'}"
        raw = (data.get(name) or "0").strip()
        if not (raw.isascii() and raw.isdigit()) or int(raw) > max_each:  # (not "²")
            errors.append(
                _("“%(value)s” is not a number of tickets for %(name)s.")
                % {"value": raw, "name": ticket_type.name}
            )
        elif int(raw):
            chosen.append((ticket_type, event_date, int(raw)))
    return chosen, errors


# --- service fee rules (control panel) --------------------------------------------------------


class FeeRuleForm(forms.Form):
    """What a fee rule charges per ticket. `currencies`: those its fixed part is read in (its
    organizer's; for the whole organization, every organizer's)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        initial=_("Service fee"),
        help_text=_("For your own overview; buyers see “Service fees”."),
    )
    fixed = forms.DecimalField(
        label=_("Fixed amount per ticket"),
        min_value=0,
        max_digits=12,
        decimal_places=3,
        initial=0,
        widget=forms.NumberInput(attrs={"min": "0", "step": "any", "inputmode": "decimal"}),
    )
    percent = forms.DecimalField(
        label=_("Percent of the ticket price"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        initial=0,
        help_text=_("Between 0 and 100, at most two decimals."),
        widget=forms.NumberInput(attrs={"min": "0", "max": "100", "step": "0.01", "inputmode": "decimal"}),
    )
    paid_by = forms.ChoiceField(label=_("Who pays the fee"), widget=forms.RadioSelect)

    def __init__(self, *args, currencies: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_by"].choices = FeeRule.PaidBy.choices
        self.fields["paid_by"].initial = FeeRule.PaidBy.BUYER
        self.fixed_currencies = currencies
        self._show_fixed_in(currencies or [])
        if currencies is not None and len(currencies) == 1:
            self._in_currency(currencies[0])
        elif currencies:
            self.fields["fixed"].help_text = _("In each organizer's own currency (%(currencies)s).") % {
                "currencies": ", ".join(currencies)
            }

    def _show_fixed_in(self, currencies: list[str]) -> None:
        """A stored amount (three decimals) shown with its currency's decimals, when it fits."""
        fixed = self.initial.get("fixed")
        widest = max(currencies, key=currency_exponent, default=None)
        if isinstance(fixed, Decimal) and widest and fits_currency(fixed, widest):
            self.initial["fixed"] = quantize(fixed, widest)

    def _in_currency(self, currency: str) -> None:
        fixed = self.fields["fixed"]
        fixed.label = _("Fixed amount per ticket (%(currency)s)") % {"currency": currency}
        fixed.widget.attrs["step"] = str(Decimal(1).scaleb(-currency_exponent(currency)))

    def check_fixed(self, currencies: list[str]) -> None:
        """An error on `fixed` when it has more decimals than one of `currencies` has."""
        for error in FeeRule.fixed_errors(self.cleaned_data.get("fixed"), currencies):
            self.add_error("fixed", error)

    def clean(self):
        cleaned = super().clean()
        if self.fixed_currencies:
            self.check_fixed(self.fixed_currencies)
        return cleaned

    def rule_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("name", "fixed", "percent", "paid_by")}


class FeeRuleCreateForm(FeeRuleForm):
    """A new fee rule and what it is set on: the whole organization (admins), one organizer,
    or one event (the rule then belongs to the event's organizer)."""

    ORGANIZATION, ORGANIZER, EVENT = "organization", "organizer", "event"

    level = forms.ChoiceField(label=_("Applies to"), widget=forms.RadioSelect)
    organizer = forms.ModelChoiceField(
        label=_("Organizer"),
        queryset=None,
        required=False,
        empty_label=_("— choose —"),
        help_text=_("For a rule of one organizer. For an event's rule it may stay empty."),
    )
    event = forms.TypedChoiceField(
        label=_("Event"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("For a rule of one event: it wins over its organizer's and the organization's."),
    )

    field_order = ["level", "organizer", "event", "name", "fixed", "percent", "paid_by"]

    def __init__(self, *args, organizers, events, may_set_organization: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # Checked against the currency of what the rule is set on, known once cleaned (while
        # that is unknown, against the one currency the form was given, if any).
        self.unset_currencies, self.fixed_currencies = self.fixed_currencies or [], None
        levels = [
            (self.ORGANIZER, _("One organizer: all its events")),
            (self.EVENT, _("One event")),
        ]
        if may_set_organization:
            levels.insert(0, (self.ORGANIZATION, _("The whole organization: every organizer's events")))
        self.fields["level"].choices = levels
        self.fields["organizer"].queryset = organizers
        self.events = {event.pk: event for event in events}
        groups: dict[int, tuple[str, list]] = {}  # per organizer (names may repeat): its events
        for event in self.events.values():
            groups.setdefault(event.organizer_id, (event.organizer.name, []))[1].append(
                (event.pk, event.name)
            )
        self.fields["event"].choices = [("", _("— choose —")), *groups.values()]

    def clean(self):
        cleaned = super().clean()
        level, organizer = cleaned.get("level"), cleaned.get("organizer")
        event = self.events.get(cleaned.get("event"))
        if level == self.ORGANIZATION:
            organizer = event = None
            currencies = organization_currencies()
        elif level == self.ORGANIZER:
            event = None
            if organizer is None:
                self.add_error("organizer", _("Choose the organizer whose events the rule is for."))
            currencies = [organizer.currency] if organizer else []
        elif level == self.EVENT:
            if event is None:
                if "event" not in self.errors:
                    self.add_error("event", _("Choose the event the rule is for."))
            elif organizer is not None and event.organizer_id != organizer.pk:
                self.add_error(
                    "event",
                    _("“%(event)s” is an event of %(owner)s, not of %(organizer)s.")
                    % {"event": event.name, "owner": event.organizer.name, "organizer": organizer.name},
                )
            else:
                organizer = event.organizer
            currencies = [event.organizer.currency] if event else []
        else:
            currencies = []
        cleaned["organizer"], cleaned["event"] = organizer, event
        self.check_fixed(currencies or self.unset_currencies)
        return cleaned


# --- the control panel's orders ------------------------------------------------------------


class OrderFilterForm(forms.Form):
    """The list of orders' search, filters and sort (a GET form): a bad value is a field error
    and filters nothing. Event, date and channel choices are those the user sees."""

    SORT_CHOICES = (
        ("-placed", _("Newest first")),
        ("placed", _("Oldest first")),
        ("-total", _("Highest total first")),
        ("total", _("Lowest total first")),
        ("buyer", _("Buyer, A to Z")),
        ("-buyer", _("Buyer, Z to A")),
    )

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Order code, buyer's e-mail or name, ticket code, or voucher code."),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    event = forms.TypedChoiceField(label=_("Event"), required=False, coerce=int, empty_value=None)
    date = forms.TypedChoiceField(label=_("Date"), required=False, coerce=int, empty_value=None)
    distribution = forms.TypedChoiceField(label=_("Channel"), required=False, coerce=int, empty_value=None)
    placed_from = forms.DateField(
        label=_("Placed from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    placed_until = forms.DateField(
        label=_("Placed until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    payment_method = forms.ChoiceField(label=_("Payment method"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(self, data, *, events, dates, distributions):
        super().__init__(data)
        anything = [("", _("Any"))]
        self.fields["status"].choices = anything + list(Order.Status.choices)
        self.fields["payment_method"].choices = anything + list(Order.PaymentMethod.choices)
        self.fields["event"].choices = anything + [(e.pk, e.name) for e in events]
        self.fields["date"].choices = anything + [(d.pk, str(d)) for d in dates]
        self.fields["distribution"].choices = anything + [
            (d.pk, f"{d.organizer.name} – {d.name}") for d in distributions
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("placed_from"), cleaned.get("placed_until")
        if start and end and end < start:
            self.add_error("placed_until", _("The end of the period comes before its start."))
            cleaned.pop("placed_until", None)
        return cleaned


class OrderRefundForm(forms.Form):
    """The tickets of an order to refund (its valid ones), and the confirmation step: the
    first POST shows what will be refunded, the second (`confirmed`) refunds."""

    tickets = forms.TypedMultipleChoiceField(
        label=_("Tickets to refund"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, tickets, **kwargs):
        super().__init__(data, **kwargs)
        self.tickets_by_id = {ticket.pk: ticket for ticket in tickets}
        self.fields["tickets"].choices = [(ticket.pk, self.ticket_label(ticket)) for ticket in tickets]

    @staticmethod
    def ticket_label(ticket) -> str:
        """ "#2 Standard · Amy · <code>": its number on the order page (`number`), type, attendee."""
        name = f" · {ticket.attendee_name}" if ticket.attendee_name else ""
        return f"#{ticket.number} {ticket.ticket_type.name}{name} · {ticket.code}"

    def chosen(self) -> list:
        return [self.tickets_by_id[pk] for pk in self.cleaned_data["tickets"]]


class OrderChangeForm(forms.Form):
    """The buyer's e-mail address and each valid ticket's attendee name (fields attendee-<id>;
    tickets with their `number` on the order page)."""

    email = forms.EmailField(label=_("Buyer's e-mail address"), max_length=254)

    def __init__(self, data=None, *, order, tickets, **kwargs):
        initial = {"email": order.email} | {f"attendee-{t.pk}": t.attendee_name for t in tickets}
        super().__init__(data, initial=initial, **kwargs)
        self.tickets = list(tickets)
        for ticket in self.tickets:
            self.fields[f"attendee-{ticket.pk}"] = forms.CharField(
                label=_("Attendee of ticket #%(number)s (%(type)s)")
                % {"number": ticket.number, "type": ticket.ticket_type.name},
                max_length=200,
                required=False,
            )

    def attendee_fields(self):
        return [self[f"attendee-{ticket.pk}"] for ticket in self.tickets]
