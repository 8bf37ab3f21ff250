"""Prices in the API: a quote as the pages show it, for the catalog's products and variants.

The catalog's resources show a price with `PriceField` (shop.catalog.api.serializers); this
module says what it holds (`price_body`) and how the schema describes it, both registered when
the pricing app loads (shop/pricing/apps.py).
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from primitives.money import round_money
from shop.catalog.models import Product

from .. import PriceQuote, price_strategy_for


class PriceQuoteSerializer(serializers.Serializer):
    """A price as the pages show it: what you pay, the public price and why they differ."""

    amount = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True,
                                      help_text="What you pay, VAT included.")
    currency = serializers.CharField()
    public_amount = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True,
                                             help_text="What anyone without a personal price pays.")
    personalized = serializers.BooleanField(help_text="The amount is a personal price (see reason).")
    reason = serializers.CharField(help_text="Why a personal price applies; empty otherwise.")
    reduced_from = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True,
                                            allow_null=True, help_text=(
                                                "An announced reduction: the lowest price of the 30 days "
                                                "before it."))


def quote_body(quote: PriceQuote) -> dict:
    """The price as {amount, currency} with what the pages say beside it."""
    return {"amount": f"{round_money(quote.amount.amount):.2f}", "currency": quote.amount.currency,
            "public_amount": f"{round_money(quote.public.amount):.2f}", "personalized": quote.personalized,
            "reason": quote.reason if quote.personalized else "",
            "reduced_from": f"{round_money(quote.reduced_from.amount):.2f}" if quote.reduced_from else None}


def price_body(request, item) -> dict:
    """A product's 'from' price or a variant's unit price, from the request's strategy."""
    strategy = price_strategy_for(request)
    quote = strategy.product_quote(item) if isinstance(item, Product) else strategy.variant_quote(item)
    return quote_body(quote)


class PriceFieldSchema(OpenApiSerializerFieldExtension):
    """The catalog's `PriceField` is described as a `PriceQuote`."""

    target_class = "shop.catalog.api.serializers.PriceField"

    def map_serializer_field(self, auto_schema, direction):
        return auto_schema.resolve_serializer(PriceQuoteSerializer, direction).ref
