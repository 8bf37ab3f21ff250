"""One priced line from the cart to the order line: what the cart priced is what the checkout
shows, what the payment's snapshot keeps and what the order line records, field for field."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from primitives.money import Money
from shop.cart.models import CartLine
from shop.catalog.models import ProductVariant
from shop.checkout.models import Checkout
from shop.checkout.placement import payment_result_apply, snapshot_lines
from shop.checkout.selectors import checkout_summary
from shop.orders.models import OrderLine
from shop.payments.models import Payment
from shop.payments.providers import ChargeResult, ChargeStatus
from shop.pricing.lines import PricedLine
from shop.pricing.locks import cart_line_price
from shop.pricing.personal_prices import (
    PERSONALIZED_REASON,
    PERSONALIZED_RULE,
    order_lines_personal_prices_generalise,
)
from tests.factories import CategoryFactory, OrderFactory, ProductFactory, order_line_create, verified_user
from tests.shop.checkout_helpers import checkout_to_review, pay
from tests.shop.price_strategies import REASON, RULE, MembersPrice, members_price  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lamp():
    lamp = ProductFactory(title="Harbour Lamp", price=Decimal("10.00"), category=CategoryFactory(name="Lamps"))
    # An announced reduction: the lowest price of the 30 days before it was £12.00.
    ProductVariant.objects.filter(product=lamp).update(reduced_from=Decimal("12.00"))
    return lamp


@pytest.fixture
def member(client, members_price):  # noqa: F811
    member = verified_user(email="loyal@example.com")
    members_price.add(member.pk)
    client.force_login(member)
    return member


def test_a_priced_line_goes_from_the_cart_to_the_order_line_unchanged(client, lamp, member):
    form = checkout_to_review(client, lamp, quantity=2, country="DE")  # 19% VAT instead of 20%
    # The price held since adding ran out unchanged: the current quote, with its reduction, applies.
    CartLine.objects.update(price_locked_until=timezone.now() - timedelta(seconds=1))
    checkout = Checkout.objects.get()
    strategy = MembersPrice()

    from_cart = cart_line_price(line=CartLine.objects.select_related("variant__product").get(), strategy=strategy,
                                country="DE")
    [at_checkout] = checkout_summary(checkout=checkout, strategy=strategy).lines
    assert at_checkout.priced == from_cart
    # What the member was quoted, at German VAT: £9.00 and £10.00 at 20% are £8.93 and £9.92 at 19%.
    assert (from_cart.unit_price, from_cart.public_unit_price, from_cart.home_unit_price, from_cart.reduced_from) == (
        Money("8.93", "GBP"), Money("9.92", "GBP"), Money("9.00", "GBP"), Money("11.90", "GBP"))
    assert (from_cart.rule, from_cart.personalized, from_cart.reason, from_cart.quantity) == (RULE, True, REASON, 2)

    assert pay(client, form).status_code == 302

    payment = Payment.objects.get()
    assert snapshot_lines(payment) == [from_cart]
    line = OrderLine.objects.get()
    assert (line.variant_id, line.product_sku, line.product_title, line.quantity) == (
        from_cart.variant_id, from_cart.sku, from_cart.title, from_cart.quantity)
    assert (line.unit_price, line.public_unit_price, line.reduced_from) == (
        from_cart.unit_price.amount, from_cart.public_unit_price.amount, from_cart.reduced_from.amount)
    assert (line.price_rule, line.price_personalized, line.price_reason) == (RULE, True, REASON)


def test_a_priced_line_reads_back_what_it_wrote():
    line = PricedLine(variant_id=7, product_id=3, sku="LAMP-S", title="Harbour Lamp — Small", quantity=2,
                      unit_price=Money("8.93", "EUR"), public_unit_price=Money("9.92", "EUR"),
                      home_unit_price=Money("9.00", "EUR"), rule=RULE, personalized=True, reason=REASON,
                      reduced_from=Money("11.90", "EUR"), locked_until=timezone.now() + timedelta(minutes=5),
                      changed_from=Money("9.50", "EUR"))

    written = line.to_json()

    assert (written["unit_price"], written["public_unit_price"], written["currency"]) == ("8.93", "9.92", "EUR")
    assert PricedLine.from_json(written, currency="GBP") == line  # the line's own currency wins


# A payment snapshotted by the release before this one, and one from before order lines kept
# their rule; both may still be waiting for their bank's answer when a new release starts.
EARLIER_SHAPES = [
    ({"price_rule": RULE, "price_personalized": True}, RULE, True),
    ({}, "", False),
]


@pytest.mark.parametrize(("extra", "rule", "personalized"), EARLIER_SHAPES)
def test_an_order_is_created_from_a_snapshot_in_an_earlier_shape(client, lamp, extra, rule, personalized):
    assert pay(client, checkout_to_review(client, lamp), token="tok_requires_action").status_code == 302
    payment = Payment.objects.get()
    variant = ProductVariant.objects.get(product=lamp)
    payment.snapshot["lines"] = [{"variant_id": variant.pk, "product_id": lamp.pk, "sku": variant.sku,
                                  "title": "Harbour Lamp", "quantity": 1, "unit_price": "10.00", **extra}]
    payment.save(update_fields=["snapshot"])

    result = payment_result_apply(payment_id=payment.pk, result=ChargeResult(
        status=ChargeStatus.SUCCEEDED, reference=payment.reference, message=""))

    assert result.succeeded
    line = OrderLine.objects.get()
    assert (line.variant_id, line.product_title, line.quantity, line.unit_price) == (
        variant.pk, "Harbour Lamp", 1, Decimal("10.00"))
    # The public price was not kept then: it reads as the price paid, with no reason.
    assert (line.public_unit_price, line.price_rule, line.price_personalized, line.price_reason,
            line.reduced_from) == (Decimal("10.00"), rule, personalized, "", None)


def test_erasure_generalises_personal_rules_and_reasons_and_leaves_other_lines_as_they_are(lamp):
    order = OrderFactory()
    lines = [order_line_create(order=order, product=lamp) for _ in range(3)]
    OrderLine.objects.filter(pk=lines[0].pk).update(price_rule=RULE, price_personalized=True, price_reason=REASON)
    OrderLine.objects.filter(pk=lines[1].pk).update(price_rule=RULE, price_personalized=True)  # shown no reason
    OrderLine.objects.filter(pk=lines[2].pk).update(price_rule="demand:3", price_reason="")

    assert order_lines_personal_prices_generalise(OrderLine.objects.all()) == 2
    assert order_lines_personal_prices_generalise(OrderLine.objects.all()) == 0  # nothing left to generalise

    assert list(OrderLine.objects.order_by("pk").values_list("price_rule", "price_reason")) == [
        (PERSONALIZED_RULE, PERSONALIZED_REASON), (PERSONALIZED_RULE, ""), ("demand:3", "")]
