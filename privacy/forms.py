from django import forms

from .models import ConsentSource
from .purposes import CONSENT_PURPOSES, PURPOSES_BY_KEY

ACCEPT_ALL = "accept_all"
REJECT_ALL = "reject_all"
SAVE = "save"


class ConsentForm(forms.Form):
    """A decision from the banner or the settings page. Anything unknown makes the whole form invalid."""

    action = forms.ChoiceField(choices=[(ACCEPT_ALL, "Accept all"), (REJECT_ALL, "Reject all"), (SAVE, "Save")])
    purposes = forms.MultipleChoiceField(
        choices=[(key, PURPOSES_BY_KEY[key].label) for key in CONSENT_PURPOSES], required=False,
    )
    source = forms.ChoiceField(choices=[(ConsentSource.BANNER, "banner"), (ConsentSource.SETTINGS, "settings")])
    next = forms.CharField(required=False, max_length=2000)

    def choices(self) -> dict[str, bool]:
        action = self.cleaned_data["action"]
        if action == ACCEPT_ALL:
            return {purpose: True for purpose in CONSENT_PURPOSES}
        if action == REJECT_ALL:
            return {purpose: False for purpose in CONSENT_PURPOSES}
        chosen = set(self.cleaned_data["purposes"])
        return {purpose: purpose in chosen for purpose in CONSENT_PURPOSES}


class GuestDataRequestForm(forms.Form):
    """A guest asks for their data or its deletion; the answer comes only to the address itself."""

    email = forms.EmailField(
        label="E-mail address you ordered with", max_length=254,
        error_messages={"required": "Enter the e-mail address you gave at checkout.",
                        "invalid": "Enter an e-mail address like name@example.com."},
    )
    kind = forms.ChoiceField(
        label="What would you like?", widget=forms.RadioSelect,
        choices=[("export", "A copy of my data"), ("erasure", "Delete my data")],
        error_messages={"required": "Choose a copy of your data or its deletion.",
                        "invalid_choice": "Choose a copy of your data or its deletion."},
    )
