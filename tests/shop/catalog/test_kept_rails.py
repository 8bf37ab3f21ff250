"""Rails a source names as the same for everyone (`shared_rails_key`) are read only when a page
needs more of them than their key: a page that shows its kept rendering asks the source nothing.
A source that names them shared but gives a rail about the person has it neither shown nor kept
(the page shows no rails, and nothing of the person is kept in their place). A source that fails,
asked for the key or for the rails, leaves the page shown without rails."""

import logging

import pytest
from django.urls import reverse

from shop import recommendations
from tests.factories import ProductFactory, UserFactory
from tests.shop.catalog.test_fragment_cache import cached_fragments, lantern, page  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


class BoughtTogether:
    """A recommender plugged into the shop's seam: "Bought together" for the cart, the same for
    everyone with that cart; `personal_for` makes it (wrongly) name the signed-in person."""

    def __init__(self, product_id: int, personal_for: bool = False):
        self.product_id, self.personal_for = product_id, personal_for
        self.asked: list[str] = []

    def shared_rails_key(self, request, *, page, product_id=None, basket_product_ids=()):
        return ("bought-together", tuple(sorted(basket_product_ids))) if page == "cart" else None

    def rails(self, request, *, page, product_id=None, basket_product_ids=()):
        self.asked.append(page)
        title = "Bought together"
        if self.personal_for and request.user.is_authenticated:
            title = f"Bought together, for {request.user.email.split('@')[0].title()}"
        return [recommendations.RailSpec(key="together", title=title, personal=self.personal_for,
                                         suggestions=[recommendations.Suggestion(self.product_id, "Often bought with")])]


@pytest.fixture
def mug(lantern):  # noqa: F811
    return ProductFactory(title="Red Retrospot Mug", slug="red-retrospot-mug", category=lantern.category)


@pytest.fixture
def source(request, mug):
    recommending = BoughtTogether(mug.pk, **getattr(request, "param", {}))
    previous = recommendations.rail_source_register(recommending)
    yield recommending
    recommendations.rail_source_register(previous)


def cart_with(client, product) -> None:
    response = client.post(reverse("cart:add"), {"variant": product.variants.get().pk, "quantity": 1})
    assert response.status_code == 302


def test_a_cart_page_with_the_kept_rendering_of_its_rails_asks_the_source_nothing(client, lantern, source):  # noqa: F811
    cart_with(client, lantern)

    first = page(client, reverse("cart:detail"))
    again = page(client, reverse("cart:detail"))
    another = client.__class__()
    cart_with(another, lantern)
    theirs = page(another, reverse("cart:detail"))

    assert source.asked == ["cart"]  # the first page read the rails; the others showed them as kept
    for html in (first, again, theirs):
        assert "Bought together" in html and "Red Retrospot Mug" in html and "Often bought with" in html


def test_a_different_cart_has_its_own_rails(client, lantern, mug, source):  # noqa: F811
    cart_with(client, lantern)
    page(client, reverse("cart:detail"))
    cart_with(client, mug)  # the mug is in the cart now: not suggested again

    html = page(client, reverse("cart:detail"))

    assert source.asked == ["cart", "cart"]
    assert "Often bought with" not in html


class CompletedWith(BoughtTogether):
    """Another recommender whose rails for a cart have the same key as `BoughtTogether`'s."""

    def rails(self, request, *, page, product_id=None, basket_product_ids=()):
        self.asked.append(page)
        return [recommendations.RailSpec(key="completed", title="Completed with", suggestions=[
            recommendations.Suggestion(self.product_id, "Completes the set")])]


def test_another_source_with_an_equal_key_shows_its_own_rails(client, lantern, mug, source):  # noqa: F811
    cart_with(client, lantern)
    assert "Bought together" in page(client, reverse("cart:detail"))

    other = CompletedWith(mug.pk)
    previous = recommendations.rail_source_register(other)
    try:
        html = page(client, reverse("cart:detail"))
    finally:
        recommendations.rail_source_register(previous)

    assert other.asked == ["cart"]
    assert "Completed with" in html and "Completes the set" in html and "Bought together" not in html


@pytest.mark.parametrize("source", [{"personal_for": True}], indirect=True)
def test_a_rail_about_the_person_under_a_shared_key_is_neither_shown_nor_kept(client, lantern, source, caplog):  # noqa: F811
    client.force_login(UserFactory(email="zebedee@example.com"))
    cart_with(client, lantern)

    with caplog.at_level(logging.ERROR, logger="shop.recommendations"):
        html = page(client, reverse("cart:detail"))

    assert "Zebedee" not in html and "Bought together" not in html and "Red Retrospot Mug" not in html
    assert any("about the person" in record.getMessage() for record in caplog.records)
    assert not any("Zebedee" in text or "zebedee" in text for text in caplog.text.splitlines())
    assert not any("Zebedee" in text for text in cached_fragments().values())
    # What is kept in its place (no rails, until the catalog changes) holds nothing of anyone.
    stranger = client.__class__()
    cart_with(stranger, lantern)
    theirs = page(stranger, reverse("cart:detail"))
    assert "Zebedee" not in theirs and "Bought together" not in theirs


def test_asking_for_the_key_of_kept_rails_reads_nothing(rf, source):
    request = rf.get("/cart/")
    rails = recommendations.rails_for(request, page="cart", basket_product_ids=[1])

    assert rails.shared_key and source.asked == []
    with pytest.raises(TypeError):
        rails["shared_key"]  # as a template looks it up first
    assert source.asked == []
    assert [rail.key for rail in rails] == ["together"] and source.asked == ["cart"]
    assert len(rails) == 1 and rails[0].title == "Bought together" and source.asked == ["cart"]  # read once


class Failing(BoughtTogether):
    """A recommender that raises when asked `fails` ("shared_rails_key" or "rails"), for the page
    `keyed` names as shared (none: every page is asked afresh)."""

    def __init__(self, product_id: int, *, fails: str, keyed: str | None):
        super().__init__(product_id)
        self.fails, self.keyed = fails, keyed

    def shared_rails_key(self, request, *, page, product_id=None, basket_product_ids=()):
        if self.fails == "shared_rails_key":
            raise RuntimeError("the recommender's store is down")
        return ("failing", tuple(basket_product_ids)) if page == self.keyed else None

    def rails(self, request, *, page, product_id=None, basket_product_ids=()):
        if self.fails == "rails":
            raise RuntimeError("the recommender's store is down")
        return super().rails(request, page=page, product_id=product_id, basket_product_ids=basket_product_ids)


@pytest.mark.parametrize("fails, keyed", [("shared_rails_key", "cart"), ("rails", "cart"), ("rails", None)])
def test_a_failing_source_leaves_the_cart_shown_without_rails(client, lantern, mug, fails, keyed, caplog):  # noqa: F811
    cart_with(client, lantern)
    previous = recommendations.rail_source_register(Failing(mug.pk, fails=fails, keyed=keyed))
    try:
        with caplog.at_level(logging.ERROR, logger="shop.recommendations"):
            response = client.get(reverse("cart:detail"))
    finally:
        recommendations.rail_source_register(previous)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="cart-line"') == 1 and "Bought together" not in html and "Red Retrospot Mug" not in html
    assert [record.getMessage() for record in caplog.records] == [
        "The rail source failed for the cart page; the page is shown without rails."]
