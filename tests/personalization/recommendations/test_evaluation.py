"""The evaluation protocol and the evaluate_recommenders command."""

import csv
import json

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from personalization.recommendations.recommenders import AlsoBoughtRecommender, Interactions
from personalization.recommendations.recommenders.cooccurrence import neighbour_lists
from personalization.recommendations.recommenders.data import load_purchases
from personalization.recommendations.recommenders.errors import RecommenderDataError
from personalization.recommendations.recommenders.evaluation import (
    also_bought_report,
    evaluate,
    for_you_users,
    split_by_time,
)

from tests.personalization.retail_files import shop_history, write


@pytest.fixture
def shop_file(tmp_path):
    return write(tmp_path / "shop.csv.xz", shop_history(), compression="xz")


def read_recommendations(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_test_users_are_split_into_warm_with_new_items_and_cold(shop_file):
    raw, purchases, _ = load_purchases(shop_file)
    split = split_by_time(raw, purchases, pd.Timestamp("2011-03-01"), None)

    warm, warm_truth, cold, cold_truth = for_you_users(split)

    # 101 bought nothing in the test window; 104's re-bought bag is not new to them.
    assert warm == ["102", "104"]
    assert warm_truth == [{"10001", "10002"}, {"10003"}]
    assert cold == ["999"]
    assert cold_truth == [{"10001", "10008"}]


def test_evaluate_reports_every_model_and_writes_top_ten_per_test_user(shop_file, tmp_path):
    out = tmp_path / "recs.csv"

    result = evaluate(shop_file, "2011-03-01", recommendations_path=out)

    assert set(result["for_you"]["models"]) == {"popularity_all_time", "trending_30d", "svd", "ease", "for_you"}
    for metrics in result["for_you"]["models"].values():
        assert {"precision@10", "recall@10", "ndcg@10", "hit_rate@10", "map@10", "coverage"} <= set(metrics)
    assert result["cold_users"]["users"] == 1
    assert result["also_bought"]["also_bought"]["baskets"] == 3
    rows = read_recommendations(out)
    assert {r["user_id"] for r in rows} == {"102", "104", "999"}
    for user in ("102", "104", "999"):
        ranks = [int(r["rank"]) for r in rows if r["user_id"] == user]
        assert ranks == list(range(1, len(ranks) + 1))
    # Already-bought items are never recommended back.
    assert not {r["item_id"] for r in rows if r["user_id"] == "102"} & {"10003", "10004"}


def test_also_bought_protocol_scores_a_known_companion_as_a_perfect_hit(shop_file):
    raw, purchases, _ = load_purchases(shop_file)
    train = purchases.before(pd.Timestamp("2011-03-01"))
    model = AlsoBoughtRecommender(content_fill=False).fit(train)
    pairs = Interactions(
        pd.DataFrame(
            {
                "user_id": ["1", "1", "2", "2", "3"],
                "item_id": ["10001", "10002", "10003", "10004", "10005"],
                "timestamp": pd.Timestamp("2011-03-02"),
                "quantity": 1.0,
                "basket_id": ["b1", "b1", "b2", "b2", "single"],
            }
        )
    )

    report = also_bought_report(neighbour_lists(model, 10), model.items_, pairs)

    assert report["baskets"] == 2  # the one-item basket has nothing to predict
    assert report["queries"] == 4
    assert report["hit_rate@10"] == pytest.approx(1.0)
    assert report["ndcg@10"] == pytest.approx(1.0)


def test_two_runs_write_identical_recommendations(sample_data_path, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"

    evaluate(sample_data_path, "2010-12-15", recommendations_path=first)
    evaluate(sample_data_path, "2010-12-15", recommendations_path=second)

    assert first.read_bytes() == second.read_bytes()
    rows = read_recommendations(first)
    assert rows and all(r["user_id"].isdigit() for r in rows)  # ids as in the file, not 17850.0


def test_on_real_data_the_personal_model_beats_popularity(sample_data_path):
    result = evaluate(sample_data_path, "2010-12-15")

    models = result["for_you"]["models"]
    assert models["for_you"]["ndcg@10"] > models["popularity_all_time"]["ndcg@10"]
    assert result["also_bought"]["also_bought"]["hit_rate@10"] > result["also_bought"]["popularity_all_time"]["hit_rate@10"]


def test_command_writes_json_and_prints_a_table(shop_file, tmp_path, capsys):
    out = tmp_path / "metrics.json"

    call_command("evaluate_recommenders", "--data", str(shop_file), "--cutoff", "2011-03-01", "--json", str(out))

    assert json.loads(out.read_text())["data"]["cutoff"] == "2011-03-01"
    assert "for_you" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("cutoff", "message"),
    [
        ("2012-01-01", "cutoff 2012-01-01 is after the data"),
        ("2010-01-01", "no purchases before the cutoff"),
        ("01/03/2011", "cutoff must be a date like"),
    ],
)
def test_command_turns_bad_input_into_a_clear_error(shop_file, tmp_path, cutoff, message):
    with pytest.raises(CommandError, match=message):
        call_command(
            "evaluate_recommenders", "--data", str(shop_file), "--cutoff", cutoff, "--json", str(tmp_path / "m.json")
        )


def test_command_names_missing_columns(tmp_path):
    path = write(tmp_path / "bad.csv", [["1", "10001"]], header=["InvoiceNo", "StockCode"])

    with pytest.raises(CommandError, match="missing required column.*CustomerID"):
        call_command("evaluate_recommenders", "--data", str(path), "--cutoff", "2011-03-01", "--json", str(tmp_path / "m.json"))


def test_an_empty_test_window_is_refused(shop_file):
    with pytest.raises(RecommenderDataError, match="no purchases in the test window"):
        evaluate(shop_file, "2011-02-28", test_days=1)


def test_an_independent_scorer_reproduces_the_reported_numbers(tmp_path):
    """scripts/score_recommendations.py reads the raw file with plain pandas and
    imports nothing from the library; it must agree with what evaluate reports."""
    import re
    import subprocess
    import sys

    from tests.conftest import PROJECT_ROOT, SAMPLE_DATA

    out = tmp_path / "recs.csv"
    result = evaluate(SAMPLE_DATA, "2010-12-10", recommendations_path=out)

    scored = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "score_recommendations.py"), str(SAMPLE_DATA), str(out),
         "--cutoff", "2010-12-10"],
        capture_output=True, text=True, check=True,
    ).stdout
    found = {
        group: (int(users), float(ndcg), float(hit))
        for group, users, ndcg, hit in re.findall(
            r"(\w+) customers: (\d+), NDCG@10 ([\d.]+), hit rate@10 ([\d.]+)", scored
        )
    }
    ours = result["for_you"]["models"]["for_you"]
    cold = result["cold_users"]["models"]["for_you"]
    assert ours["users"] > 20 and cold["users"] > 20
    assert found["returning"] == (ours["users"], pytest.approx(ours["ndcg@10"], abs=1e-4),
                                  pytest.approx(ours["hit_rate@10"], abs=1e-4))
    assert found["new"] == (cold["users"], pytest.approx(cold["ndcg@10"], abs=1e-4),
                            pytest.approx(cold["hit_rate@10"], abs=1e-4))
