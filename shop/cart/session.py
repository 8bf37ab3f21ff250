"""The cart that belongs to this request: the account's, or the visitor's (by session visitor key)."""

from django.http import HttpRequest

from primitives.subjects import visitor_key

from .models import Cart
from .selectors import cart_find
from .services import cart_get_or_create


def request_cart(request: HttpRequest, *, create: bool = False) -> Cart | None:
    if request.user.is_authenticated:
        cart = cart_find(user_id=request.user.pk)
        return cart if cart or not create else cart_get_or_create(user_id=request.user.pk)
    key = visitor_key(request, create=create)
    cart = cart_find(visitor_key=key)
    return cart if cart or not create else cart_get_or_create(visitor_key=key)
