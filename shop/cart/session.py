"""The cart that belongs to this request: the account's, or the visitor's (by session visitor key).

The cart page keeps a copy of what it read of the cart's lines (with their variants, products and
the units others hold) in the shopper's own session, which every request reads anyway, and shows
it again while it is current (`shop.cart.selectors.cart_view_from_copy`):

- while the cart's revision is the one the copy was read at: any save or delete of one of its lines,
  from any browser, the checkout, a payment provider's webhook or the admin, raises it
  (`shop.cart.receivers`). An account's revision is read with its consent check
  (privacy.consent_session), so the page runs no query of its own; a visitor's in one small query.
- while the catalog version is the same (a price, the stock, a product changed since) and the
  stock holds version too (another shopper's checkout held or gave back units);
- until the first reservation it counted ends.

Prices are worked out afresh from the copy on every request (the price lock's time, the shopper's
consent and segment as they are now). The copy holds nothing the cart's own rows do not, is never
put in the shared cache, and goes with the session: at logout, at expiry, and at erasure, which
deletes the account's sessions. A copy of another owner (the visitor's, once they log in) is never
shown.
"""

from django.http import HttpRequest

from primitives.subjects import request_subject, visitor_key
from shop.pricing import PriceStrategy

from .models import Cart
from .selectors import CartView, cart_find, cart_item_count, cart_revision_of, cart_view_from_copy, cart_view_with_copy
from .services import cart_get_or_create

LINES_COPY_SESSION_KEY = "cart_lines_copy"


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


def request_cart_view(request: HttpRequest, *, strategy: PriceStrategy) -> CartView:
    """This request's cart with its lines priced by `strategy`, for the cart page: from the copy in
    the shopper's session while it is current (see the module's docstring), else read (one query)
    and kept there."""
    owner = request_subject(request)
    if owner is None:
        return CartView(cart=None, lines=())
    revision = _cart_revision(request, owner)
    if revision is None:
        request_cart_copy_forget(request)
        return CartView(cart=None, lines=())
    view = cart_view_from_copy(owner=owner, strategy=strategy, copy=request.session.get(LINES_COPY_SESSION_KEY),
                               revision=revision)
    if view is None:
        view, copy = cart_view_with_copy(owner=owner, strategy=strategy, revision=revision)
        _copy_keep(request, copy)
    return view


def request_cart_copy_renew(request: HttpRequest, *, strategy: PriceStrategy) -> None:
    """After this request changed the cart: read its lines (one query, and one for the revision)
    and keep them in the session (saved with this response), so that the cart page it leads to
    reads none and saves nothing."""
    owner = request_subject(request)
    if owner is None:
        return
    # Read afresh: one read with the person before the change would be older, and the copy of an
    # emptied cart would then be read again at the next page.
    revision = cart_revision_of(owner=owner)
    if revision is None:
        request_cart_copy_forget(request)
        return
    _copy_keep(request, cart_view_with_copy(owner=owner, strategy=strategy, revision=revision)[1])


def request_cart_copy_forget(request: HttpRequest) -> None:
    """Drop the session's copy of the cart's lines, if it holds one."""
    if LINES_COPY_SESSION_KEY in request.session:
        del request.session[LINES_COPY_SESSION_KEY]


def _copy_keep(request: HttpRequest, copy: dict | None) -> None:
    if copy is None:
        request_cart_copy_forget(request)
    else:
        request.session[LINES_COPY_SESSION_KEY] = copy


def _cart_revision(request: HttpRequest, owner) -> int | None:
    if owner.is_user:
        read_with_the_person = getattr(request, "account_cart_revision", None)
        if read_with_the_person is not None:
            return read_with_the_person()
    return cart_revision_of(owner=owner)
