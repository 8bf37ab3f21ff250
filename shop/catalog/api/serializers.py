"""Catalog resources. Prices are the pricing app's: `PriceField` shows what it registers."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shop.api.fields import QueryBooleanField, QueryDecimalField
from shop.catalog.selectors import SEARCH_SORT_OPTIONS, SORT_OPTIONS, ListingFilters

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


# price_body(request, item) -> the JSON of a product's ('from') or a variant's price for the request.
# shop.pricing registers it, and the field's schema, when it loads (shop/pricing/api/).
PriceBody = Callable[..., dict]
_price_body: PriceBody | None = None


class NoPriceBody(RuntimeError):
    """No app has said how prices are shown: a priced resource cannot be answered."""


def price_body_register(price_body: PriceBody | None) -> PriceBody | None:
    """Show prices with `price_body(request, item)`; returns the function it replaces."""
    global _price_body
    previous, _price_body = _price_body, price_body
    return previous


class PriceField(serializers.Field):
    """The price of the product or variant being serialised, for the request."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, item) -> dict:
        if _price_body is None:
            raise NoPriceBody("No price body is registered: the pricing app registers one when it loads.")
        return _price_body(self.context["request"], item)


class ProductCardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()
    category = serializers.SerializerMethodField()
    price = PriceField()
    in_stock = serializers.BooleanField()
    images = serializers.SerializerMethodField()

    @extend_schema_field({"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                                           "slug": {"type": "string"}},
                          "required": ["id", "name", "slug"]})
    def get_category(self, product) -> dict:
        return {"id": product.category.pk, "name": product.category.name, "slug": product.category.slug}

    @extend_schema_field(ImageSerializer(many=True))
    def get_images(self, product) -> list[dict]:
        return _images(product, self.context["request"])


class VariantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    price = PriceField()
    in_stock = serializers.SerializerMethodField()

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
