"""A category's product count is kept under the catalog version like its grid: a repeated page
counts nothing, and a change to what the listing holds shows at once."""

import pytest

from tests.factories import CategoryFactory, ProductFactory
from tests.shop.catalog.test_fragment_cache import page, queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def lighting(shared_fragments):
    category = CategoryFactory(name="Lighting", slug="lighting")
    lamps = [ProductFactory(title=f"Lantern {n}", category=category) for n in range(30)]
    return category, lamps


def test_a_repeated_category_page_reads_no_product_row(client, lighting):
    category, _ = lighting
    first = queries(client, category.get_absolute_url())
    second = queries(client, category.get_absolute_url())

    assert any("COUNT(" in sql and "catalog_product" in sql for sql in first)
    assert not [sql for sql in second if "catalog_product" in sql]
    assert "Page 1 of 2" in page(client, category.get_absolute_url())


def test_unpublishing_products_changes_the_count_and_the_pages_at_once(
        client, lighting, django_capture_on_commit_callbacks):
    category, lamps = lighting
    assert "Page 1 of 2" in page(client, category.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        for lamp in lamps[:10]:
            lamp.is_published = False
            lamp.save()

    html = page(client, category.get_absolute_url())

    assert "Page 1 of 2" not in html
    assert html.count('class="product-card"') == 20
