from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from shop.api.fields import StrictCharField, StrictDecimalField, StrictEmailField, StrictSlugField
from rest_framework import serializers

from shop.catalog.api.serializers import MoneySerializer


def _money(money) -> dict:
    return {"amount": f"{money.amount:.2f}", "currency": money.currency}


class CheckoutLineSerializer(serializers.Serializer):
    variant_id = serializers.IntegerField()
    sku = serializers.CharField()
    title = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = MoneySerializer(help_text="At the shipping country's VAT: the cart line's price (the one quoted "
                                           "when it was added, while it holds, or the current one if lower).")
    personalized = serializers.BooleanField(help_text="The unit price is a personal one (see price_reason).")
    price_reason = serializers.CharField(help_text="Why a personal price applies; empty otherwise.")
    line_total = MoneySerializer()


class ShippingMethodSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    price = MoneySerializer(help_text="At the shipping country's VAT.")


class CheckoutSerializer(serializers.Serializer):
    lines = CheckoutLineSerializer(many=True)
    country = serializers.CharField()
    has_address = serializers.BooleanField()
    shipping_method = ShippingMethodSerializer(allow_null=True)
    subtotal = MoneySerializer()
    shipping = MoneySerializer()
    tax = MoneySerializer(help_text="VAT included in the total.")
    total = MoneySerializer(help_text="Send its amount as expected_total when placing the order.")
    reserved_until = serializers.DateTimeField(allow_null=True,
                                               help_text="The units are held for you until then.")


def checkout_body(checkout, summary, methods_prices=None) -> dict:
    method = summary.shipping_method
    return {
        "lines": [{"variant_id": line.variant_id, "sku": line.sku, "title": line.title, "quantity": line.quantity,
                   "unit_price": _money(line.unit_price), "personalized": line.personalized,
                   "price_reason": line.quote.reason if line.personalized else "",
                   "line_total": _money(line.line_total)}
                  for line in summary.lines],
        "country": summary.country,
        "has_address": checkout.shipping_address_id is not None,
        "shipping_method": {"code": method.code, "name": method.name, "description": method.description,
                            "price": _money(summary.shipping)} if method else None,
        "subtotal": _money(summary.subtotal), "shipping": _money(summary.shipping), "tax": _money(summary.tax),
        "total": _money(summary.total),
        "reserved_until": checkout.reserved_until,
    }


class AddressSerializer(serializers.Serializer):
    email = StrictEmailField(required=False, max_length=254,
                                   help_text="Guests only: where the order confirmation goes.")
    full_name = StrictCharField(max_length=200)
    line1 = StrictCharField(max_length=200)
    line2 = StrictCharField(max_length=200, required=False, default="", allow_blank=True)
    city = StrictCharField(max_length=100)
    postcode = StrictCharField(max_length=20)
    country = serializers.ChoiceField(choices=sorted(settings.SHOP_SHIPPING_COUNTRIES),
                                      error_messages={"invalid_choice": "Sorry, we do not ship to that country."})
    phone = StrictCharField(max_length=40, required=False, default="", allow_blank=True)


class ShippingChoiceSerializer(serializers.Serializer):
    code = StrictSlugField(max_length=40)


class PlaceOrderSerializer(serializers.Serializer):
    payment_token = StrictCharField(max_length=200, help_text="The payment provider's token, never card data "
                                                                    "(the test provider's: tok_success, ...).")
    expected_total = StrictDecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"),
                                              max_value=Decimal("9999999999.99"),
                                              help_text="The total you showed the shopper: a different total "
                                                        "now is refused with 422.")


class PlacedOrderSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["placed", "requires_action"])
    order_number = serializers.CharField(allow_null=True)
    order_url = serializers.CharField(allow_null=True, help_text="The order's API address (accounts) or its "
                                                                 "signed page (guests).")
    action_url = serializers.CharField(allow_null=True, help_text="Where the shopper confirms the payment.")
