"""A shopper browses: home → category → product, on the imported catalog."""

import pytest
from django.core.management import call_command

from shop.catalog.models import Category, Product


@pytest.fixture
def live_catalog(transactional_db, sample_data_path):
    call_command("import_online_retail", str(sample_data_path), "--no-progress", stdout=open("/dev/null", "w"))


def test_home_to_category_to_product(journey, live_catalog):
    page = journey.page
    lighting = Category.objects.get(name="Lighting")
    top_lighting = Product.objects.filter(category=lighting).order_by("-popularity", "title").first()

    journey.goto("/")
    assert page.locator("h1").inner_text() == "Little things that make a home"
    assert page.locator(".product-card").count() > 0
    journey.screenshot("home")

    page.get_by_role("navigation", name="Categories").get_by_role("link", name="Lighting").click()
    page.wait_for_url(f"**{lighting.get_absolute_url()}")
    assert page.locator("h1").inner_text() == "Lighting"
    assert page.locator(".product-card__title").first.inner_text() == top_lighting.title
    journey.screenshot("category")

    page.locator(".product-card__title").first.click()
    page.wait_for_url(f"**{top_lighting.get_absolute_url()}")
    assert page.locator("h1").inner_text() == top_lighting.title
    assert page.locator(".product__price").inner_text().startswith(f"£{top_lighting.price}")
    journey.screenshot("product")

    assert journey.csp_violations() == []


def test_search_from_the_header_finds_lanterns(journey, live_catalog):
    page = journey.page
    journey.goto("/")

    page.get_by_label("Search products").fill("lantern")
    page.get_by_role("button", name="Search").click()

    page.wait_for_url("**/search/?q=lantern")
    first_titles = page.locator(".product-card__title").all_inner_texts()[:5]
    assert len(first_titles) == 5 and all("lantern" in title.lower() for title in first_titles)
    journey.screenshot("search")
    assert journey.csp_violations() == []


def test_the_layout_works_on_a_phone_screen(journey, live_catalog):
    page = journey.page
    page.set_viewport_size({"width": 390, "height": 844})
    journey.goto("/")

    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the page must not scroll sideways on a phone"
    assert page.get_by_label("Search products").is_visible()
    journey.screenshot("home-phone")
