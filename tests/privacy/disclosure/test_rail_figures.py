"""The customers' figures on the shop's rails: released once per model version, with noise, rounded,
never below the minimum support, and never the exact count."""

import re
from datetime import timedelta

import pytest

from personalization.recommendations.models import BehaviourEvent, EventKind, ModelVersion, Rail, RecommendationList
from personalization.recommendations.training import (
    TRENDING_WINDOW_DAYS,
    _frozen_now,
    lists_build,
    models_fit,
    recommenders_train,
    training_data_load,
)
from primitives.subjects import Subject
from privacy.disclosure import noise_source, released_count
from privacy.models import DisclosureRelease
from privacy.services import consent_decide
from tests.personalization.recommendations.test_event_store import decide
from tests.personalization.recommendations.test_rails import cards_in
from tests.personalization.worlds import NOW, bought, customer, products

from .sources import offset

pytestmark = pytest.mark.django_db

FIGURE = re.compile(r"by (?:about )?(\d+) customers")
NOISE = 7


@pytest.fixture
def shop(settings):
    settings.PERSONALIZATION_MIN_SUPPORT = 3
    lamp, mug, candle, holder = products(4)
    for product, title in zip((lamp, mug, candle, holder), ("Lantern", "Mug", "Candle", "Holder"), strict=True):
        product.title = title
        product.save()
    for _ in range(6):
        bought(customer(), lamp, mug, days_ago=2)
    for _ in range(4):
        bought(customer(), candle, holder, days_ago=40)
    bought(customer(), lamp, candle, days_ago=1)
    return {"lamp": lamp, "mug": mug, "candle": candle, "holder": holder}


def buyers(product, *, since=None) -> set[int]:
    purchases = BehaviourEvent.objects.filter(kind=EventKind.PURCHASED, product=product)
    if since is not None:
        purchases = purchases.filter(occurred_at__gte=since)
    return set(purchases.values_list("user_id", flat=True))


def test_pages_show_the_released_figures_and_no_exact_count(client, shop):
    with noise_source(offset(NOISE)):
        recommenders_train(until=NOW)
    decide(client, "reject_all")
    recent = NOW - timedelta(days=TRENDING_WINDOW_DAYS)
    exact = {  # counted here with the ORM, as the training counts them
        ("Lantern", "trending"): len(buyers(shop["lamp"], since=recent)),
        ("Mug", "trending"): len(buyers(shop["mug"], since=recent)),
        ("Candle", "popular"): len(buyers(shop["candle"])),
        ("Mug", "bought_with"): len(buyers(shop["lamp"]) & buyers(shop["mug"])),
    }
    assert exact == {("Lantern", "trending"): 7, ("Mug", "trending"): 6, ("Candle", "popular"): 5,
                     ("Mug", "bought_with"): 6}

    home = client.get("/").content.decode()
    product_page = client.get(shop["lamp"].get_absolute_url()).content.decode()

    shown = {}
    for title, reason, _ in cards_in(home, "trending") + cards_in(product_page, "also_bought"):
        figure = FIGURE.search(reason)
        kind = "bought_with" if reason.startswith("Bought with") else "popular" if "in all" in reason else "trending"
        shown[(title, kind)] = int(figure[1]) if figure else None
    for key, count in exact.items():
        assert shown[key] == released_count(count + NOISE, minimum=3), key
        assert shown[key] != count, key
    for page in (home, product_page):
        for count in set(exact.values()):
            assert f"by {count} customers" not in page
            assert f"by about {count} customers" not in page


def test_two_page_loads_show_the_same_figures_and_one_release_serves_the_version(client, shop):
    version = recommenders_train(until=NOW)  # the secure sampler: noise nobody chose
    decide(client, "reject_all")

    loads = [cards_in(client.get(shop["lamp"].get_absolute_url()).content.decode(), "also_bought")
             for _ in range(2)]
    homes = [cards_in(client.get("/").content.decode(), "trending") for _ in range(2)]

    assert loads[0] == loads[1] and homes[0] == homes[1]
    assert loads[0] and homes[0]
    release = DisclosureRelease.objects.get(family="rail_customers")
    assert release.release_key == f"model-version-{version.pk}"


def test_each_new_model_version_is_a_new_release(shop):
    recommenders_train(until=NOW)
    recommenders_train(until=NOW)

    keys = set(DisclosureRelease.objects.filter(family="rail_customers").values_list("release_key", flat=True))
    assert keys == {f"model-version-{pk}" for pk in ModelVersion.objects.values_list("pk", flat=True)}


def also_bought_reason(lamp) -> str:
    row = RecommendationList.objects.get(version__status="active", rail=Rail.ALSO_BOUGHT, product=lamp)
    return row.items[0]


@pytest.mark.parametrize(("noise", "shown"), [(-3, 3), (-4, None)], ids=["at the minimum", "one below"])
def test_a_released_figure_below_the_minimum_support_is_not_shown(client, shop, noise, shown):
    with noise_source(offset(noise)):  # the lamp and mug pair: 6 customers, released as 3 or 2
        recommenders_train(until=NOW)

    entry = also_bought_reason(shop["lamp"])
    cards = cards_in(client.get(shop["lamp"].get_absolute_url()).content.decode(), "also_bought")

    assert entry.get("customers") == shown
    mug_reason = dict((title, reason) for title, reason, _ in cards)["Mug"]
    assert mug_reason == ("Bought with Lantern by about 3 customers." if shown else "Often bought with Lantern.")


def test_the_ranking_keeps_the_exact_counts(shop):
    """Noise changes what is shown, never the order: a huge negative noise withholds every figure,
    and the lists are those of a noiseless release."""
    with noise_source(offset(0)):
        noiseless = recommenders_train(until=NOW)
    with noise_source(offset(-1000)):
        withheld = recommenders_train(until=NOW)

    def products_of(version):
        return {(row.rail, row.product_id, row.user_id): [e["product"] for e in row.items]
                for row in RecommendationList.objects.filter(version=version)}

    assert products_of(noiseless) == products_of(withheld)
    assert not any("customers" in e for row in RecommendationList.objects.filter(version=withheld) for e in row.items)


def exact_figures() -> dict[str, int]:
    data = training_data_load(until=NOW)
    lists = lists_build(models_fit(data, now=_frozen_now(NOW)), data)
    return {f"{e['reason']}:{e.get('about', '')}:{e['product']}": e["customers"]
            for entries in lists.values() for e in entries if "customers" in e}


def test_one_customer_more_or_fewer_changes_each_exact_figure_by_at_most_one(shop):
    """The statistical tests compare counts one apart: this is why that is the neighbouring case."""
    someone = customer()
    bought(someone, shop["lamp"], shop["mug"], shop["candle"], days_ago=1)
    with_her = exact_figures()

    consent_decide(subject=Subject.for_user(someone), choices={"personalization": False}, source="settings")
    without_her = exact_figures()

    common = set(with_her) & set(without_her)
    assert common and {name.split(":")[0] for name in common} >= {"trending", "bought_with"}
    assert max(abs(with_her[name] - without_her[name]) for name in common) == 1
