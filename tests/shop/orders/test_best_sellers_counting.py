"""The "Best-selling" sort counts every account's orders, consent or not, and the texts say exactly that.

The README, the privacy notice and docs/privacy.md promise: unconsented customers are in no
recommendation model, no segment and no behavioural count, and their orders do count in the
best-seller ranking, the shop's own sales bookkeeping (legitimate interest).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from personalization.recommendations.models import BehaviourEvent
from primitives.subjects import Subject
from privacy.services import consent_decide
from shop.catalog.models import Product
from shop.orders.tasks import refresh_product_popularity
from tests.factories import (
    CategoryFactory,
    OrderFactory,
    ProductFactory,
    UserFactory,
    order_line_create,
)

pytestmark = pytest.mark.django_db
PROJECT_ROOT = Path(__file__).resolve().parents[3]


def buyer(*, consents: bool | None):
    user = UserFactory()
    if consents is not None:
        consent_decide(subject=Subject.for_user(user), choices={"personalization": consents}, source="settings")
    return user


def bought(user, product) -> None:
    order_line_create(order=OrderFactory(user=user), product=product)


def titles_in_page_order(html: str, *titles: str) -> list[str]:
    return sorted(titles, key=html.index)


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_customers_without_consent_count_in_the_best_seller_ranking_as_the_texts_say(client):
    shelf = CategoryFactory(slug="kitchen")
    mug = ProductFactory(title="Enamel mug", category=shelf)
    lamp = ProductFactory(title="Brass lamp", category=shelf)
    bought(buyer(consents=False), mug)  # refused personalisation
    bought(buyer(consents=None), mug)  # never decided
    bought(buyer(consents=True), lamp)

    refresh_product_popularity.apply()

    assert dict(Product.objects.values_list("title", "popularity")) == {"Enamel mug": 2, "Brass lamp": 1}
    page = client.get(reverse("storefront:category", kwargs={"slug": "kitchen"}), {"sort": "popular"})
    assert titles_in_page_order(page.content.decode(), "Brass lamp", "Enamel mug") == ["Enamel mug", "Brass lamp"]
    # Counted, yet in no behavioural record: the ranking reads orders, not events.
    assert not BehaviourEvent.objects.exists()

    notice = one_line(client.get(reverse("privacy:notice")).content.decode())
    assert ("from every account’s orders whatever its choices, to sort products by “Best-selling”. "
            "This is our own sales bookkeeping (legitimate interest)") in notice
    readme = one_line((PROJECT_ROOT / "README.md").read_text())
    assert "they are in no recommendation model, no segment and no behavioural count." in readme
    assert "the \"Best-selling\" sort counts every account's orders" in readme
    assert "no model and no count" not in readme
    docs = one_line((PROJECT_ROOT / "docs" / "privacy.md").read_text())
    assert "from every account's orders, whatever the account's choices" in docs
