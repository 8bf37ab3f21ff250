"""Orders as their customers see them: the account's history and detail, or a guest's signed link."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shop.checkout import tax

from . import selectors

HISTORY_PAGE_SIZE = 20


@require_GET
@login_required
def order_history(request: HttpRequest) -> HttpResponse:
    from django.core.paginator import Paginator

    page = Paginator(selectors.orders_for_user(user_id=request.user.pk), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "shop/orders/history.html", {"page": page})


def _detail(request: HttpRequest, order, *, guest: bool) -> HttpResponse:
    return render(request, "shop/orders/detail.html", {
        "order": order, "lines": list(order.lines.all()), "address": order.shipping_address, "guest": guest,
        "country": tax.country_name(order.shipping_country) if order.shipping_address_id else order.shipping_country,
    })


@require_GET
@login_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = selectors.order_detail_for_user(user_id=request.user.pk, number=number)
    if order is None:
        raise Http404("No such order in your account.")
    return _detail(request, order, guest=False)


@require_GET
def order_guest_detail(request: HttpRequest, token: str) -> HttpResponse:
    order = selectors.order_from_guest_token(token=token)
    if order is None:
        raise Http404("This order link is not valid, or it has expired.")
    response = _detail(request, order, guest=True)
    response["Referrer-Policy"] = "no-referrer"  # the link is the key: never leak it
    return response
