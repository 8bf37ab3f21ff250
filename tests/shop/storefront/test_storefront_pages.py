"""Storefront pages over real imported products, within fixed query budgets."""

import re
from html import escape, unescape

import pytest
from django.urls import reverse

from shop.catalog.models import Category, Product
from tests.factories import CategoryFactory, OrderFactory, ProductFactory, order_line_create

# Every page's budget: session, user, categories for the menu, the page's own reads.
PAGE_QUERY_BUDGET = 8


def product_titles(html: str) -> list[str]:
    return [unescape(title) for title in re.findall(r'class="product-card__title">([^<]+)<', html)]


@pytest.mark.django_db
def test_home_shows_categories_and_best_sellers_first(client, sample_catalog):
    best_seller = Product.objects.order_by("-popularity").first()

    html = client.get("/").content.decode()

    for category in Category.objects.all():
        assert escape(category.name) in html
    assert product_titles(html)[0] == best_seller.title


@pytest.mark.django_db
def test_category_page_lists_only_its_products_sorted_as_asked(client, sample_catalog):
    category = Category.objects.get(name="Lighting")

    html = client.get(category.get_absolute_url(), {"sort": "price-asc"}).content.decode()

    titles = product_titles(html)
    expected = list(Product.objects.filter(category=category).order_by("price", "title")
                    .values_list("title", flat=True)[:24])
    assert titles == expected


@pytest.mark.django_db
def test_product_page_shows_title_price_sku_and_stock(client, sample_catalog):
    product = Product.objects.get(variants__sku="71053")

    response = client.get(product.get_absolute_url())

    html = response.content.decode()
    assert "<h1>White Metal Lantern</h1>" in html
    assert f"£{product.price}" in html and "71053" in html
    assert ("In stock" if product.variants.get().stock_quantity else "Out of stock") in html


@pytest.mark.django_db
def test_out_of_stock_product_says_so(client):
    product = ProductFactory(title="Sold Out Lamp", variant__stock=0)

    html = client.get(product.get_absolute_url()).content.decode()

    assert "Out of stock" in html and "In stock" not in html


@pytest.mark.django_db
def test_search_finds_lanterns_first(client, sample_catalog):
    html = client.get(reverse("storefront:search"), {"q": "lantern"}).content.decode()

    titles = product_titles(html)
    assert len(titles) >= 5
    assert all("lantern" in title.lower() for title in titles[:5])


@pytest.mark.django_db
def test_search_without_matches_says_so(client, sample_catalog):
    html = client.get(reverse("storefront:search"), {"q": "zzqxj"}).content.decode()

    assert "Nothing matches “zzqxj”" in html


@pytest.mark.django_db
def test_unknown_pages_answer_404_with_the_shop_layout(client):
    response = client.get("/p/no-such-product/")

    assert response.status_code == 404
    assert "We couldn’t find that page" in response.content.decode()


@pytest.mark.django_db
def test_unknown_sort_and_page_fall_back_instead_of_failing(client):
    category = CategoryFactory()
    ProductFactory.create_batch(3, category=category)

    response = client.get(category.get_absolute_url(), {"sort": "'; drop table", "page": "999"})

    assert response.status_code == 200
    assert len(product_titles(response.content.decode())) == 3


def build_listing(count: int) -> Category:
    category = CategoryFactory()
    ProductFactory.create_batch(count, category=category)
    return category


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 100])
def test_category_page_query_count_does_not_grow_with_products(client, django_assert_max_num_queries, count):
    category = build_listing(count)

    with django_assert_max_num_queries(PAGE_QUERY_BUDGET):
        response = client.get(category.get_absolute_url())
    assert len(product_titles(response.content.decode())) == min(count, 24)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 100])
def test_home_search_and_product_pages_stay_within_budget(client, django_assert_max_num_queries, count):
    category = build_listing(count)
    product = category.products.first()
    order = OrderFactory()
    order_line_create(order=order, product=product)

    for url in ("/", reverse("storefront:search") + "?q=Product", product.get_absolute_url()):
        with django_assert_max_num_queries(PAGE_QUERY_BUDGET):
            assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client, sample_catalog):
    policy = client.get("/")["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_first_visit_sets_no_cookie_but_what_the_page_needs(client, sample_catalog):
    response = client.get("/")

    assert set(response.cookies) <= {"csrftoken", "sessionid"}


@pytest.mark.django_db
def test_server_error_shows_a_calm_page_without_details(client, settings):
    settings.ROOT_URLCONF = "tests.shop.urls_failing"
    client.raise_request_exception = False

    response = client.get("/broken/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "simulated failure" not in html and "Traceback" not in html
