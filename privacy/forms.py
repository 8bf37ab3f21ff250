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
