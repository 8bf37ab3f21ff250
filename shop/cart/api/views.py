"""The cart: read it, add, change and remove lines, all through shop.cart.services."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from primitives.subjects import request_subject
from shop.api.errors import ServiceRefusal
from shop.api.parameters import CART_TOKEN
from shop.cart import services
from shop.cart.selectors import cart_lines, cart_view
from shop.pricing import price_strategy_for

from .carts import api_cart, api_cart_create
from .serializers import (
    CartLineAddSerializer,
    CartLineQuantitySerializer,
    CartSerializer,
    cart_body,
)

OUT_OF_STOCK = OpenApiResponse(description="Not that many in stock (the message says how many are).")


def _cart_response(request, cart, *, status_code: int = 200) -> Response:
    return Response(cart_body(cart_view(cart=cart, strategy=price_strategy_for(request._request))),
                    status=status_code)


def _refused(error: services.CartError) -> ServiceRefusal:
    return ServiceRefusal(error.message, status_code=error.status,
                          code={404: "not_found", 409: "out_of_stock"}.get(error.status, "invalid"))


class CartDetail(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[CART_TOKEN], responses={200: CartSerializer}, summary="Your cart")
    def get(self, request):
        return _cart_response(request, api_cart(request))

    @extend_schema(parameters=[CART_TOKEN], request=None, responses={200: CartSerializer, 201: CartSerializer},
                   summary="Create your cart (anonymous clients without a session get a cart token)")
    def post(self, request):
        cart, created = api_cart_create(request)
        return _cart_response(request, cart, status_code=201 if created else 200)


class CartLines(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[CART_TOKEN], request=CartLineAddSerializer,
                   responses={200: CartSerializer, 409: OUT_OF_STOCK},
                   summary="Add units of a variant to your cart")
    def post(self, request):
        data = CartLineAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cart = api_cart(request, create=True)
        try:
            services.cart_line_add(cart=cart, variant_id=data.validated_data["variant_id"],
                                   quantity=data.validated_data["quantity"], subject=request_subject(request, cart_token=True),
                                   strategy=price_strategy_for(request._request))
        except services.CartError as error:
            raise _refused(error) from None
        return _cart_response(request, cart)


class CartLine(APIView):
    permission_classes = [permissions.AllowAny]

    def _cart(self, request):
        cart = api_cart(request)
        if cart is None:
            raise ServiceRefusal("Your cart is empty.", status_code=404, code="not_found")
        return cart

    @extend_schema(parameters=[CART_TOKEN], request=CartLineQuantitySerializer,
                   responses={200: CartSerializer, 409: OUT_OF_STOCK},
                   summary="Set a line's quantity")
    def patch(self, request, variant_id: int):
        data = CartLineQuantitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cart = self._cart(request)
        if "quantity" not in data.validated_data:
            # Nothing named, nothing changed; the line must still be there, as for a change.
            if not any(line.variant_id == variant_id for line in cart_lines(cart=cart)):
                raise ServiceRefusal("That item is not in your cart (any more).", status_code=404, code="not_found")
            return _cart_response(request, cart)
        try:
            services.cart_line_set_quantity(cart=cart, variant_id=variant_id,
                                            quantity=data.validated_data["quantity"],
                                            subject=request_subject(request, cart_token=True))
        except services.CartError as error:
            raise _refused(error) from None
        return _cart_response(request, cart)

    @extend_schema(parameters=[CART_TOKEN], request=None, responses={200: CartSerializer},
                   summary="Remove a line")
    def delete(self, request, variant_id: int):
        cart = self._cart(request)
        try:
            services.cart_line_remove(cart=cart, variant_id=variant_id, subject=request_subject(request, cart_token=True))
        except services.CartError as error:
            raise _refused(error) from None
        return _cart_response(request, cart, status_code=status.HTTP_200_OK)
