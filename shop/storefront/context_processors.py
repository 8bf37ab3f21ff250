from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from shop.cart.session import request_cart_units
from shop.catalog.models import Category


def _top_categories() -> list[Category]:
    return list(Category.objects.filter(parent__isnull=True).only("name", "slug"))


def storefront(request: HttpRequest) -> dict[str, object]:
    """What every page's header and footer need: the shop's name, its categories (lazily: one query,
    none when the navigation comes from the shared fragment cache) and the number of units in the
    cart (one query, none for a visitor without a cart or on a page that loaded the cart already; an
    account's comes with its consent check, shop.cart.session.request_cart_units)."""
    return {
        "shop_name": settings.SHOP_NAME,
        "nav_categories": SimpleLazyObject(_top_categories),
        "cart_count": SimpleLazyObject(lambda: request_cart_units(request)),
    }
