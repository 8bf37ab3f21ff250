"""SEO basics: canonical URLs, schema.org Product data, sitemap, robots.txt."""

import json
import re

import pytest

from tests.factories import ProductFactory, variant_create
from tests.shop.querycount import queries_for


def structured_data(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json" nonce="([^"]+)">(.*?)</script>', html, re.S)
    assert match, "the product page carries JSON-LD with a nonce"
    return json.loads(match.group(2))


@pytest.mark.django_db
def test_a_product_page_describes_the_product_for_search_engines(client):
    product = ProductFactory(title="Lantern </script><b>", price="12.50", variant__sku="LNT-1", variant__stock=3)

    response = client.get(product.get_absolute_url())

    html = response.content.decode()
    data = structured_data(html)
    assert data["@type"] == "Product" and data["name"] == "Lantern </script><b>"
    assert data["offers"] == {"@type": "Offer", "url": f"http://testserver{product.get_absolute_url()}",
                              "sku": "LNT-1", "price": "12.50", "priceCurrency": "GBP",
                              "availability": "https://schema.org/InStock"}
    nonce = re.search(r'nonce="([^"]+)"', html).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert f'<link rel="canonical" href="http://testserver{product.get_absolute_url()}">' in html


@pytest.mark.django_db
def test_a_product_with_variants_offers_each_with_its_own_sku_price_and_stock(client):
    product = ProductFactory(title="Mug", price="5.00", variant__sku="MUG-S")
    variant_create(product=product, name="Large", price="7.00", stock=0, sku="MUG-L")

    data = structured_data(client.get(product.get_absolute_url()).content.decode())

    assert [(o["sku"], o["price"], o["availability"].rsplit("/", 1)[1]) for o in data["offers"]] == [
        ("MUG-S", "5.00", "InStock"), ("MUG-L", "7.00", "OutOfStock")]


@pytest.mark.django_db
def test_the_sitemap_lists_published_products_and_categories(client):
    shown = ProductFactory(slug="shown")
    ProductFactory(slug="hidden", is_published=False)

    xml = client.get("/sitemap.xml").content.decode()

    assert "http://testserver/p/shown/" in xml and "/p/hidden/" not in xml
    assert f"http://testserver{shown.category.get_absolute_url()}" in xml


@pytest.mark.django_db
def test_robots_txt_keeps_crawlers_out_of_private_pages_and_names_the_sitemap(client):
    response = client.get("/robots.txt")

    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    for path in ("/cart/", "/checkout/", "/account/", "/admin/"):
        assert f"Disallow: {path}" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


@pytest.mark.django_db
def test_sitemap_queries_do_not_grow_with_products(client):
    counts = []
    for size in (10, 100):
        ProductFactory.create_batch(size - (counts and 10 or 0))
        counts.append(queries_for(client, "/sitemap.xml"))
    assert counts[0] == counts[1] <= 8
