"""The cart that belongs to this request: the account's, or the visitor's (by session visitor key)."""

from django.http import HttpRequest

from primitives.subjects import visitor_key

from .models import Cart
from .selectors import cart_find, cart_item_count
from .services import cart_get_or_create


def request_cart(request: HttpRequest, *, create: bool = False) -> Cart | None:
    if request.user.is_authenticated:
        cart = cart_find(user_id=request.user.pk)
        return cart if cart or not create else cart_get_or_create(user_id=request.user.pk)
    key = visitor_key(request, create=create)
    cart = cart_find(visitor_key=key)
    return cart if cart or not create else cart_get_or_create(visitor_key=key)


def request_cart_units(request: HttpRequest) -> int:
    """Units in this request's cart, for the header: an account's as read together with what
    else the request reads about the person in one query, when a middleware offers that
    (`request.account_cart_units`, privacy's consent check), else counted here (one query,
    none for a visitor without a cart)."""
    if request.user.is_authenticated:
        read_with_the_person = getattr(request, "account_cart_units", None)
        if read_with_the_person is not None:
            return read_with_the_person()
        return cart_item_count(user_id=request.user.pk)
    return cart_item_count(visitor_key=visitor_key(request))
