from __future__ import annotations

from rest_framework import serializers

from primitives.money import round_money
from shop.api.fields import StrictIntegerField
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
    unit_price = MoneySerializer(help_text="What you pay per unit: the price quoted when the line was added while "
                                           "it holds (CART_PRICE_LOCK_MINUTES), or the current one if lower.")
    public_unit_price = MoneySerializer(help_text="What anyone without a personal price pays per unit.")
    personalized = serializers.BooleanField(help_text="The unit price is a personal one (see price_reason).")
    price_reason = serializers.CharField(help_text="Why a personal price applies; empty otherwise.")
    price_locked_until = serializers.DateTimeField(allow_null=True,
                                                   help_text="Until when the quoted unit price holds.")
    price_changed_from = MoneySerializer(allow_null=True, help_text=(
        "The unit price quoted when the line was added, when it no longer holds and the price moved."))
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
    # PATCH changes what it names: without `quantity` the line stays as it is.
    quantity = StrictIntegerField(min_value=1, max_value=MAX_LINE_QUANTITY, required=False)


def _money(money) -> dict:
    return {"amount": f"{round_money(money.amount):.2f}", "currency": money.currency}


def cart_body(view) -> dict:
    cart = view.cart
    return {
        "cart_token": cart.visitor_key if cart is not None and cart.user_id is None else None,
        "lines": [{
            "variant_id": line.variant.pk, "sku": line.variant.sku, "name": str(line.variant),
            "product": {"id": line.product.pk, "title": line.product.title, "slug": line.product.slug},
            "quantity": line.quantity, "unit_price": _money(line.unit_price),
            "public_unit_price": _money(line.quote.public), "personalized": line.quote.personalized,
            "price_reason": line.quote.reason if line.quote.personalized else "",
            "price_locked_until": line.price.locked_until,
            "price_changed_from": _money(line.price.changed_from) if line.price.changed_from else None,
            "line_total": _money(line.line_total),
            "available": line.available,
        } for line in view.lines],
        "item_count": view.item_count,
        "subtotal": _money(view.subtotal),
        "has_shortages": view.has_shortages,
    }
