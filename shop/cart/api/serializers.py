from __future__ import annotations

from shop.api.fields import StrictIntegerField
from rest_framework import serializers

from shop.cart.services import MAX_LINE_QUANTITY
from shop.catalog.api.serializers import MoneySerializer


class CartProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()


class CartLineSerializer(serializers.Serializer):
    variant_id = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    product = CartProductSerializer()
    quantity = serializers.IntegerField()
    unit_price = MoneySerializer()
    line_total = MoneySerializer()
    available = serializers.IntegerField(help_text="Units in stock now; above it, checkout refuses the line.")


class CartSerializer(serializers.Serializer):
    cart_token = serializers.CharField(allow_null=True, help_text=(
        "Anonymous carts only: send it back as the X-Cart-Token header (clients without a session cookie)."))
    lines = CartLineSerializer(many=True)
    item_count = serializers.IntegerField()
    subtotal = MoneySerializer()
    has_shortages = serializers.BooleanField()


class CartLineAddSerializer(serializers.Serializer):
    variant_id = StrictIntegerField(min_value=1, max_value=2**63 - 1)
    quantity = StrictIntegerField(min_value=1, max_value=MAX_LINE_QUANTITY, default=1)


class CartLineQuantitySerializer(serializers.Serializer):
    quantity = StrictIntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)


def _money(money) -> dict:
    return {"amount": f"{money.amount:.2f}", "currency": money.currency}


def cart_body(view) -> dict:
    cart = view.cart
    return {
        "cart_token": cart.visitor_key if cart is not None and cart.user_id is None else None,
        "lines": [{
            "variant_id": line.variant.pk, "sku": line.variant.sku, "name": str(line.variant),
            "product": {"id": line.product.pk, "title": line.product.title, "slug": line.product.slug},
            "quantity": line.quantity, "unit_price": _money(line.unit_price),
            "line_total": _money(line.line_total),
            "available": line.available,
        } for line in view.lines],
        "item_count": view.item_count,
        "subtotal": _money(view.subtotal),
        "has_shortages": view.has_shortages,
    }
