"""Catalog resources. Prices come from the request's price strategy (shop.pricing)."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from primitives.money import round_money
from shop.api.fields import QueryBooleanField, QueryDecimalField
from shop.catalog.selectors import SEARCH_SORT_OPTIONS, SORT_OPTIONS, ListingFilters
from shop.pricing import price_strategy_for

MAX_PRICE = Decimal("99999999.99")
# Query parameters other APIs sort with; here they are refused with the `sort` choices.
ORDERING_CONVENTIONS = ("ordering", "order_by")


def _sort_help(options) -> str:
    return "The order: " + "; ".join(f"`{key}`: {option.label}" for key, option in options.items()) + "."


class MoneySerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    currency = serializers.CharField()


class CategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    parent_id = serializers.IntegerField(allow_null=True)
    product_count = serializers.IntegerField(help_text="Published products in it and its subcategories.")


class ImageSerializer(serializers.Serializer):
    url = serializers.CharField()
    thumbnail_url = serializers.CharField(allow_null=True)
    alt_text = serializers.CharField()


def _images(product, request) -> list[dict]:
    found = []
    for image in product.images.all():
        thumbnail = request.build_absolute_uri(image.thumbnail.url) if image.thumbnail else None
        found.append({"url": request.build_absolute_uri(image.image.url), "thumbnail_url": thumbnail,
                      "alt_text": image.alt_text})
    return found


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


def _quote(quote) -> dict:
    """The price as {amount, currency} (as before) with what the pages say beside it."""
    return {"amount": f"{round_money(quote.amount.amount):.2f}", "currency": quote.amount.currency,
            "public_amount": f"{round_money(quote.public.amount):.2f}", "personalized": quote.personalized,
            "reason": quote.reason if quote.personalized else "",
            "reduced_from": f"{round_money(quote.reduced_from.amount):.2f}" if quote.reduced_from else None}


class ProductCardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()
    category = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField()
    in_stock = serializers.BooleanField()
    images = serializers.SerializerMethodField()

    @extend_schema_field({"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                                           "slug": {"type": "string"}},
                          "required": ["id", "name", "slug"]})
    def get_category(self, product) -> dict:
        return {"id": product.category.pk, "name": product.category.name, "slug": product.category.slug}

    @extend_schema_field(PriceQuoteSerializer)
    def get_price(self, product) -> dict:
        return _quote(price_strategy_for(self.context["request"]).product_quote(product))

    @extend_schema_field(ImageSerializer(many=True))
    def get_images(self, product) -> list[dict]:
        return _images(product, self.context["request"])


class VariantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    price = serializers.SerializerMethodField()
    in_stock = serializers.SerializerMethodField()

    @extend_schema_field(PriceQuoteSerializer)
    def get_price(self, variant) -> dict:
        return _quote(price_strategy_for(self.context["request"]).variant_quote(variant))

    def get_in_stock(self, variant) -> bool:
        return variant.stock_quantity > 0


class ProductDetailSerializer(ProductCardSerializer):
    description = serializers.CharField()
    variants = VariantSerializer(many=True, source="variants.all")


class ListingQuerySerializer(serializers.Serializer):
    """Filters and order of a listing, from the query string."""

    category = serializers.SlugField(required=False, max_length=140,
                                     help_text="A category's slug: its products and its subcategories'.")
    min_price = QueryDecimalField(required=False, min_value=Decimal("0"), max_value=MAX_PRICE,
                                         max_digits=10, decimal_places=2)
    max_price = QueryDecimalField(required=False, min_value=Decimal("0"), max_value=MAX_PRICE,
                                         max_digits=10, decimal_places=2)
    in_stock = QueryBooleanField(required=False, default=False)
    sort = serializers.ChoiceField(choices=list(SORT_OPTIONS), required=False, default="popular",
                                   help_text=_sort_help(SORT_OPTIONS))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A refused sort names the ones there are.
        self.fields["sort"].error_messages["invalid_choice"] = (
            f"Sort by one of: {', '.join(self.fields['sort'].choices)}.")

    def validate(self, data):
        if any(name in self.initial_data for name in ORDERING_CONVENTIONS):
            # DRF's `ordering=-price` would otherwise be ignored without a word.
            raise serializers.ValidationError({"ordering": (
                f"This API sorts with `sort`, one of: {', '.join(self.fields['sort'].choices)}.")})
        # A lowest price above the highest is allowed, as the schema allows it: nothing is in that
        # range, so the list is empty.
        return data

    def filters(self) -> ListingFilters:
        data = self.validated_data
        return ListingFilters(min_price=data.get("min_price"), max_price=data.get("max_price"),
                              in_stock_only=data.get("in_stock", False))


class SearchQuerySerializer(ListingQuerySerializer):
    q = serializers.CharField(max_length=100, help_text="Words to look for in titles, descriptions, categories.")
    sort = serializers.ChoiceField(choices=list(SEARCH_SORT_OPTIONS), required=False, default="relevance",
                                   help_text=_sort_help(SEARCH_SORT_OPTIONS))
    category = None
