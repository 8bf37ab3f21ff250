"""Checkout pages: address → shipping → review and pay. Work without JavaScript; refuse bad input clearly."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from primitives.subjects import request_subject
from shop.accounts import services as account_services
from shop.accounts.selectors import saved_addresses_for_user
from shop.cart.session import request_cart
from shop.orders.models import Order
from shop.orders.selectors import order_guest_path
from shop.payments.models import Payment
from shop.payments.providers import ProviderUnavailable, WebhookVerificationError
from shop.payments.test_provider import TEST_CARDS
from shop.pricing import price_strategy_for, tax

from . import services
from .forms import AddressForm, PaymentForm, SavedAddressChoiceForm, ShippingMethodForm
from .models import Checkout
from .placement import PlacementResult, order_place
from .reconcile import payment_sync, webhook_handle
from .selectors import (
    checkout_for_cart,
    checkout_reservation_active,
    checkout_summary,
    shipping_methods_for,
)


def _checkout(request: HttpRequest) -> Checkout | None:
    return checkout_for_cart(cart=request_cart(request))


def _expired(request: HttpRequest) -> HttpResponse:
    messages.error(request, "Your checkout has expired or your cart is empty. Please start again from your cart.")
    return redirect("cart:detail")


def order_url(order: Order) -> str:
    if order.user_id:
        return reverse("orders:detail", kwargs={"number": order.number})
    return order_guest_path(order)


@require_POST
def checkout_start(request: HttpRequest) -> HttpResponse:
    cart = request_cart(request)
    if cart is None:
        return _expired(request)
    try:
        services.checkout_start(cart=cart, user_id=request.user.pk if request.user.is_authenticated else None,
                                subject=request_subject(request), strategy=price_strategy_for(request))
    except services.CheckoutError as error:
        messages.error(request, error.message)
        return redirect("cart:detail")
    return redirect("checkout:details")


ADDRESS_FIELDS = ("full_name", "line1", "line2", "city", "postcode", "country", "phone")


@require_http_methods(["GET", "POST"])
def checkout_details(request: HttpRequest) -> HttpResponse:
    """Step 1: where to ship. An account may pick a saved address instead of typing one."""
    checkout = _checkout(request)
    if checkout is None:
        return _expired(request)
    guest = checkout.user_id is None
    address = checkout.shipping_address
    initial = {"email": checkout.email or ""}
    if address:
        initial.update({name: getattr(address, name) for name in ADDRESS_FIELDS})
    saved = [] if guest else list(saved_addresses_for_user(user_id=checkout.user_id))
    picking = request.method == "POST" and "saved_address" in request.POST
    form = AddressForm(None if picking else (request.POST or None), guest=guest, initial=initial)
    choice = SavedAddressChoiceForm(request.POST if picking else None, addresses=saved) if saved else None
    status = 200
    if picking and choice is None:
        messages.error(request, "There are no saved addresses to choose from: please enter the address.")
        status = 400
    elif picking:
        if choice.is_valid():
            chosen = next(a for a in saved if a.pk == choice.cleaned_data["saved_address"])
            try:
                services.checkout_address_set(checkout=checkout, email=None,
                                              **{name: getattr(chosen, name) for name in ADDRESS_FIELDS})
                return redirect("checkout:shipping")
            except services.CheckoutError as error:
                choice.add_error(None, error.message)
        status = 400
    elif request.method == "POST":
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in ADDRESS_FIELDS}
            try:
                services.checkout_address_set(checkout=checkout, email=form.cleaned_data.get("email"), **data)
            except services.CheckoutError as error:
                form.add_error(None, error.message)
            else:
                if form.cleaned_data.get("save_address"):
                    try:
                        account_services.saved_address_create(user_id=checkout.user_id, **data)
                        messages.success(request, "Address saved in your account.")
                    except account_services.AddressError as error:
                        messages.warning(request, error.message)
                return redirect("checkout:shipping")
        status = 400
    return render(request, "shop/checkout/details.html", {
        "form": form, "choice": choice, "checkout": checkout, "step": 1,
        "saved_addresses": saved, "picking": picking,
    }, status=status)


@require_http_methods(["GET", "POST"])
def checkout_shipping(request: HttpRequest) -> HttpResponse:
    checkout = _checkout(request)
    if checkout is None:
        return _expired(request)
    if checkout.shipping_address_id is None:
        return redirect("checkout:details")
    methods = shipping_methods_for(country=checkout.country)
    form = ShippingMethodForm(request.POST or None, methods=methods,
                              initial={"method": checkout.shipping_method.code if checkout.shipping_method else
                                       (methods[0].code if methods else None)})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.checkout_shipping_method_set(checkout=checkout, code=form.cleaned_data["method"])
                return redirect("checkout:review")
            except services.CheckoutError as error:
                form.add_error(None, error.message)
        status = 400
    prices = {m.code: tax.price_for_country(m.price, checkout.country) for m in methods}
    return render(request, "shop/checkout/shipping.html", {
        "form": form, "checkout": checkout, "step": 2, "country": tax.country_name(checkout.country),
        "methods": [(m, prices[m.code]) for m in methods],
    }, status=status)


def _review(request: HttpRequest, checkout: Checkout, *, error: str | None = None, status: int = 200,
            form: PaymentForm | None = None) -> HttpResponse:
    summary = checkout_summary(checkout=checkout, strategy=price_strategy_for(request))
    if form is None or form.is_bound:
        form = PaymentForm(initial={"idempotency_key": uuid.uuid4().hex, "expected_total": summary.total.amount,
                                    "payment_token": (form.data.get("payment_token") if form else None)
                                    or TEST_CARDS[0].token})
    return render(request, "shop/checkout/review.html", {
        "checkout": checkout, "summary": summary, "form": form, "error": error, "step": 3,
        "country": tax.country_name(summary.country), "home_country": tax.country_name(tax.home_country()),
        "reservation_active": checkout_reservation_active(checkout=checkout), "test_cards": TEST_CARDS,
    }, status=status)


@require_GET
def checkout_review(request: HttpRequest) -> HttpResponse:
    checkout = _checkout(request)
    if checkout is None:
        return _expired(request)
    if checkout.shipping_address_id is None:
        return redirect("checkout:details")
    if checkout.shipping_method_id is None:
        return redirect("checkout:shipping")
    return _review(request, checkout)


def _after_payment(request: HttpRequest, checkout: Checkout | None, result: PlacementResult) -> HttpResponse:
    if result.order is not None:
        messages.success(request, f"Thank you! Your order {result.order.number} is confirmed; a receipt is on "
                                  "its way by e-mail.")
        return redirect(order_url(result.order))
    if result.action_url:
        return redirect(result.action_url)
    if checkout is None:
        return _expired(request)
    return _review(request, checkout, error=result.error, status=402)


@require_POST
def checkout_place(request: HttpRequest) -> HttpResponse:
    checkout = _checkout(request)
    form = PaymentForm(request.POST)
    if checkout is None:
        # The checkout is finished: a repeated request with a known key still gets its order.
        key = request.POST.get("idempotency_key", "")
        payment = Payment.objects.select_related("order").filter(idempotency_key=key, order__isnull=False).first()
        if payment and _owns(request, payment.order):
            return redirect(order_url(payment.order))
        return _expired(request)
    if not form.is_valid():
        return _review(request, checkout, error=next(iter(form.errors.values()))[0], status=400, form=form)
    try:
        result = order_place(
            checkout=checkout, idempotency_key=form.cleaned_data["idempotency_key"],
            payment_token=form.cleaned_data["payment_token"],
            expected_total=Decimal(form.cleaned_data["expected_total"]),
            return_url=reverse("checkout:payment_return", kwargs={"key": form.cleaned_data["idempotency_key"]}),
            strategy=price_strategy_for(request), subject=request_subject(request),
        )
    except services.CheckoutError as error:
        return _review(request, checkout, error=error.message, status=error.status, form=form)
    return _after_payment(request, checkout, result)


def _owns(request: HttpRequest, order: Order) -> bool:
    if order.user_id:
        return request.user.is_authenticated and request.user.pk == order.user_id
    payment = order.payments.select_related("checkout__cart").first()
    cart = request_cart(request)
    return bool(payment and payment.checkout and cart and payment.checkout.cart_id == cart.pk)


@require_GET
def payment_return(request: HttpRequest, key: str) -> HttpResponse:
    """Where the provider sends the shopper back after authenticating a payment."""
    cart = request_cart(request)
    payment = get_object_or_404(Payment.objects.select_related("checkout", "order"), idempotency_key=key,
                                checkout__cart=cart) if cart else None
    if payment is None:
        return _expired(request)
    result = payment_sync(payment=payment)
    return _after_payment(request, payment.checkout, result)


@csrf_exempt
@require_POST
def payment_webhook(request: HttpRequest, provider: str) -> HttpResponse:
    try:
        outcome = webhook_handle(provider_name=provider, body=request.body, headers=dict(request.headers))
    except LookupError:
        return JsonResponse({"error": "unknown provider"}, status=404)
    except WebhookVerificationError as error:
        return JsonResponse({"error": str(error)}, status=400)
    except ProviderUnavailable:
        # Nothing was acted on and the event is not remembered: the provider's retry will be.
        return JsonResponse({"error": "The payment provider could not be reached; send the event again."},
                            status=503)
    return JsonResponse({"result": outcome})
