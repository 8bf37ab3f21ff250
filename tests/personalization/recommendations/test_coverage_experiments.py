"""The coverage experiments' re-rankings do what docs/recommenders.md says they do."""

import numpy as np

from benchmarks.recommenders_coverage import _exposure_rerank, _mmr_rerank


def test_without_an_exposure_cost_every_list_is_its_own_top_ten():
    scores = np.random.default_rng(3).random((20, 60)).astype(np.float32)

    ranked = _exposure_rerank(scores, 10, 0.0)

    assert (ranked == np.argsort(-scores, axis=1, kind="stable")[:, :10]).all()


def test_an_exposure_cost_makes_room_for_products_others_were_shown():
    # Everyone prefers products 0-9 slightly over 10-19: without a cost all lists are the same.
    scores = np.tile(np.r_[np.linspace(1.0, 0.9, 10), np.linspace(0.85, 0.8, 10)], (4, 1)).astype(np.float32)

    plain = _exposure_rerank(scores, 10, 0.0)
    spread = _exposure_rerank(scores, 10, 1.0)

    assert len(set(plain.ravel())) == 10
    assert len(set(spread.ravel())) == 20
    assert list(spread[0]) == list(range(10))  # the first person still gets their own top ten


def test_category_mmr_spreads_a_list_over_categories():
    scores = np.array([[1.0, 0.99, 0.98, 0.97, 0.5, 0.49]], dtype=np.float32)
    categories = np.array([0, 0, 0, 0, 1, 2])

    assert list(_mmr_rerank(scores, categories, 4, 0.0)[0]) == [0, 1, 2, 3]
    assert list(_mmr_rerank(scores, categories, 4, 0.3)[0]) == [0, 1, 4, 5]
