"""The recommenders' guards, each from what a person would notice: a pair shown on too few buyers,
someone else's purchase dates on "Why am I seeing this?", personal rails after consent lapsed."""

import re
from datetime import timedelta

import pytest
from django.contrib.humanize.templatetags.humanize import apnumber
from django.db import connection
from django.utils import timezone

from personalization.recommendations.training import recommenders_train
from privacy.disclosure import noise_source
from privacy.selectors import consent_window_start
from tests.personalization.recommendations.test_rails import cards_in, rails_on, shop_world  # noqa: F401  (fixture)
from tests.personalization.worlds import NOW, bought, customer, products
from tests.privacy.disclosure.sources import offset

pytestmark = pytest.mark.django_db


# --- "Customers also bought": a pair needs its own minimum of distinct buyers ----------------------


@pytest.mark.parametrize("raised", [0, 1], ids=["as configured", "raised by one"])
def test_an_also_bought_pair_shows_at_exactly_the_minimum_support_and_not_one_buyer_below(client, settings, raised):
    settings.PERSONALIZATION_MIN_SUPPORT += raised  # the configured value (what production reads), or one more
    minimum = settings.PERSONALIZATION_MIN_SUPPORT
    lantern, mug, candle = products(3)
    lantern.title, mug.title, candle.title = "White Metal Lantern", "Red Retrospot Mug", "Vanilla Candle"
    for product in (lantern, mug, candle):
        product.save()
    # The lantern has buyers to spare, so only each pair's own count decides.
    for _ in range(minimum):
        bought(customer(), lantern, mug)
    for _ in range(minimum - 1):
        bought(customer(), lantern, candle)
    for _ in range(minimum):
        bought(customer(), lantern)
        bought(customer(), candle)
    with noise_source(offset(0)):  # no noise: the exact support decides whether a pair is listed
        recommenders_train(until=NOW)

    cards = cards_in(client.get(lantern.get_absolute_url()).content.decode(), "also_bought")

    assert [(title, reason) for title, reason, _ in cards] == [
        ("Red Retrospot Mug", f"Bought with White Metal Lantern by about {minimum} customers.")]
    # "Why am I seeing this?" states the minimum the training applied.
    why = client.get(cards[0][2]).content.decode()
    assert f"only pairs bought by at least {apnumber(minimum)} of them are shown" in why


# --- "Why am I seeing this?" shows the person's own data only --------------------------------------


def why_page(client, shop, title: str) -> str:
    client.force_login(shop["ada"])
    cards = cards_in(client.get("/").content.decode(), "for_you")
    return client.get(next(url for card, _, url in cards if card == title)).content.decode()


def test_why_lists_only_her_own_purchase_dates_not_other_customers(client, shop_world):  # noqa: F811
    # Four other customers bought the lantern on 27 June; she bought hers on 29 June.
    page = why_page(client, shop_world, "Red Retrospot Mug")

    assert re.findall(r"<li>(bought on [^<]+)</li>", page) == ["bought on 29 June 2026"]


def test_why_sums_up_only_her_own_purchase_history(client, shop_world):  # noqa: F811
    page = why_page(client, shop_world, "Red Retrospot Mug")

    assert "computed from your 1 stored purchase, from 29 June 2026 to 29 June 2026." in page


def test_why_for_buy_again_lists_only_her_own_purchases_of_the_product(client, shop_world):  # noqa: F811
    client.force_login(shop_world["ada"])
    _, _, url = cards_in(client.get("/account/").content.decode(), "buy_again")[0]

    page = client.get(url).content.decode()

    assert re.findall(r"<li>(bought on [^<]+)</li>", page) == ["bought on 29 June 2026"]


# --- Personal rails need consent in force, not merely consent never withdrawn ----------------------


def personal_rails(client, person) -> dict[str, str]:
    client.force_login(person)
    return {**rails_on(client.get("/").content.decode()), **rails_on(client.get("/account/").content.decode())}


def age_her_consent(person, *, days: int) -> None:
    # Consent records are append-only through the model; age them the way time would, in SQL.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE privacy_consentrecord SET created_at = %s WHERE user_id = %s",
                       [timezone.now() - timedelta(days=days), person.pk])


def lifetime_days() -> int:
    return (timezone.now() - consent_window_start()).days  # the window the consent check itself uses


def test_recommended_for_you_and_buy_again_are_served_while_her_consent_is_in_force(client, shop_world):  # noqa: F811
    age_her_consent(shop_world["ada"], days=lifetime_days() - 1)

    assert personal_rails(client, shop_world["ada"]) == {"for_you": "Recommended for you", "buy_again": "Buy again"}


def test_recommended_for_you_and_buy_again_stop_once_her_consent_expires(client, shop_world):  # noqa: F811
    age_her_consent(shop_world["ada"], days=lifetime_days() + 1)

    shown = personal_rails(client, shop_world["ada"])

    assert shown == {"trending": "Trending now"}


def test_recommended_for_you_and_buy_again_stop_when_a_new_notice_asks_her_again(client, shop_world, settings):  # noqa: F811
    settings.PRIVACY_NOTICE_VERSION = f"{settings.PRIVACY_NOTICE_VERSION}-revised"

    shown = personal_rails(client, shop_world["ada"])

    assert shown == {"trending": "Trending now"}
