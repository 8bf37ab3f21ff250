"""The price shown is the price charged: a cart line holds the price it was quoted when added.

Within CART_PRICE_LOCK_MINUTES the shopper pays that price (or the current one, if lower) in the
cart, at checkout and on the order; afterwards the current price, and the cart says it changed.
Time passing is the line's lock deadline moved into the past, as an hour would.
"""

import io
import json
import re
import zipfile
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from privacy import data_requests, request_links
from shop.cart.models import CartLine
from shop.catalog.fragments import catalog_version_bump
from shop.catalog.models import Product, ProductVariant
from shop.orders.models import OrderLine, OrderStatus
from shop.payments.models import Payment
from shop.pricing.personal_prices import PERSONALIZED_REASON
from tests.factories import PASSWORD, CategoryFactory, ProductFactory, UserFactory, verified_user
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)
from tests.shop.checkout_helpers import checkout_to_review, pay, review_form
from tests.shop.price_strategies import REASON, RULE, members_price  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    html = re.sub(r"<(?:/?(?:td|th|tr|li|p|dd|dt|div)\b[^>]*|br\s*/?)>", " ", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html))).strip()


@pytest.fixture
def lamp():
    return ProductFactory(title="Harbour Lamp", price=Decimal("10.00"), category=CategoryFactory(name="Lamps"))


def public_price_set(product: Product, amount: str, rule: str = "demand:3") -> None:
    """What a demand recompute does: the variant's stored price and rule, the product's lowest price."""
    ProductVariant.objects.filter(product=product).update(price=Decimal(amount), price_rule=rule,
                                                          price_changed_at=timezone.now())
    Product.objects.filter(pk=product.pk).update(price=Decimal(amount))
    catalog_version_bump()  # as the recompute's catalog_changed() does when it commits


def an_hour_passes() -> None:
    """Every lock ends (each line saved, as any write of one is: its cart's revision goes up)."""
    for line in CartLine.objects.all():
        line.price_locked_until = timezone.now() - timedelta(seconds=1)
        line.save(update_fields=["price_locked_until"])


def add(client, product, quantity=1) -> None:
    response = client.post(reverse("cart:add"), {"variant": product.variants.get().pk, "quantity": quantity})
    assert response.status_code == 302


def cart_page(client) -> str:
    return text(client.get(reverse("cart:detail")).content.decode())


def test_within_the_lock_checkout_charges_the_price_shown_when_added_though_the_public_price_rose(client, lamp):
    add(client, lamp, 2)
    public_price_set(lamp, "12.00")

    assert "£12.00" in text(client.get(lamp.get_absolute_url()).content.decode())  # new shoppers pay more
    cart = cart_page(client)
    assert "£10.00 Price held for you until" in cart and "£20.00" in cart and "£12.00" not in cart
    form = checkout_to_review(client)
    assert form["expected_total"] == Decimal("20.00") + Decimal("3.95")
    assert "£10.00 The price when you added it" in text(form["html"])
    api_checkout = client.get("/api/v1/checkout/").json()
    assert ([line["unit_price"]["amount"] for line in api_checkout["lines"]], api_checkout["total"]["amount"]) == (
        ["10.00"], "23.95")
    assert pay(client, form).status_code == 302

    line = OrderLine.objects.get()
    assert (line.unit_price, line.price_rule, line.price_personalized) == (Decimal("10.00"), "list", False)


def test_after_the_lock_the_current_price_applies_and_the_cart_says_it_changed(client, lamp):
    add(client, lamp)
    public_price_set(lamp, "12.00")
    an_hour_passes()

    cart = cart_page(client)
    assert "A price has changed since you added the item to your cart: Harbour Lamp: £10.00 → £12.00" in cart
    assert "£12.00 Was £10.00 when you added it" in cart
    api_line = client.get("/api/v1/cart/").json()["lines"][0]
    assert (api_line["unit_price"]["amount"], api_line["price_changed_from"]["amount"],
            api_line["price_locked_until"]) == ("12.00", "10.00", None)
    form = checkout_to_review(client)
    assert form["expected_total"] == Decimal("12.00") + Decimal("3.95")
    assert pay(client, form).status_code == 302
    line = OrderLine.objects.get()
    assert (line.unit_price, line.price_rule) == (Decimal("12.00"), "demand:3")


def test_a_lower_current_price_wins_within_the_lock(client, lamp):
    add(client, lamp)
    public_price_set(lamp, "8.00")

    cart = cart_page(client)
    assert "£8.00" in cart and "£10.00" not in cart and "Price held" not in cart
    form = checkout_to_review(client)
    assert form["expected_total"] == Decimal("8.00") + Decimal("3.95")
    assert pay(client, form).status_code == 302
    line = OrderLine.objects.get()
    assert (line.unit_price, line.price_rule) == (Decimal("8.00"), "demand:3")


def test_a_checkout_left_open_past_the_lock_asks_to_confirm_the_new_total(client, lamp):
    add(client, lamp)
    form = checkout_to_review(client)
    public_price_set(lamp, "12.00")
    an_hour_passes()

    response = pay(client, form)

    assert response.status_code == 422
    assert "The total is now 15.95 GBP, not 13.95" in unescape(response.content.decode())
    assert not OrderLine.objects.exists()
    assert review_form(client)["expected_total"] == Decimal("15.95")


def test_a_personal_price_holds_within_the_lock_while_the_shopper_keeps_it(client, lamp, members_price):  # noqa: F811
    member = UserFactory()
    members_price.add(member.pk)
    client.force_login(member)
    add(client, lamp)  # £9.00 for the member
    public_price_set(lamp, "12.00")  # the member's price would now be £10.80

    assert "£9.00 Public price, was £12.00 Your price Thank you for being a loyal customer" in cart_page(client)
    form = checkout_to_review(client)
    assert form["expected_total"] == Decimal("9.00") + Decimal("3.95")
    assert pay(client, form).status_code == 302
    line = OrderLine.objects.get()
    assert (line.unit_price, line.price_rule, line.price_personalized) == (Decimal("9.00"), RULE, True)


def test_a_personal_price_no_longer_applies_once_the_strategy_stops_giving_it(client, lamp, members_price):  # noqa: F811
    member = UserFactory()
    members_price.add(member.pk)
    client.force_login(member)
    add(client, lamp)
    members_price.discard(member.pk)  # consent withdrawn: the public price from the next page on

    cart = cart_page(client)
    assert "Your price" not in cart
    assert "Harbour Lamp: £9.00 → £10.00" in cart
    form = checkout_to_review(client)
    assert form["expected_total"] == Decimal("10.00") + Decimal("3.95")
    assert pay(client, form).status_code == 302
    line = OrderLine.objects.get()
    assert (line.unit_price, line.price_rule, line.price_personalized) == (Decimal("10.00"), "list", False)


def test_adding_again_keeps_a_lock_that_holds_and_renews_one_that_ran_out(client, lamp):
    add(client, lamp)
    public_price_set(lamp, "12.00")
    add(client, lamp)  # within the lock: both units at the price first quoted
    assert "£10.00 Price held" in cart_page(client) and "£20.00" in cart_page(client)

    an_hour_passes()
    add(client, lamp)  # the lock ran out: quoted afresh at £12.00, held again
    public_price_set(lamp, "14.00")

    cart = cart_page(client)
    assert "£12.00 Price held for you until" in cart and "£36.00" in cart
    assert "changed since you added" not in cart
    line = CartLine.objects.get()
    assert line.quoted_price == Decimal("12.00") and line.price_locked_until > timezone.now()


def test_the_lock_lasts_the_configured_minutes(client, lamp, settings):
    settings.CART_PRICE_LOCK_MINUTES = 5
    before = timezone.now()
    add(client, lamp)

    line = CartLine.objects.get()
    assert before + timedelta(minutes=5) <= line.price_locked_until <= timezone.now() + timedelta(minutes=5)
    assert (line.quoted_price, line.quoted_public_price, line.quoted_rule, line.quoted_personalized) == (
        Decimal("10.00"), Decimal("10.00"), "list", False)


def test_lines_merged_on_login_keep_their_locks(client, lamp):
    mug = ProductFactory(title="Mug", price=Decimal("5.00"))
    shopper = verified_user(email="ada@example.com")
    add(client, lamp)
    add(client, mug)
    client2 = type(client)()
    client2.force_login(shopper)
    add(client2, mug)  # the account's own line for the mug, also at £5.00
    public_price_set(lamp, "12.00")
    public_price_set(mug, "6.00")

    client.post(reverse("account_login"), {"login": "ada@example.com", "password": PASSWORD})

    cart = cart_page(client)
    assert "Harbour Lamp" in cart and "£10.00 Price held" in cart
    assert "£5.00 Price held" in cart and "£10.00" in cart  # two mugs at the price they were added at
    assert "£12.00" not in cart and "£6.00" not in cart


def data_export(client, user) -> dict:
    request = data_requests.export_request(user_id=user.pk)
    data_requests.export_build(request_id=request.pk)
    request.refresh_from_db()
    _, archive = data_requests.export_file_for_download(token=request_links.download_token(request), user=user)
    return json.loads(zipfile.ZipFile(io.BytesIO(archive)).read("data.json"))


def test_personal_prices_on_cart_and_order_lines_are_exported_and_erased_with_them(client, lamp, members_price,  # noqa: F811
                                                                                   settings):
    settings.ERASURE_GRACE_DAYS = 0
    member = verified_user(email="loyal@example.com")
    members_price.add(member.pk)
    client.force_login(member)
    assert pay(client, checkout_to_review(client, lamp)).status_code == 302
    OrderLine.objects.get().order.__class__.objects.update(status=OrderStatus.DELIVERED)
    add(client, ProductFactory(title="Mug", price=Decimal("5.00")))  # still in the cart, at £4.50

    document = data_export(client, member)

    [order_line] = document["sections"]["orders.OrderLine"]["rows"]
    assert (order_line["unit_price"], order_line["price_rule"], order_line["price_personalized"]) == (
        "9.00", RULE, True)
    assert (order_line["public_unit_price"], order_line["price_reason"], order_line["reduced_from"]) == (
        "10.00", REASON, None)
    [cart_line] = document["sections"]["cart.CartLine"]["rows"]
    assert (cart_line["quoted_price"], cart_line["quoted_rule"], cart_line["quoted_personalized"],
            cart_line["quoted_reason"]) == ("4.50", RULE, True, REASON)

    request = data_requests.erasure_request(user_id=member.pk)
    assert data_requests.erasure_run(request_id=request.pk) == "erased"

    kept = OrderLine.objects.get()
    # Kept for tax law with its amounts; the segment its rule and reason named is gone.
    assert (kept.unit_price, kept.public_unit_price, kept.price_rule, kept.price_personalized) == (
        Decimal("9.00"), Decimal("10.00"), "personalized", True)
    assert kept.price_reason == PERSONALIZED_REASON != REASON
    [paid_line] = Payment.objects.get().snapshot["lines"]  # the payment's copy, kept for accounting too
    assert (paid_line["unit_price"], paid_line["rule"], paid_line["reason"]) == ("9.00", "personalized",
                                                                                PERSONALIZED_REASON)
    assert not CartLine.objects.exists()
    assert not OrderLine.objects.filter(price_rule__startswith="segment:").exists()
