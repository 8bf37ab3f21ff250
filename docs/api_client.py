"""A plain `requests` client of the shop's REST API: browse, add to a cart, place an order.

    .venv/bin/python docs/api_client.py http://127.0.0.1:8000

It shops as a guest without cookies (the cart travels in the X-Cart-Token header) and pays
with the test provider's card token `tok_success`. It prints each step and the order number.
"""

from __future__ import annotations

import sys
import uuid

import requests


def shop(base_url: str, *, email: str = "api-client@example.com", out=print) -> str:
    api = requests.Session()
    api.headers["Accept"] = "application/json"

    def call(method: str, path: str, expected: int, **kwargs) -> dict:
        response = api.request(method, f"{base_url}/api/v1{path}", timeout=30, **kwargs)
        if response.status_code != expected:
            raise SystemExit(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json()

    products = call("GET", "/products/?in_stock=true&sort=popular&page_size=5", 200)["results"]
    if not products:
        raise SystemExit("The shop has no product in stock.")
    out(f"in stock: {products[0]['title']} ({products[0]['price']['amount']}) and {len(products) - 1} more")
    product = call("GET", f"/products/{products[0]['slug']}/", 200)
    variant = next(v for v in product["variants"] if v["in_stock"])

    cart = call("POST", "/cart/", 201)
    api.headers["X-Cart-Token"] = cart["cart_token"]
    cart = call("POST", "/cart/lines/", 200, json={"variant_id": variant["id"], "quantity": 1})
    out(f"cart: {cart['item_count']} item, subtotal {cart['subtotal']['amount']} {cart['subtotal']['currency']}")

    call("POST", "/checkout/", 201)
    call("PUT", "/checkout/address/", 200, json={
        "email": email, "full_name": "Ada Lovelace", "line1": "12 St James's Square", "city": "London",
        "postcode": "SW1Y 4JH", "country": "GB"})
    method = call("GET", "/checkout/shipping-methods/", 200)[0]
    checkout = call("PUT", "/checkout/shipping-method/", 200, json={"code": method["code"]})
    total = checkout["total"]["amount"]
    out(f"checkout: shipping by {method['name']}, total {total}")

    key = uuid.uuid4().hex  # one per attempt to pay: a retry with the same key cannot pay twice
    placed = call("POST", "/checkout/place/", 201, headers={"Idempotency-Key": key},
                  json={"payment_token": "tok_success", "expected_total": total})
    out(f"order {placed['order_number']} placed: {placed['order_url']}")
    return placed["order_number"]


if __name__ == "__main__":
    shop(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000")
