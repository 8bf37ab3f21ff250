from decimal import Decimal

from django import forms

from shop.catalog.selectors import ListingFilters

PRICE_ERRORS = {
    "invalid": "Enter a price as a number, like 4.50.",
    "min_value": "Prices start at 0.",
    "max_digits": "That price is too large.",
    "max_decimal_places": "Use at most two decimal places.",
    "max_whole_digits": "That price is too large.",
}


class ListingFilterForm(forms.Form):
    """Filters of a listing, from the query string. Invalid values are reported and ignored."""

    min_price = forms.DecimalField(required=False, min_value=Decimal("0"), max_digits=10, decimal_places=2,
                                   label="Min price", error_messages=PRICE_ERRORS)
    max_price = forms.DecimalField(required=False, min_value=Decimal("0"), max_digits=10, decimal_places=2,
                                   label="Max price", error_messages=PRICE_ERRORS)
    in_stock = forms.BooleanField(required=False, label="In stock only")

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_price"), cleaned.get("max_price")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError("The lowest price must not be above the highest.")
        return cleaned

    def filters(self) -> ListingFilters:
        if not self.is_valid():
            return ListingFilters()
        data = self.cleaned_data
        return ListingFilters(min_price=data.get("min_price"), max_price=data.get("max_price"),
                              in_stock_only=bool(data.get("in_stock")))
