"""The cart: add, change, remove with validation; the header count; merging on login."""

import re
import uuid

import pytest
from django.urls import reverse

from primitives.subjects import SESSION_KEY
from shop import events
from shop.cart.models import Cart, CartLine
from shop.cart.selectors import LINES_KEPT_AT_MOST
from tests.factories import ProductFactory, verified_user
from tests.shop.querycount import queries_for


def add(client, variant_id, quantity=1):
    return client.post(reverse("cart:add"), {"variant": variant_id, "quantity": quantity})


def cart_lines(client) -> dict[str, int]:
    html = client.get(reverse("cart:detail")).content.decode()
    titles = re.findall(r'class="cart-line__title"[^>]*>([^<]+)<', html)
    quantities = re.findall(r'name="quantity" value="(\d+)"', html)
    return dict(zip(titles, map(int, quantities), strict=True))


def header_count(html: str) -> int:
    return int(re.search(r'data-testid="cart-count">(\d+)<', html).group(1))


@pytest.mark.django_db
def test_a_guest_adds_to_the_cart_and_sees_it_with_the_header_count(client, captured_events,
                                                                    django_capture_on_commit_callbacks):
    lamp = ProductFactory(title="Lamp", price="12.50")

    with django_capture_on_commit_callbacks(execute=True):
        response = add(client, lamp.variants.get().pk, 2)

    assert response.status_code == 302 and response["Location"] == reverse("cart:detail")
    page = client.get(reverse("cart:detail")).content.decode()
    assert cart_lines(client) == {"Lamp": 2}
    assert "£25.00" in page and header_count(page) == 2
    key = client.session[SESSION_KEY]
    assert captured_events == [events.AddedToCart(
        subject=events.Subject(visitor_id=uuid.UUID(hex=key)), product_id=lamp.pk, variant_id=lamp.variants.get().pk,
        quantity=2, occurred_at=captured_events[0].occurred_at)]


@pytest.mark.django_db
def test_adding_the_same_item_twice_adds_up(client):
    lamp = ProductFactory(title="Lamp")

    add(client, lamp.variants.get().pk, 1)
    add(client, lamp.variants.get().pk, 3)

    assert cart_lines(client) == {"Lamp": 4}


@pytest.mark.django_db
@pytest.mark.parametrize(("quantity", "status", "message"), [
    ("0", 400, "Choose a quantity of at least 1"),
    ("-2", 400, "Choose a quantity of at least 1"),
    ("two", 400, "Enter the quantity as a whole number"),
    ("100", 400, "at most 99"),
    ("11", 409, "only 10 of Lamp in stock"),
])
def test_a_bad_quantity_is_refused_with_a_message_and_changes_nothing(client, quantity, status, message):
    lamp = ProductFactory(title="Lamp", variant__stock=10)
    add(client, lamp.variants.get().pk, 1)

    response = add(client, lamp.variants.get().pk, quantity)

    assert response.status_code == status
    assert message in response.content.decode()
    assert cart_lines(client) == {"Lamp": 1}


@pytest.mark.django_db
def test_an_unknown_or_unpublished_product_is_refused_with_404(client):
    hidden = ProductFactory(is_published=False)

    for variant_id in (999999, hidden.variants.get().pk):
        response = add(client, variant_id)
        assert response.status_code == 404
        assert "not for sale" in response.content.decode()
    assert CartLine.objects.count() == 0


@pytest.mark.django_db
def test_an_out_of_stock_item_cannot_be_added(client):
    sold_out = ProductFactory(title="Gone", variant__stock=0)

    response = add(client, sold_out.variants.get().pk)

    assert response.status_code == 409 and "Gone is out of stock" in response.content.decode()


@pytest.mark.django_db
def test_changing_and_removing_lines(client, captured_events, django_capture_on_commit_callbacks):
    lamp, mug = ProductFactory(title="Lamp"), ProductFactory(title="Mug")
    add(client, lamp.variants.get().pk, 1)
    add(client, mug.variants.get().pk, 1)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("cart:update"), {"variant": lamp.variants.get().pk, "quantity": 3})
        client.post(reverse("cart:remove"), {"variant": mug.variants.get().pk})

    assert cart_lines(client) == {"Lamp": 3}
    assert [(type(e).__name__, e.quantity) for e in captured_events] == [("AddedToCart", 2), ("RemovedFromCart", 1)]


@pytest.mark.django_db
def test_setting_a_quantity_of_zero_is_refused_rather_than_guessed(client):
    lamp = ProductFactory(title="Lamp")
    add(client, lamp.variants.get().pk, 2)

    response = client.post(reverse("cart:update"), {"variant": lamp.variants.get().pk, "quantity": 0})

    assert response.status_code == 400 and "use Remove" in response.content.decode()
    assert cart_lines(client) == {"Lamp": 2}


@pytest.mark.django_db
def test_the_cart_page_answers_get_only(client):
    assert client.get(reverse("cart:add")).status_code == 405


@pytest.mark.django_db
def test_logging_in_merges_the_visitor_cart_and_says_what_changed(client):
    lamp = ProductFactory(title="Lamp", variant__stock=3)
    mug = ProductFactory(title="Mug")
    candle = ProductFactory(title="Candle")
    shopper = verified_user(email="ada@example.com")
    account_cart = Cart.objects.create(user=shopper)
    CartLine.objects.create(cart=account_cart, variant=lamp.variants.get(), quantity=2)
    CartLine.objects.create(cart=account_cart, variant=candle.variants.get(), quantity=1)
    add(client, lamp.variants.get().pk, 2)
    add(client, mug.variants.get().pk, 1)

    response = client.post(reverse("account_login"), {"login": "ada@example.com",
                                                      "password": "correct horse battery staple"}, follow=True)

    page = response.content.decode()
    assert "Lamp: only 3 in stock, so your cart now holds 3." in page
    assert "Mug: 1 added from before you logged in." in page
    assert cart_lines(client) == {"Lamp": 3, "Candle": 1, "Mug": 1}
    assert Cart.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("sizes", [(1, LINES_KEPT_AT_MOST), (LINES_KEPT_AT_MOST + 1, 100)])
def test_the_cart_page_costs_the_same_queries_whatever_its_number_of_lines(client, django_assert_max_num_queries, sizes):
    """Up to LINES_KEPT_AT_MOST lines the page shows the copy its last change kept in the session
    (tests/shop/cart/test_kept_lines.py); a bigger cart reads its lines every time: within each,
    the count does not grow with the lines."""
    products = ProductFactory.create_batch(sizes[1])
    counts = []
    for size in sizes:
        CartLine.objects.all().delete()
        for product in products[:size]:
            add(client, product.variants.get().pk)
        with django_assert_max_num_queries(8):
            counts.append(queries_for(client, reverse("cart:detail")))
    assert counts[0] == counts[1]
