from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.operators.permissions import organizers_configurable_by
from apps.organizers.models import Distribution


class DistributionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, distribution):
        return f"{distribution.organizer.name} – {distribution.name}"


class AccessForm(forms.Form):
    """Organizers and distributions the acting operator may hand out (those they configure)."""

    organizers = forms.ModelMultipleChoiceField(
        label=_("Configuration permission on"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    distributions = DistributionChoiceField(
        label=_("Sale permission on"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        configurable = organizers_configurable_by(actor).order_by("name")
        self.fields["organizers"].queryset = configurable
        self.fields["distributions"].queryset = (
            Distribution.objects.filter(organizer__in=configurable)
            .select_related("organizer")
            .order_by("organizer__name", "pk")
        )


class InvitationForm(AccessForm):
    email = forms.EmailField(label=_("E-mail address"))

    field_order = ["email", "organizers", "distributions"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("organizers") and not cleaned.get("distributions"):
            raise forms.ValidationError(_("Choose at least one organizer or distribution to give access to."))
        return cleaned


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=200)
    password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif cleaned.get("password1"):
            try:
                validate_password(
                    cleaned["password1"], User(email=self.email, full_name=cleaned.get("full_name", ""))
                )
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
