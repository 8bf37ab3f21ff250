"""Behaviour of each model on small hand-made histories."""

import numpy as np
import pandas as pd
import pytest

from personalization.recommendations.recommenders import (
    AlsoBoughtRecommender,
    BuyAgainRecommender,
    ContentRecommender,
    Interactions,
    PersonalRecommender,
    TrendingRecommender,
)
from personalization.recommendations.recommenders.data import (
    catalog_from_transactions,
    clean_purchases,
    read_transactions,
)
from personalization.recommendations.recommenders.personal import EaseScorer, Rp3BetaScorer

from tests.personalization.retail_files import shop_history, write

CUTOFF = pd.Timestamp("2011-03-01")


@pytest.fixture
def shop(tmp_path):
    raw = read_transactions(write(tmp_path / "shop.csv", shop_history()))
    purchases, _ = clean_purchases(raw)
    return purchases.before(CUTOFF), catalog_from_transactions(raw, CUTOFF)


def interactions(rows):
    """rows: (user, item, day, basket)."""
    return Interactions(
        pd.DataFrame(
            [
                {"user_id": u, "item_id": i, "timestamp": pd.Timestamp("2011-01-01") + pd.Timedelta(days=d),
                 "quantity": 1.0, "basket_id": b}
                for u, i, d, b in rows
            ]
        )
    )


# The personal model with every blend but novelty switched off.
QUIET = {"trending_weight": 0.0, "rising_weight": 0.0, "new_match_weight": 0.0, "novelty_weight": 0.3}


def items_with_titles(titles):
    return pd.DataFrame(
        {"item_id": list(titles), "title": list(titles.values()), "category": [""] * len(titles)}
    )


def test_trending_counts_recent_distinct_buyers(shop):
    train, items = shop

    trending = TrendingRecommender(window_days=14).fit(train, items)
    popular = TrendingRecommender(window_days=None).fit(train, items)

    # The paper chain sold to 5 people in the last two weeks; the frame to 15, earlier.
    assert trending.recommend(n=1)[0].item_id == "10008"
    assert trending.recommend(n=1)[0].reason == "trending"
    assert popular.recommend(n=1)[0].item_id == "10007"


def test_trending_ignores_units_bought():
    data = interactions([("a", "x", 0, "1"), ("b", "y", 0, "2"), ("c", "y", 1, "3")])
    data.frame.loc[data.frame["item_id"] == "x", "quantity"] = 5000.0

    trending = TrendingRecommender(window_days=30).fit(data)

    assert [r.item_id for r in trending.recommend(n=2)] == ["y", "x"]


def test_also_bought_ranks_the_usual_companion_first_and_never_the_item_itself(shop):
    train, items = shop

    model = AlsoBoughtRecommender().fit(train, items)

    for query, companion in [("10001", "10002"), ("10003", "10004"), ("10006", "10005")]:
        similar = model.similar(query, n=5)
        assert similar[0].item_id == companion
        assert similar[0].reason == f"bought_with:{query}"
        assert query not in [r.item_id for r in similar]


def test_also_bought_tops_up_with_similar_text_after_the_co_purchases(shop):
    train, items = shop
    new_holder = pd.DataFrame([{"item_id": "20000", "title": "HEART T-LIGHT HOLDER", "category": "HOLDER"}])

    model = AlsoBoughtRecommender().fit(train, pd.concat([items, new_holder], ignore_index=True))

    similar = model.similar("10003", n=3)
    assert [(r.item_id, r.reason) for r in similar[:2]] == [
        ("10004", "bought_with:10003"),
        ("20000", "similar_to:10003"),
    ]


def test_similar_products_share_words_and_cover_items_nobody_bought(shop):
    train, items = shop
    never_sold = pd.DataFrame([{"item_id": "20000", "title": "ENAMEL MUG", "category": "MUG"}])

    model = ContentRecommender().fit(train, pd.concat([items, never_sold], ignore_index=True))

    best = model.similar("20000", n=2)
    # The enamel mug shares two words, the ceramic mug one; nothing else is a mug.
    assert [r.item_id for r in best] == ["10005", "10006"]
    assert best[0].reason == "similar_to:20000"


def test_for_you_leaves_out_what_the_user_already_bought(shop):
    train, items = shop

    model = PersonalRecommender(method="ease").fit(train, items)

    bought = set(train.frame.loc[train.frame["user_id"] == "101", "item_id"])
    recommended = [r.item_id for r in model.recommend("101", n=10)]
    assert recommended and not bought & set(recommended)


def test_for_you_recommends_what_similar_customers_bought():
    # a, b, c bought x and y; d bought x only: y should come first for d.
    rows = [(u, i, 0, f"{u}1") for u in "abc" for i in "xy"] + [("d", "x", 0, "d1"), ("e", "z", 0, "e1")]

    model = PersonalRecommender(method="ease", l2=1.0, trending_weight=0.0).fit(interactions(rows))

    first = model.recommend("d", n=1)[0]
    assert first.item_id == "y"
    assert first.reason == "because_you_bought:x"


def test_for_you_lifts_products_new_to_the_shop_and_says_why():
    # Nothing links "a" to either rarity; ties go to the lower id, so without the
    # novelty prior the long-sold "a_old" would come first.
    rows = [(u, i, 0, f"{u}1") for u in "abcd" for i in ("o1", "o2")]
    rows += [("e", "a_old", 0, "e1"), ("f", "z_new", 200, "f1")]

    plain = PersonalRecommender(method="ease", **(QUIET | {"novelty_weight": 0.0})).fit(interactions(rows))
    lifted = PersonalRecommender(method="ease", **QUIET).fit(interactions(rows))

    assert [r.item_id for r in plain.recommend("a", n=2)] == ["a_old", "z_new"]
    first = lifted.recommend("a", n=2)[0]
    assert (first.item_id, first.reason) == ("z_new", "new_in")
    assert lifted.novelty_scores_[lifted.items_.position("z_new")] == pytest.approx(1.0)
    assert lifted.novelty_scores_[lifted.items_.position("a_old")] == pytest.approx(np.exp(-200 / 90), rel=1e-5)


def test_new_products_go_first_to_customers_who_buy_their_kind():
    # Two products arrive on the same day; "a" has bought lanterns, so the new
    # lantern should reach "a" before the new mug, though nothing links either to
    # "a" by purchase and the mug wins the id tie-break.
    titles = {"o1": "WHITE METAL LANTERN", "o2": "PAPER CHAIN KIT", "n_lantern": "ZINC STAR LANTERN",
              "m_mug": "ENAMEL COFFEE MUG"}
    rows = [(u, i, 0, f"{u}1") for u in "abcd" for i in ("o1", "o2")]
    rows += [("e", "n_lantern", 200, "e1"), ("f", "m_mug", 200, "f1")]
    data, items = interactions(rows), items_with_titles(titles)

    unmatched = PersonalRecommender(method="ease", **QUIET).fit(data, items)
    matched = PersonalRecommender(method="ease", **(QUIET | {"new_match_weight": 0.3})).fit(data, items)

    assert [r.item_id for r in unmatched.recommend("a", n=2)] == ["m_mug", "n_lantern"]
    first = matched.recommend("a", n=2)[0]
    assert (first.item_id, first.reason) == ("n_lantern", "new_in")


def test_rising_demand_measures_growth_against_the_weeks_before():
    # "steady": one buyer a week for eight weeks; "rising": one buyer in the six
    # weeks before, eight in the last two; "fading": the reverse.
    rows = [(f"s{w}", "steady", 7 * w, f"s{w}") for w in range(8)]
    rows += [("r0", "rising", 10, "r0")] + [(f"r{k}", "rising", 46 + k, f"r{k}b") for k in range(1, 9)]
    rows += [(f"f{k}", "fading", 10 + k, f"f{k}") for k in range(8)] + [("f9", "fading", 50, "f9")]
    data = interactions(rows)
    model = PersonalRecommender(method="ease", rising_cap=16.0).fit(data)
    scores = dict(zip(model.item_ids, model.rising_scores_))

    # recent 8 against an expected 1/3: log(9 / (4/3)) / log(16).
    assert scores["rising"] == pytest.approx(np.log(9 / (1 / 3 + 1)) / np.log(16), rel=1e-5)
    assert scores["steady"] == 0.0
    assert scores["fading"] == 0.0


def test_customers_are_scored_from_what_they_keep_buying():
    # "u" bought x in five baskets and y once. Others show that x goes with
    # x_friend and y with a_friend (which wins the id tie-break). Scored from
    # the buy-again profile, x's companion comes first.
    rows = [("u", "x", d, f"u{d}") for d in range(0, 50, 10)] + [("u", "y", 40, "u40")]
    rows += [(f"p{k}", i, 5, f"p{k}") for k in range(4) for i in ("x", "x_friend")]
    rows += [(f"q{k}", i, 5, f"q{k}") for k in range(4) for i in ("y", "a_friend")]
    data = interactions(rows)
    quiet = QUIET | {"novelty_weight": 0.0, "graph_weight": 0.0, "half_life_days": None}

    flat = PersonalRecommender(method="ease", profile="decayed", **quiet).fit(data)
    habitual = PersonalRecommender(method="ease", profile="buy_again", **quiet).fit(data)

    assert flat.recommend("u", n=1)[0].item_id == "a_friend"
    best = habitual.recommend("u", n=1)[0]
    assert (best.item_id, best.reason) == ("x_friend", "because_you_bought:x")


def test_cold_users_get_trending(shop):
    train, items = shop

    model = PersonalRecommender().fit(train, items)
    trending = TrendingRecommender(window_days=30).fit(train, items)

    cold = model.recommend("never-seen", n=5)
    assert [r.item_id for r in cold] == [r.item_id for r in trending.recommend(n=5)]
    assert {r.reason for r in cold} == {"trending"}


@pytest.mark.parametrize("method", ["ease", "svd"])
def test_two_fits_on_the_same_data_give_identical_lists(shop, method):
    train, items = shop
    users = sorted(train.frame["user_id"].unique()) + ["cold"]

    first = PersonalRecommender(method=method, factors=4).fit(train, items).recommend_many(users, 10)
    second = PersonalRecommender(method=method, factors=4).fit(train, items).recommend_many(users, 10)

    assert first == second


def test_auto_switches_from_ease_to_svd_above_the_measured_catalog_size(shop):
    train, items = shop

    small = PersonalRecommender(method="auto", ease_max_items=100).fit(train, items)
    large = PersonalRecommender(method="auto", ease_max_items=3, factors=2).fit(train, items)

    assert small.method_ == "ease"
    assert large.method_ == "svd"


def test_ease_weights_have_zero_diagonal_and_are_float32(shop):
    train, items = shop
    model = PersonalRecommender(method="ease").fit(train, items)

    weights = model.scorer_.weights_

    assert weights.dtype == np.float32
    assert np.all(np.diag(weights) == 0)


def test_ease_inverse_matches_the_textbook_formula():
    rng = np.random.default_rng(3)
    from scipy import sparse

    matrix = sparse.csr_matrix((rng.random((30, 8)) > 0.6).astype(np.float32))
    expected = np.linalg.inv(matrix.T.toarray() @ matrix.toarray() + 5.0 * np.eye(8))
    expected = -expected / np.diag(expected)[None, :]
    np.fill_diagonal(expected, 0.0)

    weights = EaseScorer(l2=5.0).fit(matrix).weights_

    np.testing.assert_allclose(weights, expected, rtol=1e-4, atol=1e-5)


def _walk_matrix():
    """Users x items (A, B, C, D, E): A leads equally to B (1 buyer) and C (4 buyers)."""
    from scipy import sparse

    rows = [[1, 1, 0, 0, 0], [1, 0, 1, 0, 0]] + [[0, 0, 1, 1, 0], [0, 0, 1, 0, 1], [0, 0, 1, 1, 1]]
    return sparse.csr_matrix(np.array(rows, dtype=np.float32))


def test_rp3beta_is_a_two_step_walk_with_zero_diagonal():
    matrix = _walk_matrix()
    dense = matrix.toarray()
    to_item = dense / dense.sum(axis=1, keepdims=True)
    to_user = (dense / dense.sum(axis=0, keepdims=True)).T
    expected = (to_user @ to_item) / dense.sum(axis=0)[None, :] ** 0.5
    np.fill_diagonal(expected, 0.0)

    weights = Rp3BetaScorer(alpha=1.0, beta=0.5).fit(matrix).weights_

    assert weights.dtype == np.float32
    np.testing.assert_allclose(weights, expected, rtol=1e-5, atol=1e-6)


def test_rp3beta_popularity_penalty_puts_the_niche_item_above_the_best_seller():
    matrix = _walk_matrix()
    a, b, c = 0, 1, 2

    plain = Rp3BetaScorer(alpha=1.0, beta=0.0).fit(matrix).weights_
    penalised = Rp3BetaScorer(alpha=1.0, beta=0.8).fit(matrix).weights_

    assert plain[a, b] == pytest.approx(plain[a, c])  # same walk probability
    assert penalised[a, b] > penalised[a, c]  # C is reached because everyone buys it


def test_for_you_blends_the_graph_scores_only_when_asked(shop):
    train, items = shop
    users = sorted(train.frame["user_id"].unique())

    blended = PersonalRecommender(method="ease", graph_weight=0.4).fit(train, items)
    ease_only = PersonalRecommender(method="ease", graph_weight=0.0).fit(train, items)
    svd = PersonalRecommender(method="svd", graph_weight=0.4, factors=4).fit(train, items)

    positions = blended.users_.lookup(users)
    assert isinstance(blended.graph_, Rp3BetaScorer)
    assert ease_only.graph_ is None and svd.graph_ is None
    assert not np.allclose(blended.score_users(positions), ease_only.score_users(positions))


def test_buy_again_returns_only_past_items_most_repeated_first():
    rows = [("a", "tea", d, f"a{d}") for d in (0, 10, 20)] + [("a", "vase", 5, "a5"), ("b", "tea", 1, "b1")]

    model = BuyAgainRecommender().fit(interactions(rows))

    again = model.recommend("a", n=5)
    assert [r.item_id for r in again] == ["tea", "vase"]
    assert {r.reason for r in again} == {"bought_before"}
    assert model.recommend("nobody") == []


def test_recommending_for_many_users_at_once_gives_each_user_s_own_lists_and_reasons(sample_data_path):
    from personalization.recommendations.recommenders.data import load_purchases

    raw, purchases, _ = load_purchases(sample_data_path)
    model = PersonalRecommender().fit(purchases, catalog_from_transactions(raw))
    users = sorted(purchases.frame["user_id"].unique())[:60] + ["nobody-at-all"]

    together = model.recommend_with_reasons(users, n=10)

    for user in users:
        alone = model.recommend(user, n=10)
        assert [(r.item_id, r.reason) for r in together[user]] == [(r.item_id, r.reason) for r in alone], user
