"""Property-based: across many simulated demand changes, no price leaves its bounds or moves more
than the daily limit from the price in force 24 hours before, however many recomputes run a day."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from shop.catalog.models import Category, Product, ProductVariant
from shop.orders.models import Order, OrderLine, OrderStatus
from shop.pricing.guardrails import guarded_price
from shop.pricing.models import DemandRule, PriceChange, PricingRun
from shop.pricing.services import prices_recompute

PENNY = Decimal("0.01")
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2000"), places=2)
fractions = st.decimals(min_value=Decimal("0"), max_value=Decimal("0.6"), places=2)


def within_daily_limit(price: Decimal, reference: Decimal, limit: Decimal) -> bool:
    return reference * (1 - limit) <= price <= reference * (1 + limit)


@given(target=st.decimals(min_value=Decimal("-100"), max_value=Decimal("5000"), places=4), list_price=prices,
       floor_gap=st.none() | fractions, ceiling_gap=st.none() | fractions, drift=fractions,
       drift_up=st.booleans(), limit=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("0.5"), places=2),
       band=st.decimals(min_value=Decimal("0"), max_value=Decimal("0.9"), places=2))
@hypothesis_settings(max_examples=2000, deadline=None)
def test_a_guarded_price_stays_within_bounds_and_the_daily_limit(target, list_price, floor_gap, ceiling_gap, drift,
                                                                 drift_up, limit, band):
    floor = None if floor_gap is None else (list_price * (1 - floor_gap)).quantize(PENNY)
    ceiling = None if ceiling_gap is None else (list_price * (1 + ceiling_gap)).quantize(PENNY)
    low = floor if floor is not None else list_price * (1 - band)
    high = ceiling if ceiling is not None else list_price * (1 + band)
    # Yesterday's price was itself within bounds (the guardrails put it there).
    reference = min(max((list_price * (1 + drift if drift_up else 1 - drift)).quantize(PENNY), low), high)
    reference = max(reference.quantize(PENNY), PENNY)
    if reference < low or reference > high:  # a band too narrow for a penny grid: not a case the shop can hold
        return

    guarded = guarded_price(target=target, list_price=list_price, floor=floor, ceiling=ceiling,
                            reference_price=reference, max_daily_change=limit, band=band)

    assert low <= guarded.price <= high
    assert within_daily_limit(guarded.price, reference, limit)
    assert guarded.price >= 0 and guarded.price == guarded.price.quantize(PENNY)


rule_parameters = st.fixed_dictionaries({
    "max_increase_percent": st.decimals(min_value=Decimal("0"), max_value=Decimal("50"), places=2),
    "max_decrease_percent": st.decimals(min_value=Decimal("0"), max_value=Decimal("50"), places=2),
    "velocity_window_days": st.integers(min_value=1, max_value=60),
    "scarce_cover_days": st.integers(min_value=1, max_value=30),
    "ample_extra_days": st.integers(min_value=1, max_value=90),
})
catalog_item = st.fixed_dictionaries({
    "list_price": st.decimals(min_value=Decimal("0.20"), max_value=Decimal("800"), places=2),
    "floor_gap": st.none() | st.decimals(min_value=Decimal("0"), max_value=Decimal("0.5"), places=2),
    "ceiling_gap": st.none() | st.decimals(min_value=Decimal("0"), max_value=Decimal("0.5"), places=2),
})
# One recompute: hours after the previous one, then each item's new stock and units sold since.
recompute_step = st.fixed_dictionaries({
    "hours_later": st.sampled_from([1, 2, 5, 11, 23, 24, 25, 49]),
    "stock": st.lists(st.integers(min_value=0, max_value=400), min_size=4, max_size=4),
    "sold": st.lists(st.integers(min_value=0, max_value=60), min_size=4, max_size=4),
    "rule_enabled": st.booleans(),
    "new_parameters": st.none() | rule_parameters,
})


def rule_fields(parameters: dict) -> dict:
    fields = {key: value for key, value in parameters.items() if key != "ample_extra_days"}
    fields["ample_cover_days"] = parameters["scarce_cover_days"] + parameters["ample_extra_days"]
    return fields


@pytest.mark.django_db
@given(items=st.lists(catalog_item, min_size=1, max_size=4), parameters=rule_parameters,
       steps=st.lists(recompute_step, min_size=2, max_size=12))
@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                            HealthCheck.too_slow])
def test_across_simulated_demand_no_price_leaves_its_bounds_or_exceeds_the_daily_change(items, parameters, steps):
    for model in (OrderLine, Order, PriceChange, PricingRun, DemandRule, ProductVariant, Product, Category):
        model.objects.all().delete()
    category = Category.objects.create(name="Everything", slug="everything")
    rule = DemandRule.objects.create(name="Demand", enabled=True, **rule_fields(parameters))
    now = timezone.now().replace(microsecond=0) - timedelta(days=30)
    variants = []
    for index, item in enumerate(items):
        list_price = item["list_price"]
        product = Product.objects.create(
            title=f"Item {index}", slug=f"item-{index}", category=category, price=list_price, created_at=now,
            price_floor=None if item["floor_gap"] is None else (list_price * (1 - item["floor_gap"])).quantize(PENNY),
            price_ceiling=None if item["ceiling_gap"] is None else (list_price * (1 + item["ceiling_gap"])).quantize(PENNY))
        variants.append(ProductVariant.objects.create(product=product, sku=f"SKU-{index}", price=list_price,
                                                      base_price=list_price, stock_quantity=10))
    observed = {variant.pk: [(now - timedelta(days=2), variant.price)] for variant in variants}
    limit, band = settings.PRICING_MAX_DAILY_CHANGE, settings.PRICING_DEFAULT_BAND

    for number, step in enumerate(steps):
        now += timedelta(hours=step["hours_later"])
        if step["new_parameters"] is not None:
            DemandRule.objects.filter(pk=rule.pk).update(**rule_fields(step["new_parameters"]))
        DemandRule.objects.filter(pk=rule.pk).update(enabled=step["rule_enabled"])
        order = Order.objects.create(number=f"S{number}", status=OrderStatus.PAID, currency="GBP",
                                     placed_at=now - timedelta(minutes=30))
        for index, variant in enumerate(variants):
            ProductVariant.objects.filter(pk=variant.pk).update(stock_quantity=step["stock"][index])
            if step["sold"][index]:
                OrderLine.objects.create(order=order, line_number=index + 1, variant=variant, product_sku=variant.sku,
                                         product_title="Item", quantity=step["sold"][index], unit_price=Decimal("1"))

        prices_recompute(now=now)

        for variant in ProductVariant.objects.select_related("product").order_by("pk"):
            product, history = variant.product, observed[variant.pk]
            low = product.price_floor if product.price_floor is not None else variant.base_price * (1 - band)
            high = product.price_ceiling if product.price_ceiling is not None else variant.base_price * (1 + band)
            assert low <= variant.price <= high, (variant.sku, variant.price, low, high)
            # The price in force 24 hours before this recompute.
            reference = [price for at, price in history if at <= now - timedelta(hours=24)][-1]
            assert within_daily_limit(variant.price, reference, limit), (variant.sku, reference, variant.price)
            assert variant.price >= 0 and variant.price == variant.price.quantize(PENNY)
            assert variant.reduced_from is None or variant.reduced_from > variant.price
            history.append((now, variant.price))
        product_prices = {product.pk: product.price for product in Product.objects.all()}
        for product_id, lowest in product_prices.items():
            assert lowest == min(ProductVariant.objects.filter(product_id=product_id).values_list("price", flat=True))
