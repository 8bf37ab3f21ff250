from allauth.account.adapter import get_adapter
from allauth.account.forms import ChangePasswordForm
from allauth.core import context as allauth_context
from django import forms
from django.conf import settings

from . import login_limits


def shipping_country_choices() -> list[tuple[str, str]]:
    return sorted(settings.SHOP_SHIPPING_COUNTRIES.items(), key=lambda choice: choice[1])


class PostalAddressForm(forms.Form):
    """A postal address the shop ships to: for a saved address, and the checkout's address step."""

    full_name = forms.CharField(label="Full name", max_length=200)
    line1 = forms.CharField(label="Address line 1", max_length=200)
    line2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False)
    city = forms.CharField(label="Town or city", max_length=100)
    postcode = forms.CharField(label="Postcode", max_length=20)
    country = forms.ChoiceField(label="Country", error_messages={"invalid_choice": "Sorry, we do not ship to "
                                                                                   "that country."})
    phone = forms.CharField(label="Phone (optional, for the carrier)", max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = shipping_country_choices()
        self.fields["country"].initial = settings.SHOP_HOME_COUNTRY


class SavedAddressForm(PostalAddressForm):
    """An address kept in the shopper's account, to pick at checkout."""


class PasswordChangeForm(ChangePasswordForm):
    """allauth's password change, with the current password counted like a login (login_limits):
    a signed-in session cannot be used to guess the password the other doors are locked against."""

    def clean_oldpassword(self) -> str:
        password = self.cleaned_data.get("oldpassword", "")
        try:
            confirmed = login_limits.password_confirm(allauth_context.request, user=self.user, password=password)
        except login_limits.TooManyFailedLogins as locked:
            raise forms.ValidationError(str(locked), code="too_many_login_attempts") from None
        if not confirmed:
            raise get_adapter().validation_error("enter_current_password")
        return password
