"""Cart pages: thin views over cart services; every refusal explains itself and changes nothing."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from primitives.subjects import request_subject
from shop.pricing import price_strategy_for
from shop.recommendations import rails_for

from . import services
from .forms import CartLineForm, CartRemoveForm
from .session import request_cart, request_cart_copy_renew, request_cart_view


def _render(request: HttpRequest, *, error: str | None = None, status: int = 200) -> HttpResponse:
    view = request_cart_view(request, strategy=price_strategy_for(request))
    rails = rails_for(request, page="cart", basket_product_ids=[line.product.pk for line in view.lines])
    return render(request, "shop/cart/detail.html", {"cart": view, "error": error, "rails": rails}, status=status)


def _changed(request: HttpRequest) -> HttpResponse:
    """To the cart page, with the lines as changed already kept for it in the session."""
    request_cart_copy_renew(request, strategy=price_strategy_for(request))
    return redirect("cart:detail")


def _first_error(form) -> str:
    return next(iter(form.errors.values()))[0]


@require_GET
def cart_detail(request: HttpRequest) -> HttpResponse:
    return _render(request)


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    form = CartLineForm(request.POST)
    if not form.is_valid():
        return _render(request, error=_first_error(form), status=400)
    try:
        cart = request_cart(request, create=True)
        line = services.cart_line_add(cart=cart, variant_id=form.cleaned_data["variant"],
                                      quantity=form.cleaned_data["quantity"], subject=request_subject(request),
                                      strategy=price_strategy_for(request))
    except services.CartError as error:
        return _render(request, error=error.message, status=error.status)
    messages.success(request, f"Added {form.cleaned_data['quantity']} × {line.variant} to your cart.")
    return _changed(request)


@require_POST
def cart_update(request: HttpRequest) -> HttpResponse:
    form = CartLineForm(request.POST)
    if not form.is_valid():
        return _render(request, error=_first_error(form), status=400)
    cart = request_cart(request)
    if cart is None:
        return _render(request, error="Your cart has expired or is empty.", status=404)
    try:
        services.cart_line_set_quantity(cart=cart, variant_id=form.cleaned_data["variant"],
                                        quantity=form.cleaned_data["quantity"], subject=request_subject(request))
    except services.CartError as error:
        return _render(request, error=error.message, status=error.status)
    messages.success(request, "Your cart is updated.")
    return _changed(request)


@require_POST
def cart_remove(request: HttpRequest) -> HttpResponse:
    form = CartRemoveForm(request.POST)
    cart = request_cart(request)
    if not form.is_valid() or cart is None:
        return _render(request, error="That item is not in your cart (any more).", status=404)
    try:
        services.cart_line_remove(cart=cart, variant_id=form.cleaned_data["variant"], subject=request_subject(request))
    except services.CartError as error:
        return _render(request, error=error.message, status=error.status)
    messages.success(request, "Removed from your cart.")
    return _changed(request)
