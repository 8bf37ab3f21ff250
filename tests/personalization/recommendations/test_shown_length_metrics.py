"""What is shown is what is scored: NDCG, hit rate and coverage at the rail's shown length (8)
next to 10, in the metrics, the evaluate_recommenders command and every trained version."""

import json
import math
import re

import pytest
from django.core.management import call_command

from personalization.recommendations.recommenders.metrics import SHOWN_K, shown_and_top_report
from personalization.recommendations.training import recommenders_train
from shop.recommendations import SHOWN_PER_RAIL
from tests.personalization.worlds import NOW, bought, customer, products

from tests.personalization.retail_files import shop_history, write


def test_the_scored_length_is_the_length_pages_show():
    assert SHOWN_K == SHOWN_PER_RAIL == 8


def test_a_hit_at_rank_nine_counts_at_ten_but_not_at_the_eight_shown():
    first = [f"x{i}" for i in range(8)] + ["hit", "x9"]
    second = [f"y{i}" for i in range(10)]

    report = shown_and_top_report([first, second], [{"hit"}, {"miss"}], catalog_size=40)

    assert report["hit_rate@8"] == 0.0 and report["ndcg@8"] == 0.0
    assert report["hit_rate@10"] == pytest.approx(0.5)
    assert report["ndcg@10"] == pytest.approx(0.5 / math.log2(10))
    assert report["coverage@8"] == pytest.approx(16 / 40)
    assert report["coverage@10"] == pytest.approx(20 / 40) == report["coverage"]


def test_the_command_prints_and_writes_the_figures_at_eight_and_ten(tmp_path, capsys):
    shop_file = write(tmp_path / "shop.csv.xz", shop_history(), compression="xz")
    out = tmp_path / "metrics.json"

    call_command("evaluate_recommenders", "--data", str(shop_file), "--cutoff", "2011-03-01", "--json", str(out))

    printed = capsys.readouterr().out
    header = next(line for line in printed.splitlines() if line.startswith("model") and "NDCG@8" in line)
    assert re.findall(r"\S+", header)[-4:] == ["cov@10", "NDCG@8", "HR@8", "cov@8"]
    written = json.loads(out.read_text())
    for group in ("for_you", "cold_users"):
        for metrics in written[group]["models"].values():
            assert {"ndcg@8", "hit_rate@8", "coverage@8", "ndcg@10", "hit_rate@10", "coverage@10"} <= set(metrics)
    for_you = written["for_you"]["models"]["for_you"]
    row = next(line for line in printed.splitlines() if line.startswith("for_you "))
    assert row.split()[-3:] == [f"{for_you['ndcg@8']:.4f}", f"{for_you['hit_rate@8']:.4f}",
                                f"{for_you['coverage@8']:.3f}"]


@pytest.mark.django_db
def test_every_trained_version_records_its_held_out_figures_at_eight_and_ten():
    items = products(12)
    for index in range(6):
        person = customer()
        bought(person, *items[index:index + 3], days_ago=60)
        bought(person, items[(index + 5) % 12], days_ago=5)

    version = recommenders_train(until=NOW)

    for model in ("for_you", "trending"):
        figures = version.metrics[model]
        assert {"ndcg@8", "ndcg@10", "hit_rate@8", "hit_rate@10", "coverage@8", "coverage@10"} <= set(figures)
        assert figures["hit_rate@8"] <= figures["hit_rate@10"]
        assert 0 < figures["coverage@8"] <= figures["coverage@10"] <= 1
    assert version.parameters["evaluation"]["shown_k"] == 8
