"""Reading and cleaning the Online Retail format."""

import pandas as pd
import pytest

from personalization.recommendations.recommenders.data import (
    catalog_from_transactions,
    clean_purchases,
    load_purchases,
    read_transactions,
)
from personalization.recommendations.recommenders.errors import RecommenderDataError

from tests.personalization.retail_files import HEADER, line, shop_history, write


@pytest.mark.parametrize("compression", [None, "gz", "xz"])
def test_plain_gzip_and_xz_files_read_the_same(tmp_path, compression):
    path = write(tmp_path / "retail.bin", shop_history(), compression=compression)

    frame = read_transactions(path)

    assert len(frame) == len(shop_history())
    assert list(frame.columns) == HEADER


def test_only_real_purchases_by_known_customers_are_kept(tmp_path):
    rows = [
        line("1", "10001", "2011-01-01 10:00:00", "17850"),
        line("1", "10001", "2011-01-01 10:00:00", "17850"),  # exact duplicate line
        line("C2", "10001", "2011-01-02 10:00:00", "17850", quantity=-1),  # cancellation
        line("3", "10002", "2011-01-03 10:00:00", ""),  # guest
        line("4", "10003", "2011-01-04 10:00:00", "17850", quantity=0),
        line("5", "10004", "2011-01-05 10:00:00", "17850", price="0.0"),
        line("6", "POST", "2011-01-06 10:00:00", "17850"),
        line("7", "gift_0001_10", "2011-01-07 10:00:00", "17850"),
        line("8", "85123A", "2011-01-08 10:00:00", "12346"),
    ]
    raw = read_transactions(write(tmp_path / "r.csv", rows))

    purchases, report = clean_purchases(raw)

    assert purchases.frame[["basket_id", "item_id"]].values.tolist() == [["1", "10001"], ["8", "85123A"]]
    assert report.duplicate_lines == 1
    assert report.cancellations == 1
    assert report.no_customer == 1
    assert report.non_positive_quantity == 1
    assert report.non_positive_price == 1
    assert report.not_a_product == 2
    assert report.purchases == 2


def test_ids_are_kept_exactly_as_written(tmp_path):
    raw = read_transactions(write(tmp_path / "r.csv", [line("1", "85123A", "2011-01-01 10:00:00", "17850")]))

    purchases, _ = clean_purchases(raw)

    assert purchases.frame.loc[0, "user_id"] == "17850"  # not 17850.0
    assert purchases.frame.loc[0, "item_id"] == "85123A"


def test_missing_columns_are_named(tmp_path):
    header = [c for c in HEADER if c != "CustomerID"]
    path = write(tmp_path / "r.csv", [["1", "10001", "X", "1", "2011-01-01 10:00", "1.0", "UK"]], header=header)

    with pytest.raises(RecommenderDataError, match="missing required column.*CustomerID"):
        read_transactions(path)


def test_a_file_without_purchases_is_refused(tmp_path):
    path = write(tmp_path / "r.csv", [line("C1", "10001", "2011-01-01 10:00:00", "1", quantity=-2)])

    with pytest.raises(RecommenderDataError, match="no purchases"):
        load_purchases(path)


def test_catalog_uses_the_most_common_title_and_only_items_sold_before_the_cutoff(tmp_path):
    rows = [
        line("1", "10001", "2011-01-01 10:00:00", "1"),
        line("2", "10001", "2011-01-02 10:00:00", ""),
        ["3", "10001", "RED BAG OLD NAME", "1", "2011-01-03 10:00:00", "1.0", "2", "UK"],
        line("4", "10002", "2011-02-01 10:00:00", "1"),
    ]
    raw = read_transactions(write(tmp_path / "r.csv", rows))

    catalog = catalog_from_transactions(raw, before=pd.Timestamp("2011-02-01"))

    assert catalog["item_id"].tolist() == ["10001"]
    assert catalog.loc[0, "title"] == "RED RETROSPOT JUMBO BAG"
    assert catalog.loc[0, "category"] == "BAG"
