"""The price seam, money arithmetic and the tidy-up of abandoned carts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from primitives.money import Money, round_money
from shop import pricing
from shop.cart.models import Cart
from shop.cart.tasks import purge_abandoned_carts
from shop.checkout.models import Checkout
from shop.checkout.selectors import checkout_summary
from shop.pricing.tax import price_for_country, vat_included
from tests.factories import ProductFactory
from tests.shop.checkout_helpers import add_to_cart, checkout_to_review, pay


class HalfPrice(pricing.PublicPrice):
    """Everyone pays half the public price (a quote like any strategy's)."""

    name = "half"
    fragment_key = "half"

    def variant_quote(self, variant):
        public = pricing.public_variant_quote(variant)
        return pricing.PriceQuote(amount=Money(variant.price / 2, "GBP"), public=public.public, rule="test:half")

    def product_quote(self, product):
        public = pricing.public_product_quote(product)
        return pricing.PriceQuote(amount=Money(product.price / 2, "GBP"), public=public.public, rule="test:half")


@pytest.fixture
def half_price():
    previous = pricing.price_strategy_register(lambda request, customer=None: HalfPrice())
    yield
    pricing.price_strategy_register(previous)


@pytest.mark.django_db
def test_a_registered_price_strategy_prices_the_cart_and_the_order(client, half_price):
    lamp = ProductFactory(price=Decimal("10.00"))
    form = checkout_to_review(client, lamp, quantity=2)

    assert "£10.00" in client.get(reverse("cart:detail")).content.decode()
    assert form["expected_total"] == Decimal("13.95")
    assert pay(client, form).status_code == 302


def test_money_rounds_half_up_and_refuses_floats_and_mixed_currencies():
    assert round_money(Decimal("2.345")) == Decimal("2.35")
    assert round_money(Decimal("2.344")) == Decimal("2.34")
    assert Money.of("1.10") + Money.of("2.20") == Money.of("3.30")
    with pytest.raises(TypeError):
        Money(0.1, "GBP")
    with pytest.raises(ValueError):
        Money.of("1", "GBP") + Money.of("1", "EUR")


@pytest.mark.parametrize(("home_price", "country", "expected"), [
    (Decimal("12.00"), "GB", Decimal("12.00")),
    (Decimal("12.00"), "DE", Decimal("11.90")),
    (Decimal("12.00"), "IE", Decimal("12.30")),
    (Decimal("12.00"), "US", Decimal("10.00")),
    (Decimal("0.99"), "DE", Decimal("0.98")),  # 0.825 × 1.19 = 0.98175
])
def test_prices_for_another_country(home_price, country, expected):
    assert price_for_country(home_price, country) == expected


def test_vat_included_in_a_price():
    assert vat_included(Decimal("25.00"), Decimal("0.20")) == Decimal("4.17")
    assert vat_included(Decimal("10.00"), Decimal("0")) == Decimal("0.00")


@pytest.mark.django_db
def test_vat_is_the_sum_of_each_line_s_and_the_shipping_s_rounded_vat_not_the_total_s(client):
    # At 20%, a £1.04 line holds 0.1733 VAT (0.17), the £3.95 shipping 0.6583 (0.66): 1.00 in all;
    # the £6.03 total taken at once would hold 1.005, rounded to 1.01.
    cup, saucer = ProductFactory(price=Decimal("1.04")), ProductFactory(price=Decimal("1.04"))
    checkout_to_review(client, cup, saucer)

    summary = checkout_summary(checkout=Checkout.objects.get(), strategy=pricing.price_strategy_for(None))

    assert [line.line_total.amount for line in summary.lines] == [Decimal("1.04"), Decimal("1.04")]
    assert summary.total == Money.of("6.03")
    assert summary.tax == Money.of("1.00")
    assert vat_included(Decimal("6.03"), Decimal("0.20")) == Decimal("1.01")  # what the total alone would say


@pytest.mark.django_db
def test_visitors_carts_untouched_for_30_days_are_purged_and_checkout_then_says_so(client):
    add_to_cart(client, ProductFactory())
    Cart.objects.update(updated_at=timezone.now() - timedelta(days=31))

    assert purge_abandoned_carts() == 1
    response = client.post(reverse("checkout:start"), follow=True)
    assert "Your checkout has expired or your cart is empty" in response.content.decode()
