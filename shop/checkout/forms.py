from django import forms

from shop.accounts.forms import PostalAddressForm


class AddressForm(PostalAddressForm):
    """Where to ship: the postal address, plus the e-mail for a guest or "save it" for an account."""

    email = forms.EmailField(label="E-mail for your order confirmation", max_length=254,
                             error_messages={"required": "Please give an e-mail address for your order "
                                                         "confirmation.",
                                             "invalid": "Enter a valid e-mail address, like ada@example.com."})
    save_address = forms.BooleanField(label="Save this address in my account", required=False)
    field_order = ["email", "full_name", "line1", "line2", "city", "postcode", "country", "phone", "save_address"]

    def __init__(self, *args, guest: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if guest:
            del self.fields["save_address"]
        else:
            del self.fields["email"]


class SavedAddressChoiceForm(forms.Form):
    """Ship to one of the account's saved addresses (the view checks it belongs to the account)."""

    saved_address = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label="Your saved addresses",
                                           error_messages={"required": "Choose one of your saved addresses.",
                                                           "invalid_choice": "That address is not in your "
                                                                             "account any more."})

    def __init__(self, *args, addresses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["saved_address"].choices = [(address.pk, ", ".join(address.lines())) for address in addresses]


class ShippingMethodForm(forms.Form):
    method = forms.ChoiceField(widget=forms.RadioSelect, label="Shipping method",
                               error_messages={"required": "Choose how we should ship your order.",
                                               "invalid_choice": "That shipping method is not available "
                                                                 "for your country."})

    def __init__(self, *args, methods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [(m.code, m.name) for m in methods]


class PaymentForm(forms.Form):
    """Pay: the provider's token (never card data), the attempt's key and the total the shopper saw."""

    payment_token = forms.CharField(label="Card", max_length=200,
                                    error_messages={"required": "Choose a card to pay with."})
    idempotency_key = forms.CharField(widget=forms.HiddenInput, min_length=16, max_length=64)
    expected_total = forms.DecimalField(widget=forms.HiddenInput, max_digits=12, decimal_places=2)
