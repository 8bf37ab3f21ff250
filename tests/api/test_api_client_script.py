"""The documented `requests` client (docs/api_client.py) shops against a live server."""

import importlib.util
from decimal import Decimal
from pathlib import Path

import pytest

from shop.orders.models import Order
from tests.factories import ProductFactory
from tests.shop.checkout_helpers import shipping_methods_ensure

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "api_client.py"


@pytest.mark.django_db(transaction=True)
def test_the_documented_client_browses_adds_to_a_cart_and_places_an_order(live_server):
    shipping_methods_ensure()
    ProductFactory(title="Tin Lantern", price=Decimal("3.50"), popularity=10)
    spec = importlib.util.spec_from_file_location("api_client", SCRIPT)
    client = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(client)
    printed: list[str] = []

    number = client.shop(live_server.url, out=printed.append)

    order = Order.objects.get(number=number)
    assert [(line.product_title, line.quantity) for line in order.lines.all()] == [("Tin Lantern", 1)]
    assert order.user_id is None and order.status == "paid"
    assert printed[0] == "in stock: Tin Lantern (3.50) and 0 more"
    assert printed[-1].startswith(f"order {number} placed")
