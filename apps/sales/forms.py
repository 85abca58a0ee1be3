from django import forms
from django.utils.translation import gettext_lazy as _


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
        if not raw.isdigit() or int(raw) > max_each:
            errors.append(
                _("“%(value)s” is not a number of tickets for %(name)s.")
                % {"value": raw, "name": ticket_type.name}
            )
        elif int(raw):
            chosen.append((ticket_type, event_date, int(raw)))
    return chosen, errors
