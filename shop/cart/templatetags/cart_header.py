"""The header's cart count, without counting the cart twice on the cart page."""

from django import template

from shop.cart.selectors import CartView

register = template.Library()


@register.simple_tag(takes_context=True)
def header_cart_count(context: template.Context) -> int:
    """Units in the cart: from the cart the page already loaded, else the context processor's
    lazy count (one query, none for a visitor without a cart)."""
    cart = context.get("cart")
    if isinstance(cart, CartView):
        return cart.item_count
    return context.get("cart_count", 0)
