"""Ranking metrics on lists small enough to work out by hand."""

import math

import pytest

from personalization.recommendations.recommenders.metrics import per_user_scores, ranking_report


def test_a_single_hit_at_rank_two():
    scores = per_user_scores(["a", "b", "c"], {"b", "z"}, k=10)

    assert scores["precision"] == pytest.approx(0.1)
    assert scores["recall"] == pytest.approx(0.5)
    assert scores["hit_rate"] == 1.0
    # DCG = 1/log2(3); ideal with two relevant items = 1 + 1/log2(3)
    assert scores["ndcg"] == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    # AP = precision at the hit (1/2) over min(|truth|, k) = 2
    assert scores["map"] == pytest.approx(0.25)


def test_a_perfect_list_scores_one():
    scores = per_user_scores(["a", "b"], {"a", "b"}, k=10)

    assert scores["ndcg"] == pytest.approx(1.0)
    assert scores["map"] == pytest.approx(1.0)
    assert scores["recall"] == pytest.approx(1.0)


def test_hits_beyond_k_do_not_count():
    assert per_user_scores(["x"] * 10 + ["a"], {"a"}, k=10)["hit_rate"] == 0.0


def test_report_averages_users_and_measures_coverage():
    report = ranking_report([["a", "b"], ["a", "c"]], [{"a"}, {"z"}], k=2, catalog_size=10)

    assert report["hit_rate@2"] == pytest.approx(0.5)
    assert report["coverage"] == pytest.approx(0.3)
    assert report["users"] == 2
