"""Driving the checkout as a shopper does: forms posted, pages read."""

import re
from decimal import Decimal
from html import unescape

from django.urls import reverse

ADDRESS = {"email": "grace@example.com", "full_name": "Grace Hopper", "line1": "1 Harbour Street",
           "line2": "", "city": "Whitby", "postcode": "YO21 3PU", "country": "GB", "phone": "+44 7700 900123"}


def add_to_cart(client, product, quantity=1):
    response = client.post(reverse("cart:add"), {"variant": product.variants.first().pk, "quantity": quantity})
    assert response.status_code == 302, response.content.decode()[:2000]


def shipping_methods_ensure() -> None:
    """The seeded shipping methods (a transactional test's flush removes migration data)."""
    from importlib import import_module

    from shop.checkout.models import ShippingMethod

    seed = import_module("shop.checkout.migrations.0002_shipping_methods")
    for code, name, description, price, countries, position in seed.METHODS:
        ShippingMethod.objects.get_or_create(code=code, defaults={
            "name": name, "description": description, "price": price, "countries": countries,
            "position": position})


def checkout_to_review(client, *products, quantity=1, country="GB", method=None, address=None):
    shipping_methods_ensure()
    for product in products:
        add_to_cart(client, product, quantity)
    assert client.post(reverse("checkout:start")).status_code == 302
    response = client.post(reverse("checkout:details"), {**ADDRESS, "country": country, **(address or {})})
    assert response.status_code == 302, unescape(response.content.decode())
    method = method or ("standard" if country == "GB" else "europe")
    response = client.post(reverse("checkout:shipping"), {"method": method})
    assert response.status_code == 302, response.content.decode()
    return review_form(client)


def review_form(client) -> dict:
    html = client.get(reverse("checkout:review")).content.decode()
    return {
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1),
        "expected_total": Decimal(re.search(r'name="expected_total" value="([^"]+)"', html).group(1)),
        "html": html,
    }


def pay(client, form: dict, token="tok_success", **overrides):
    data = {"idempotency_key": form["idempotency_key"], "expected_total": form["expected_total"],
            "payment_token": token, **overrides}
    return client.post(reverse("checkout:place"), data)
