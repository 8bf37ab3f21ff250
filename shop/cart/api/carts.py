"""The cart an API request works on.

A signed-in client (session or API token) always works on its account's cart. An anonymous
client works on the cart its `X-Cart-Token` header names (a token the API issued), else on its
session's visitor cart, as pages do.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from rest_framework.request import Request

from primitives.subjects import CART_TOKEN_HEADER, cart_token_from
from shop.api.errors import ServiceRefusal
from shop.cart.models import Cart
from shop.cart.selectors import cart_find
from shop.cart.services import cart_get_or_create
from shop.cart.session import request_cart


def api_cart(request: Request, *, create: bool = False) -> Cart | None:
    if request.user and request.user.is_authenticated:
        cart = cart_find(user_id=request.user.pk)
        return cart if cart or not create else cart_get_or_create(user_id=request.user.pk)
    if request.headers.get(CART_TOKEN_HEADER) is not None:
        token = cart_token_from(request)
        cart = cart_find(visitor_key=token) if token else None
        if cart is None:
            raise ServiceRefusal(f"{CART_TOKEN_HEADER}: no cart has that token (it may have expired). Create a "
                                 "cart with POST /api/v1/cart/.", status_code=404, code="not_found")
        return cart
    return request_cart(request._request, create=create)


def api_cart_create(request: Request) -> tuple[Cart, bool]:
    """The client's cart, made if needed; True when it is new. Anonymous clients without a session
    cookie get a new token cart (its token is in the response)."""
    existing = api_cart(request)
    if existing is not None:
        return existing, False
    if request.user and request.user.is_authenticated:
        return cart_get_or_create(user_id=request.user.pk), True
    if request._request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return request_cart(request._request, create=True), True
    return cart_get_or_create(visitor_key=uuid.uuid4().hex), True
