"""Checkout: start (holding the stock), address, shipping method, place the order.

The same services and rules as the pages: placing needs an `Idempotency-Key` header; the same
key again returns the first attempt's outcome, the same key for a different cart is a 409, a
total that changed since the client showed it is a 422, a declined payment a 402.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from primitives.money import Money, shop_currency
from primitives.subjects import request_subject
from shop.api.errors import ServiceRefusal
from shop.api.parameters import CART_TOKEN
from shop.cart.api.carts import api_cart
from shop.checkout import services
from shop.checkout.placement import order_place
from shop.checkout.reconcile import payment_sync
from shop.checkout.selectors import checkout_for_cart, checkout_summary, shipping_methods_for
from shop.orders.selectors import order_guest_path
from shop.payments.models import Payment, PaymentStatus
from shop.pricing import price_strategy_for, tax

from .serializers import (
    AddressSerializer,
    CheckoutSerializer,
    PlacedOrderSerializer,
    PlaceOrderSerializer,
    ShippingChoiceSerializer,
    ShippingMethodSerializer,
    _money,
    checkout_body,
)

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=True, pattern=KEY_PATTERN.pattern,
    description="16 to 64 letters, digits, '-' or '_', new for each attempt to pay; repeat it to retry safely.")


def _refused(error: services.CheckoutError) -> ServiceRefusal:
    code = {409: "conflict", 422: "total_changed", 404: "not_found"}.get(error.status, "invalid")
    return ServiceRefusal(error.message, status_code=error.status, code=code)


def _open_checkout(request):
    checkout = checkout_for_cart(cart=api_cart(request))
    if checkout is None:
        raise ServiceRefusal("You have no checkout open: start one with POST /api/v1/checkout/.", status_code=404,
                             code="not_found")
    return checkout


def _checkout_response(request, checkout, *, status_code: int = 200) -> Response:
    summary = checkout_summary(checkout=checkout, strategy=price_strategy_for(request._request))
    return Response(checkout_body(checkout, summary), status=status_code)


class CheckoutDetail(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[CART_TOKEN], responses={200: CheckoutSerializer}, summary="Your open checkout")
    def get(self, request):
        return _checkout_response(request, _open_checkout(request))

    @extend_schema(parameters=[CART_TOKEN], request=None, responses={201: CheckoutSerializer,
                   409: OpenApiResponse(description="Your cart is empty, or some items are no longer in stock.")},
                   summary="Start checking out your cart (holds its units for a few minutes)")
    def post(self, request):
        cart = api_cart(request)
        if cart is None:
            # The cart's state, not the request, is what is wrong: a conflict, as when items ran out.
            raise ServiceRefusal("Your cart is empty. Add something to it first.", status_code=409, code="conflict")
        try:
            checkout = services.checkout_start(
                cart=cart, user_id=request.user.pk if request.user.is_authenticated else None,
                subject=request_subject(request, cart_token=True), strategy=price_strategy_for(request._request))
        except services.CheckoutError as error:
            raise _refused(error) from None
        return _checkout_response(request, checkout, status_code=status.HTTP_201_CREATED)


class CheckoutAddress(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[CART_TOKEN], request=AddressSerializer, responses={200: CheckoutSerializer},
                   summary="Set where to ship")
    def put(self, request):
        data = AddressSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        checkout = _open_checkout(request)
        values = dict(data.validated_data)
        email = values.pop("email", None)
        if checkout.user_id is None and not email:
            raise ServiceRefusal("email: Please give an e-mail address for your order confirmation.",
                                 status_code=400, code="invalid")
        try:
            checkout = services.checkout_address_set(checkout=checkout, email=email, **values)
        except services.CheckoutError as error:
            raise _refused(error) from None
        return _checkout_response(request, checkout)


class CheckoutShippingMethods(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[CART_TOKEN], responses={
        200: ShippingMethodSerializer(many=True),
        409: OpenApiResponse(description="The checkout has no shipping address yet.")},
                   summary="Shipping methods for your checkout's country")
    def get(self, request):
        checkout = _open_checkout(request)
        if checkout.shipping_address_id is None:
            raise ServiceRefusal("Please give a shipping address first.", status_code=409, code="conflict")
        def price(method) -> dict:
            return _money(Money(tax.price_for_country(method.price, checkout.country), shop_currency()))

        return Response([{"code": m.code, "name": m.name, "description": m.description, "price": price(m)}
                         for m in shipping_methods_for(country=checkout.country)])


class CheckoutShippingMethod(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[CART_TOKEN], request=ShippingChoiceSerializer, responses={
        200: CheckoutSerializer, 409: OpenApiResponse(description="The checkout has no shipping address yet.")},
                   summary="Choose a shipping method")
    def put(self, request):
        data = ShippingChoiceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        checkout = _open_checkout(request)
        try:
            checkout = services.checkout_shipping_method_set(checkout=checkout, code=data.validated_data["code"])
        except services.CheckoutError as error:
            raise _refused(error) from None
        return _checkout_response(request, checkout)


class CheckoutPlace(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_scope = "place_order"

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY, CART_TOKEN], request=PlaceOrderSerializer,
        responses={201: PlacedOrderSerializer, 202: PlacedOrderSerializer,
                   402: OpenApiResponse(description="The payment did not go through (the message says why)."),
                   409: OpenApiResponse(description="The key was used for a different cart, the checkout is "
                                                    "finished, or items ran out."),
                   422: OpenApiResponse(description="The total changed since you showed it.")},
        summary="Pay and place the order",
        description="201: the order is placed. 202: the shopper must confirm the payment at `action_url`; "
                    "then send the same request again (same key) to get the order.")
    def post(self, request):
        key = request.headers.get("Idempotency-Key", "")
        if not KEY_PATTERN.match(key):
            raise ServiceRefusal("Idempotency-Key: send a header of 16 to 64 letters, digits, '-' or '_', new for "
                                 "each attempt to pay.", status_code=400, code="invalid")
        data = PlaceOrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cart = api_cart(request)
        checkout = checkout_for_cart(cart=cart)
        if checkout is None:
            # The checkout is finished: a retry with the attempt's key still gets its order.
            placed = _placed_with_key(request, key, cart)
            if placed is not None:
                return self._placed(request, placed)
            raise ServiceRefusal("You have no checkout open: start one with POST /api/v1/checkout/.",
                                 status_code=404, code="not_found")
        waiting = (Payment.objects.select_related("checkout")
                   .filter(idempotency_key=key, checkout=checkout, order__isnull=True,
                           status__in=[PaymentStatus.REQUIRES_ACTION, PaymentStatus.CREATED]).first())
        if waiting is not None:
            # A retry after the shopper confirmed (or not) at action_url: ask the provider where it stands.
            return self._answer(request, payment_sync(payment=waiting))
        try:
            result = order_place(
                checkout=checkout, idempotency_key=key, payment_token=data.validated_data["payment_token"],
                expected_total=Decimal(data.validated_data["expected_total"]),
                return_url=reverse("checkout:payment_return", kwargs={"key": key}),
                strategy=price_strategy_for(request._request), subject=request_subject(request, cart_token=True))
        except services.CheckoutError as error:
            raise _refused(error) from None
        if result.payment.checkout_id != checkout.pk:
            # The key belongs to another checkout's attempt (of an identical cart): never show its outcome.
            raise ServiceRefusal("This Idempotency-Key was already used for another checkout: use a new one.",
                                 status_code=409, code="conflict")
        return self._answer(request, result)

    def _answer(self, request, result) -> Response:
        if result.order is not None:
            return self._placed(request, result.order)
        if result.action_url:
            return Response({"status": "requires_action", "order_number": None, "order_url": None,
                             "action_url": result.action_url}, status=status.HTTP_202_ACCEPTED)
        raise ServiceRefusal(result.error or "The payment did not go through.", status_code=402,
                             code="payment_failed")

    @staticmethod
    def _placed(request, order) -> Response:
        url = (request.build_absolute_uri(reverse("api:order-detail", kwargs={"number": order.number}))
               if order.user_id else request.build_absolute_uri(order_guest_path(order)))
        return Response({"status": "placed", "order_number": order.number, "order_url": url, "action_url": None},
                        status=status.HTTP_201_CREATED)


def _placed_with_key(request, key: str, cart):
    """The order an earlier attempt with this key placed, when it is the requester's."""
    payment = (Payment.objects.select_related("order", "checkout")
               .filter(idempotency_key=key, order__isnull=False).first())
    if payment is None:
        return None
    order = payment.order
    if order.user_id:
        return order if request.user.is_authenticated and request.user.pk == order.user_id else None
    return order if cart is not None and payment.checkout and payment.checkout.cart_id == cart.pk else None
