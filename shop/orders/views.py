"""Orders as their customers see them: the account's history and detail, or a guest's signed link
(and a form that e-mails guests fresh links)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from shop.pricing import tax
from shop.recommendations import rails_for

from . import selectors, services
from .forms import FindGuestOrdersForm

HISTORY_PAGE_SIZE = 20


@require_GET
@login_required
def order_history(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("page")
    orders = selectors.OrdersOfUser(request.user.pk, page_size=HISTORY_PAGE_SIZE, page_number=number)
    page = Paginator(orders, HISTORY_PAGE_SIZE).get_page(number)
    return render(request, "shop/orders/history.html", {"page": page})


def _detail(request: HttpRequest, order, *, guest: bool) -> HttpResponse:
    lines = list(order.lines.all())
    bought = [line.variant.product_id for line in lines if line.variant_id]
    return render(request, "shop/orders/detail.html", {
        "order": order, "lines": lines, "address": order.shipping_address, "guest": guest,
        "rails": rails_for(request, page="order_placed", basket_product_ids=bought),
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
    if order is None:  # tampered, cut short or older than 180 days: offer a fresh one
        response = render(request, "shop/orders/link_invalid.html", status=404)
        response["Referrer-Policy"] = "same-origin"
        return response
    response = _detail(request, order, guest=True)
    # The link is the key: it goes back only to this shop, never to another site ("no-referrer" would
    # also make a form on the page post with "Origin: null", which the CSRF check refuses).
    response["Referrer-Policy"] = "same-origin"
    return response


# The same words whether or not the address has orders. The address itself is
# not repeated: messages may travel in a cookie, and an address is personal data.
GUEST_LINKS_SENT_MESSAGE = (
    "If any orders were placed without an account under that address, we have e-mailed it a link "
    "to each. Each link works for 180 days."
)


@require_http_methods(["GET", "POST"])
def find_guest_orders(request: HttpRequest) -> HttpResponse:
    """Ask for the address used at checkout; always the same answer, whether or not it has orders."""
    form = FindGuestOrdersForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "shop/orders/find.html", {"form": form}, status=400)
        services.guest_order_links_request(email=form.cleaned_data["email"])
        messages.success(request, GUEST_LINKS_SENT_MESSAGE)
        return redirect("orders:find_guest")
    return render(request, "shop/orders/find.html", {"form": form})
