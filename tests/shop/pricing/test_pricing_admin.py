"""The merchant's pricing screens: rules refused with a clear message and nothing changed, the
preview's numbers, the list price in the product admin, the price history chart."""

import html as html_text
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from shop.catalog.models import Product, ProductVariant
from shop.orders.models import OrderStatus
from shop.pricing.models import DemandRule, PriceChange, PriceChangeSource, PricingRun, PricingRunStatus
from shop.pricing.services import prices_recompute
from tests.factories import CategoryFactory, OrderFactory, ProductFactory, order_line_create
from tests.shop.test_admin import staff

RULE = {"name": "Demand", "enabled": "on", "category": "", "max_increase_percent": "10",
        "max_decrease_percent": "20", "velocity_window_days": "28", "scarce_cover_days": "14",
        "ample_cover_days": "60"}


def errors(response) -> str:
    """The form's error messages, as the merchant reads them."""
    html = response.content.decode()
    return " ".join(html_text.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S))


@pytest.fixture
def merchant(client, db):
    staff(client, "Catalog manager")
    return client


@pytest.fixture
def shelves(db):
    def item(title, stock, sold):
        made = ProductFactory(title=title, price=Decimal("10.00"), variant__stock=stock)
        if sold:
            order_line_create(order=OrderFactory(placed_at=timezone.now() - timedelta(days=3),
                                                 status=OrderStatus.DELIVERED), product=made, quantity=sold)
        return made
    return {"hot": item("Hot lamp", 5, 28), "cold": item("Cold vase", 100, 0), "steady": item("Steady mug", 30, 28)}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("max_decrease_percent", "-5", "The largest decrease cannot be negative"),
    ("max_increase_percent", "80", "The largest increase is at most 50%: 80% is not a demand adjustment."),
    ("ample_cover_days", "10", "Ample cover (10 days) must be more days than scarce cover (14 days)."),
])
def test_a_bad_rule_is_refused_with_a_clear_message_and_not_saved(merchant, field, value, message):
    response = merchant.post(reverse("admin:pricing_demandrule_add"), {**RULE, field: value})

    assert response.status_code == 200
    assert message in errors(response)
    assert not DemandRule.objects.exists()


def test_a_rule_that_could_take_a_product_past_its_own_floor_is_refused_naming_how_many(merchant):
    lighting = CategoryFactory(name="Lighting")
    ProductFactory(title="Brass lamp", category=lighting, price=Decimal("10.00"), price_floor=Decimal("9.50"))
    ProductFactory(title="Tin lamp", category=lighting, price=Decimal("10.00"), price_ceiling=Decimal("10.50"))
    ProductFactory(title="Mug", price=Decimal("10.00"), price_floor=Decimal("9.90"))  # outside the scope

    response = merchant.post(reverse("admin:pricing_demandrule_add"), {**RULE, "category": lighting.pk})

    assert "This rule could take 2 product(s) past their own floor or ceiling, e.g. “Brass lamp”" in errors(response)
    assert "list price £10.00, floor £9.50, but a 20% decrease gives £8.00" in errors(response)
    assert not DemandRule.objects.exists()
    narrow = {**RULE, "category": lighting.pk, "max_increase_percent": "5", "max_decrease_percent": "5"}
    assert merchant.post(reverse("admin:pricing_demandrule_add"), narrow).status_code == 302
    assert DemandRule.objects.get().max_decrease_percent == Decimal("5")


def test_a_rule_edited_while_a_recompute_runs_is_refused_and_unchanged(merchant):
    rule = DemandRule.objects.create(name="Demand", enabled=False)
    PricingRun.objects.create(started_at=timezone.now(), status=PricingRunStatus.RUNNING)

    response = merchant.post(reverse("admin:pricing_demandrule_change", args=[rule.pk]), {**RULE, "enabled": "on"})

    assert "Prices are being recomputed; try again in a minute." in errors(response)
    rule.refresh_from_db()
    assert rule.enabled is False and rule.max_decrease_percent == Decimal("10")


def test_the_preview_shows_the_effect_on_the_catalog_and_saves_nothing(merchant, shelves):
    response = merchant.post(reverse("admin:pricing_demandrule_preview_new"), {**RULE, "enabled": ""})

    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"It prices <strong>3</strong> of 3 products", page)
    up = re.search(r'data-testid="preview-up">(.*?)</tr>', page, re.S).group(1)
    down = re.search(r'data-testid="preview-down">(.*?)</tr>', page, re.S).group(1)
    same = re.search(r'data-testid="preview-same">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", up) == ["1", "+6.4%", "+6.4%", "+6.4%"]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", down) == ["1", "−20.0%", "−20.0%", "−20.0%"]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", same)[0] == "1"
    assert "Cold vase" in page and "£10.00" in page and "£8.00" in page
    assert "about 2 days to complete" in page
    assert not DemandRule.objects.exists() and not PriceChange.objects.exists()
    assert set(ProductVariant.objects.values_list("price", flat=True)) == {Decimal("10.00")}
    # The page carries the rule as edited, to save it from there.
    assert 'name="max_decrease_percent" value="20"' in page and 'name="_save"' in page


def test_a_saved_rule_is_previewed_from_the_list_and_a_bad_edit_goes_back_with_its_errors(merchant, shelves):
    rule = DemandRule.objects.create(name="Gentle", enabled=False, max_decrease_percent=Decimal("5"))
    listing = merchant.get(reverse("admin:pricing_demandrule_changelist")).content.decode()
    assert reverse("admin:pricing_demandrule_preview", args=[rule.pk]) in listing

    page = merchant.get(reverse("admin:pricing_demandrule_preview", args=[rule.pk])).content.decode()
    down = re.search(r'data-testid="preview-down">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", down)[:2] == ["1", "−5.0%"]

    response = merchant.post(reverse("admin:pricing_demandrule_preview", args=[rule.pk]),
                             {**RULE, "max_increase_percent": "-1"})
    assert "The largest increase cannot be negative" in errors(response)
    rule.refresh_from_db()
    assert rule.max_increase_percent == Decimal("10")


def test_the_rule_form_offers_the_preview(merchant):
    page = merchant.get(reverse("admin:pricing_demandrule_add")).content.decode()
    assert f'formaction="{reverse("admin:pricing_demandrule_preview_new")}"' in page


def product_form(product: Product, **changes) -> dict:
    variant = product.variants.get()
    data = {
        "title": product.title, "slug": product.slug, "category": product.category_id, "description": "",
        "is_published": "on", "created_at_0": "2026-01-01", "created_at_1": "10:00:00",
        "price_floor": "", "price_ceiling": "",
        "variants-TOTAL_FORMS": "1", "variants-INITIAL_FORMS": "1", "variants-MIN_NUM_FORMS": "1",
        "variants-MAX_NUM_FORMS": "1000", "variants-0-id": variant.pk, "variants-0-product": product.pk,
        "variants-0-sku": variant.sku, "variants-0-name": "", "variants-0-base_price": str(variant.base_price),
        "variants-0-stock_quantity": "5", "variants-0-position": "0",
        "images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0", "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    }
    return {**data, **changes}


def test_a_floor_above_the_ceiling_is_refused_and_the_product_unchanged(merchant):
    lamp = ProductFactory(title="Lamp", price=Decimal("10.00"))
    response = merchant.post(reverse("admin:catalog_product_change", args=[lamp.pk]),
                             product_form(lamp, price_floor="12.00", price_ceiling="11.00"))

    assert "The floor (£12.00) is above the ceiling (£11.00): no price could satisfy both." in errors(response)
    lamp.refresh_from_db()
    assert (lamp.price_floor, lamp.price_ceiling) == (None, None)


def test_a_list_price_outside_the_products_bounds_is_refused_and_nothing_changes(merchant):
    lamp = ProductFactory(title="Lamp", price=Decimal("10.00"))
    response = merchant.post(reverse("admin:catalog_product_change", args=[lamp.pk]),
                             product_form(lamp, price_floor="8.00", price_ceiling="12.00",
                                          **{"variants-0-base_price": "12.50"}))

    assert "The list price £12.50 is above this product's ceiling (£12.00)" in errors(response)
    lamp.refresh_from_db()
    variant = lamp.variants.get()
    assert (lamp.price_ceiling, variant.base_price, variant.price) == (None, Decimal("10.00"), Decimal("10.00"))
    assert not PriceChange.objects.exists()


def test_a_list_price_change_sets_the_price_at_once_and_is_recorded(merchant, django_capture_on_commit_callbacks):
    lamp = ProductFactory(title="Lamp", price=Decimal("10.00"))
    with django_capture_on_commit_callbacks(execute=True):
        response = merchant.post(reverse("admin:catalog_product_change", args=[lamp.pk]),
                                 product_form(lamp, **{"variants-0-base_price": "8.00"}))

    assert response.status_code == 302, errors(response)
    variant = ProductVariant.objects.get(product=lamp)
    assert (variant.base_price, variant.price, variant.price_rule) == (Decimal("8.00"), Decimal("8.00"), "list")
    assert variant.reduced_from == Decimal("10.00")  # a reduction, announced against the 30-day lowest
    assert Product.objects.get(pk=lamp.pk).price == Decimal("8.00")
    change = PriceChange.objects.get()
    assert (change.old_price, change.new_price, change.rule, change.source) == (
        Decimal("10.00"), Decimal("8.00"), "list", PriceChangeSource.MERCHANT)


def test_a_list_price_change_is_refused_while_a_recompute_runs(merchant):
    lamp = ProductFactory(title="Lamp", price=Decimal("10.00"))
    PricingRun.objects.create(started_at=timezone.now(), status=PricingRunStatus.RUNNING)
    response = merchant.post(reverse("admin:catalog_product_change", args=[lamp.pk]),
                             product_form(lamp, **{"variants-0-base_price": "8.00"}))
    assert "Prices are being recomputed; try again in a minute." in errors(response)
    assert ProductVariant.objects.get(product=lamp).price == Decimal("10.00")


def test_a_narrower_floor_brings_the_price_inside_at_once(merchant):
    lamp = ProductFactory(title="Lamp", price=Decimal("10.00"))
    DemandRule.objects.create(name="Demand", enabled=True, max_decrease_percent=Decimal("10"))
    ProductVariant.objects.filter(product=lamp).update(stock_quantity=100)
    prices_recompute()
    assert ProductVariant.objects.get(product=lamp).price == Decimal("9.00")

    response = merchant.post(reverse("admin:catalog_product_change", args=[lamp.pk]),
                             product_form(Product.objects.get(pk=lamp.pk), price_floor="9.50"))

    assert response.status_code == 302, errors(response)
    assert ProductVariant.objects.get(product=lamp).price == Decimal("9.50")
    assert Product.objects.get(pk=lamp.pk).price == Decimal("9.50")


def test_the_product_page_shows_its_price_history_as_a_chart(merchant):
    lamp = ProductFactory(title="Lamp", price=Decimal("10.00"))
    variant = lamp.variants.get()
    now = timezone.now()
    for days_ago, old, new in ((20, "10.00", "9.00"), (8, "9.00", "9.90")):
        PriceChange.objects.create(variant=variant, product=lamp, old_price=Decimal(old), new_price=Decimal(new),
                                   rule="demand:1", inputs={"velocity_per_day": "0.500", "window_days": 28,
                                                            "stock": 40, "cover_days": "80.0",
                                                            "raw_adjustment_percent": "-5.00", "clamps": []},
                                   changed_at=now - timedelta(days=days_ago))
    ProductVariant.objects.filter(pk=variant.pk).update(price=Decimal("9.90"))

    page = merchant.get(reverse("admin:catalog_product_change", args=[lamp.pk])).content.decode()

    chart = re.search(r'<figure class="dash-chart price-history".*?</figure>', page, re.S).group(0)
    assert 'aria-label="Price history of Lamp: from £9.00 to £10.00"' in chart
    points = re.search(r'<polyline points="([^"]+)"', chart).group(1).split()
    assert len(points) == 6  # start, two steps of two points each, now
    assert "style=" not in chart and "<script" not in chart  # nothing the CSP would block
    rows = re.findall(r'data-testid="price-change">(.*?)</tr>', chart, re.S)
    assert len(rows) == 2 and "£9.90" in rows[0] and "0.500 sold a day over 28 days" in rows[0]
    # The variant inline: the list price is edited, the price in force is shown read-only.
    assert 'name="variants-0-base_price"' in page and 'name="variants-0-price"' not in page


def test_price_changes_are_listed_read_only_with_filters(merchant):
    lamp = ProductFactory(title="Lamp", price=Decimal("10.00"))
    PriceChange.objects.create(variant=lamp.variants.get(), product=lamp, old_price=Decimal("10.00"),
                               new_price=Decimal("9.00"), rule="list", source=PriceChangeSource.MERCHANT,
                               changed_at=timezone.now())
    listing = merchant.get(reverse("admin:pricing_pricechange_changelist") + "?source__exact=merchant")
    page = listing.content.decode()
    assert "Lamp" in page and "£9.00" in page and "-10.0%" in page
    assert "Lamp" not in merchant.get(reverse("admin:pricing_pricechange_changelist")
                                      + "?source__exact=recompute").content.decode().split("<tbody>")[-1]
    assert merchant.get(reverse("admin:pricing_pricechange_add")).status_code == 403


def test_the_merchant_recomputes_now_from_the_rule_list_and_sees_the_last_run(merchant, shelves):
    DemandRule.objects.create(name="Demand", enabled=True, max_decrease_percent=Decimal("20"),
                              ample_cover_days=60)
    before = merchant.get(reverse("admin:pricing_demandrule_changelist")).content.decode()
    assert "No recompute has run yet" in before

    response = merchant.post(reverse("admin:pricing_demandrule_recompute"), follow=True)

    page = response.content.decode()
    assert "Prices recomputed: 1 up, 1 down of 3 variants." in page
    assert re.search(r"Last recompute .*?: 1 up, 1 down of 3 variants, 1 held by a guardrail", page)
    assert ProductVariant.objects.get(product=shelves["cold"]).price == Decimal("9.00")


def test_recompute_now_while_one_runs_changes_nothing_and_says_so(merchant, shelves):
    DemandRule.objects.create(name="Demand", enabled=True)
    PricingRun.objects.create(started_at=timezone.now(), status=PricingRunStatus.RUNNING)

    page = merchant.post(reverse("admin:pricing_demandrule_recompute"), follow=True).content.decode()

    assert "Prices are being recomputed already; try again in a minute." in page
    assert not PriceChange.objects.exists()
