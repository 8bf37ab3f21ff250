"""Shared fragments: served from the cache, renewed by every change that shows, never personal."""

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from shop import recommendations
from shop.catalog.fragments import catalog_version
from shop.catalog.models import Product, ProductVariant
from shop.catalog.stock import stock_reserve, stock_return, stock_take
from shop.pricing.list_prices import product_price_refresh
from tests.factories import CategoryFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def cached_fragments() -> dict[str, str]:
    """Every fragment (and shared read) of the current catalog version in the cache, by key."""
    prefix = f"catalog:fragment:{catalog_version()}:"
    backend = cache._cache  # the store under Django's cache API: a dict (local memory) or a Redis client pool
    if isinstance(backend, dict):
        keys = [key.split(":", 2)[2] for key in backend if prefix in key]
    else:
        client = backend.get_client(write=False)
        keys = [key.decode().split(":", 2)[2] for key in client.scan_iter(match=f"*{prefix}*")]
    # Shared reads are pickled rows: their text is in the bytes as written. Whole pages kept for
    # cookieless requests are read as their text.
    return {key: value.decode("latin-1") if isinstance(value, bytes) else getattr(value, "content", value)
            for key in keys if (value := cache.get(key)) is not None}


@pytest.fixture
def lantern(shared_fragments):
    category = CategoryFactory(name="Lighting", slug="lighting")
    return ProductFactory(title="White Metal Lantern", slug="white-metal-lantern", category=category,
                          price=Decimal("4.95"))


def test_a_repeated_page_comes_from_the_cache_without_product_queries(client, lantern):
    url = lantern.category.get_absolute_url()
    first = queries(client, url)
    second = queries(client, url)

    assert any("catalog_product" in sql for sql in first)
    # Only the view's own reads remain (the category tree and the page count), not the grid or navigation.
    assert len(second) < len(first)
    assert not any('FROM "catalog_productimage"' in sql for sql in second)
    assert "White Metal Lantern" in page(client, url)


def test_a_repeated_product_page_reads_no_catalog_row(client, lantern):
    queries(client, lantern.get_absolute_url())
    second = queries(client, lantern.get_absolute_url())

    assert not [sql for sql in second if '"catalog_' in sql]
    assert "White Metal Lantern" in page(client, lantern.get_absolute_url())
    assert client.get("/p/no-such-lantern/").status_code == 404
    assert client.get("/p/no-such-lantern/").status_code == 404


def test_a_repeated_search_reads_no_catalog_row_until_the_catalog_changes(
        client, lantern, django_capture_on_commit_callbacks):
    url = reverse("storefront:search") + "?q=lantern"
    assert "1 product<" in page(client, url)
    assert not [sql for sql in queries(client, url) if '"catalog_' in sql]

    with django_capture_on_commit_callbacks(execute=True):
        ProductFactory(title="Paper Star Lantern", slug="paper-star-lantern", category=lantern.category)

    html = page(client, url)
    assert "2 products<" in html and "Paper Star Lantern" in html


def test_a_price_change_shows_at_once(client, lantern, django_capture_on_commit_callbacks):
    url = lantern.category.get_absolute_url()
    assert "£4.95" in page(client, url)
    assert "£4.95" in page(client, lantern.get_absolute_url())

    # Written around the services, nothing tells the cache: the fragment is still the old one.
    ProductVariant.objects.filter(product=lantern).update(price=Decimal("6.50"))
    Product.objects.filter(pk=lantern.pk).update(price=Decimal("6.50"))
    assert "£4.95" in page(client, url)

    with django_capture_on_commit_callbacks(execute=True):
        product_price_refresh(product=Product.objects.get(pk=lantern.pk))

    listing, detail = page(client, url), page(client, lantern.get_absolute_url())
    assert "£6.50" in listing and "£4.95" not in listing
    assert "£6.50" in detail and "£4.95" not in detail


def test_a_stock_change_shows_at_once(client, lantern, django_capture_on_commit_callbacks):
    variant = lantern.variants.get()
    assert "Out of stock" not in page(client, lantern.category.get_absolute_url())
    assert "Add to cart" in page(client, lantern.get_absolute_url())

    with django_capture_on_commit_callbacks(execute=True):
        stock_take(holder=uuid.uuid4(), quantities={variant.pk: variant.stock_quantity})

    assert "Out of stock" in page(client, lantern.category.get_absolute_url())
    detail = page(client, lantern.get_absolute_url())
    assert "Add to cart" not in detail and "Out of stock" in detail

    with django_capture_on_commit_callbacks(execute=True):
        stock_return(quantities={variant.pk: 3})

    assert "Add to cart" in page(client, lantern.get_absolute_url())


def test_a_rolled_back_change_bumps_nothing(lantern, django_capture_on_commit_callbacks):
    from django.db import transaction

    before = catalog_version()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                product_price_refresh(product=lantern)
                raise RuntimeError("the edit failed")
        except RuntimeError:
            pass
    assert catalog_version() == before


def test_a_product_edit_in_the_admin_shows_at_once(client, lantern, django_capture_on_commit_callbacks):
    from tests.shop.test_admin import staff

    variant = lantern.variants.get()
    assert "White Metal Lantern" in page(client, lantern.category.get_absolute_url())
    merchant = client.__class__()
    staff(merchant, "Catalog manager")
    data = {
        "title": "Antique Brass Lantern", "slug": lantern.slug, "category": lantern.category.pk,
        "description": "Warm light.", "is_published": "on",
        "created_at_0": "2026-01-01", "created_at_1": "10:00:00",
        "variants-TOTAL_FORMS": "1", "variants-INITIAL_FORMS": "1", "variants-MIN_NUM_FORMS": "1",
        "variants-MAX_NUM_FORMS": "1000",
        "variants-0-id": variant.pk, "variants-0-product": lantern.pk, "variants-0-sku": variant.sku,
        "variants-0-name": "", "variants-0-base_price": "7.25", "variants-0-stock_quantity": "5",
        "variants-0-position": "0",
        "images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0", "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = merchant.post(reverse("admin:catalog_product_change", args=[lantern.pk]), data)
    assert response.status_code == 302, response.content.decode()[-2000:]

    listing, detail = page(client, lantern.category.get_absolute_url()), page(client, lantern.get_absolute_url())
    assert "Antique Brass Lantern" in listing and "White Metal Lantern" not in listing
    assert "£7.25" in listing
    assert "Warm light." in detail and "White Metal Lantern" not in detail


def test_a_new_category_shows_in_the_navigation_at_once(client, lantern, django_capture_on_commit_callbacks):
    assert "Candles" not in page(client, "/")
    with django_capture_on_commit_callbacks(execute=True):
        CategoryFactory(name="Candles", slug="candles")
    assert "Candles" in page(client, "/")


class PersonalRails:
    """A recommender plugged into the shop's seam whose rails name the signed-in person."""

    @staticmethod
    def name(user) -> str:
        return user.email.split("@")[0].title()

    def __init__(self, product_id: int):
        self.product_id = product_id

    def rails(self, request, *, page, product_id=None, basket_product_ids=()):
        if not request.user.is_authenticated:
            return []
        return [recommendations.RailSpec(
            key="for-you", title=f"Picked for {self.name(request.user)}", personal=True,
            suggestions=[recommendations.Suggestion(self.product_id, f"Because {self.name(request.user)} "
                                                                     "bought a lantern", "/why/")])]


def test_no_shared_fragment_holds_a_persons_name_cart_or_recommendations(client, lantern):
    mug = ProductFactory(title="Red Retrospot Mug", slug="red-retrospot-mug", category=lantern.category)
    person = UserFactory(email="zebedee@example.com")
    previous = recommendations.rail_source_register(PersonalRails(mug.pk))
    try:
        client.force_login(person)
        response = client.post(reverse("cart:add"), {"variant": lantern.variants.get().pk, "quantity": 7})
        assert response.status_code == 302
        pages = ["/", lantern.category.get_absolute_url(), lantern.get_absolute_url(),
                 reverse("storefront:search") + "?q=lantern", reverse("cart:detail")]
        seen = {url: page(client, url) for url in pages}
        # The person sees what is theirs...
        assert "Picked for Zebedee" in seen["/"] and "Because Zebedee bought a lantern" in seen["/"]
        assert re.search(r'data-testid="cart-count">7<', seen["/"])
        csrf_token = client.cookies["csrftoken"].value
        nonce = re.search(r'nonce="([^"]+)"', seen[lantern.get_absolute_url()]).group(1)

        fragments = cached_fragments()
        # Navigation, footer, home, category tree and grid, product (3 and its row), search grid.
        assert len(fragments) >= 10
        for key, html in fragments.items():
            for personal in ("Zebedee", "zebedee@example.com", "Because", "Picked for", 'cart-count">7',
                             "csrfmiddlewaretoken", nonce, "Log out", "Your cart"):
                assert personal not in html, (key, personal)
        assert not any(csrf_token in html for html in fragments.values())

        # ...and someone else, served from the same fragments, sees none of it.
        stranger = client.__class__()
        for url in pages:
            html = page(stranger, url)
            assert "Zebedee" not in html and "Because" not in html
            assert 'data-testid="cart-count">0<' in html
        # The stranger's pages are kept whole (no cookie came with them): they hold nothing of the
        # person either, nor the stranger's own token or nonce.
        stranger_token = stranger.cookies["csrftoken"].value
        kept = {key: html for key, html in cached_fragments().items() if ":cookieless-page:" in key}
        assert len(kept) >= 4
        for key, html in kept.items():
            for personal in ("Zebedee", "zebedee@example.com", "Because", "Picked for", 'cart-count">7',
                             nonce, "Log out", csrf_token, stranger_token):
                assert personal not in html, (key, personal)
    finally:
        recommendations.rail_source_register(previous)


def test_the_cart_page_counts_its_lines_once(client, lantern, django_capture_on_commit_callbacks):
    mug = ProductFactory(title="Red Retrospot Mug", slug="red-retrospot-mug", category=lantern.category)
    for product, quantity in ((lantern, 2), (mug, 3)):
        client.post(reverse("cart:add"), {"variant": product.variants.get().pk, "quantity": quantity})

    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(holder=uuid.uuid4(), quantities={lantern.variants.get().pk: 9},  # another checkout's
                      until=timezone.now() + timedelta(minutes=15))

    with CaptureQueriesContext(connection) as captured:
        html = page(client, reverse("cart:detail"))
    reads_of_lines = [query["sql"] for query in captured.captured_queries if '"cart_cartline"' in query["sql"]]

    assert 'data-testid="cart-count">5<' in html
    assert "Only 1 in stock" in html  # 10 units, 9 held by the other checkout
    assert len(reads_of_lines) == 1, reads_of_lines
    assert all('"cart_cartline"' in query["sql"] for query in captured.captured_queries
               if '"catalog_stockreservation"' in query["sql"])  # what stock allows comes with the lines
    assert 'data-testid="cart-count">5<' in page(client, "/")  # elsewhere the header still counts


def test_in_process_memory_a_change_by_another_process_shows_within_a_minute(client, lantern, monkeypatch):
    from django.core.cache import caches
    from django.core.cache.backends import locmem

    if not isinstance(caches["default"], locmem.LocMemCache):
        pytest.skip("a shared cache (Redis) hears of every change: the version lasts until the next one")
    assert "£4.95" in page(client, lantern.category.get_absolute_url())
    # As another process would write it: this process's cache never hears of it.
    ProductVariant.objects.filter(product=lantern).update(price=Decimal("6.50"))
    Product.objects.filter(pk=lantern.pk).update(price=Decimal("6.50"))
    assert "£4.95" in page(client, lantern.category.get_absolute_url())

    in_a_minute = locmem.time.time() + 61
    monkeypatch.setattr(locmem.time, "time", lambda: in_a_minute)

    assert "£6.50" in page(client, lantern.category.get_absolute_url())


def test_product_cards_are_read_once_per_catalog_version_each_caller_its_own(lantern,
                                                                              django_capture_on_commit_callbacks):
    from shop.catalog.selectors import product_cards_by_id

    mug = ProductFactory(title="Red Retrospot Mug", slug="red-retrospot-mug", category=lantern.category)
    hidden = ProductFactory(title="Withdrawn Lamp", slug="withdrawn-lamp", category=lantern.category,
                            is_published=False)
    ids = {lantern.pk, mug.pk, hidden.pk}

    with CaptureQueriesContext(connection) as first:
        cards = product_cards_by_id(ids=ids)
    assert set(cards) == {lantern.pk, mug.pk} and len(first.captured_queries) == 1
    cards[lantern.pk].title = "Changed by one caller"
    with CaptureQueriesContext(connection) as again:
        cards = product_cards_by_id(ids=ids)  # the withdrawn one is kept as absent: no query for it
    assert set(cards) == {lantern.pk, mug.pk} and len(again.captured_queries) == 0
    assert cards[lantern.pk].title == "White Metal Lantern" and cards[mug.pk].in_stock

    with django_capture_on_commit_callbacks(execute=True):
        stock_take(holder=uuid.uuid4(), quantities={mug.variants.get().pk: mug.variants.get().stock_quantity})
    with CaptureQueriesContext(connection) as renewed:
        cards = product_cards_by_id(ids=ids)
    assert len(renewed.captured_queries) == 1 and not cards[mug.pk].in_stock


def test_cards_of_personal_rails_are_shared_but_each_persons_reason_is_their_own(client, lantern):
    mug = ProductFactory(title="Red Retrospot Mug", slug="red-retrospot-mug", category=lantern.category)
    previous = recommendations.rail_source_register(PersonalRails(mug.pk))
    try:
        seen = {}
        for email in ("zebedee@example.com", "ermintrude@example.com"):
            person = client.__class__()
            person.force_login(UserFactory(email=email))
            seen[email] = page(person, "/")
        assert "Because Zebedee bought a lantern" in seen["zebedee@example.com"]
        assert "Because Ermintrude bought a lantern" in seen["ermintrude@example.com"]
        assert "Zebedee" not in seen["ermintrude@example.com"]
        cards = {key: html for key, html in cached_fragments().items() if ":product-card:" in key}
        assert any("Red Retrospot Mug" in html for html in cards.values())
        assert not any("Because" in html or "Zebedee" in html for html in cards.values())
    finally:
        recommendations.rail_source_register(previous)


def test_a_caller_pays_only_for_the_kept_cards_it_reads(lantern, monkeypatch):
    from shop.catalog import fragments
    from shop.catalog.selectors import product_cards_by_id

    others = [ProductFactory(title=f"Mug {n}", category=lantern.category) for n in range(5)]
    hidden = ProductFactory(title="Withdrawn Lamp", category=lantern.category, is_published=False)
    ids = {lantern.pk, hidden.pk, *(mug.pk for mug in others)}
    product_cards_by_id(ids=ids)  # now kept, the withdrawn one as absent
    unpickled = []
    real_loads = fragments.pickle.loads
    monkeypatch.setattr(fragments.pickle, "loads", lambda data: unpickled.append(1) or real_loads(data))

    cards = product_cards_by_id(ids=ids)
    unpickled.clear()  # (the catalog version's read unpickles too, from this test's local cache)
    first = cards[lantern.pk]

    assert len(unpickled) == 1 and first.title == "White Metal Lantern" and cards[lantern.pk] is first
    assert len(cards) == 6 and set(cards) == ids - {hidden.pk} and cards.get(hidden.pk) is None
    assert product_cards_by_id(ids=ids)[lantern.pk] is not first  # each caller its own copy
