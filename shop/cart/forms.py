from django import forms

from .services import MAX_LINE_QUANTITY

QUANTITY_ERRORS = {
    "required": "Choose a quantity.",
    "invalid": "Enter the quantity as a whole number.",
    "min_value": "Choose a quantity of at least 1. To take something out of your cart, use Remove.",
    "max_value": f"You can buy at most {MAX_LINE_QUANTITY} of one item at a time.",
}


class CartLineForm(forms.Form):
    variant = forms.IntegerField(min_value=1, error_messages={
        "required": "Choose which product to add.", "invalid": "That product is not for sale, or no longer.",
        "min_value": "That product is not for sale, or no longer.",
    })
    quantity = forms.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY, error_messages=QUANTITY_ERRORS)


class CartRemoveForm(forms.Form):
    variant = forms.IntegerField(min_value=1)
