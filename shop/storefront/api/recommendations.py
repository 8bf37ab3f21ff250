"""Recommendations through the shop's seam (shop.recommendations): rails with a reason per product.

The rail source decides on the server what it may use about the person (their consent), exactly
as for pages: the request it gets carries the API client's account.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.api.errors import ServiceRefusal
from shop.api.parameters import CART_TOKEN
from shop.cart.api.carts import api_cart
from shop.cart.selectors import cart_lines
from shop.catalog.selectors import product_detail
from shop.recommendations import rails_for

from shop.catalog.api.serializers import ProductCardSerializer


def _with_reason(entry):
    entry.product.reason = entry.reason
    return entry.product

PAGES = ("home", "product", "cart")


class RecommendationsQuerySerializer(serializers.Serializer):
    context = serializers.ChoiceField(choices=PAGES, required=False, default="home", help_text=(
        "home: for you; product: for one product (give `product`); cart: for what is in your cart."))
    product = serializers.SlugField(required=False, max_length=220,
                                    help_text="A product's slug (context=product).")


class RecommendedProductSerializer(ProductCardSerializer):
    """A product card (without its category: rails load their products in one query) and why."""

    category = None
    reason = serializers.CharField(help_text="Why it is suggested, in words a person can read.")


class RailSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    personal = serializers.BooleanField(help_text="Uses data about you (only with your consent).")
    products = RecommendedProductSerializer(many=True)


class RecommendationsSerializer(serializers.Serializer):
    rails = RailSerializer(many=True)


class Recommendations(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[RecommendationsQuerySerializer, CART_TOKEN],
                   responses={200: RecommendationsSerializer}, summary="Recommendations, each with its reason")
    def get(self, request):
        query = RecommendationsQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        context, slug = query.validated_data["context"], query.validated_data.get("product")
        product_id, basket = None, []
        if context == "product":
            if not slug:
                # No product named is no product found: a 404, as for a slug that names none (and
                # the schema cannot say that `product` is needed only with context=product).
                raise ServiceRefusal("product: Give the product's slug for context=product.", status_code=404,
                                     code="not_found")
            product_id = product_detail(slug=slug).pk
        elif context == "cart":
            cart = api_cart(request)
            basket = [line.variant.product_id for line in cart_lines(cart=cart)] if cart else []
        rails = rails_for(request._request, page=context, product_id=product_id, basket_product_ids=basket)
        cards = RecommendedProductSerializer(context={"request": request})
        body = {"rails": [{
            "key": rail.key, "title": rail.title, "personal": rail.personal,
            "products": [cards.to_representation(_with_reason(entry)) for entry in rail.entries],
        } for rail in rails]}
        return Response(body)
