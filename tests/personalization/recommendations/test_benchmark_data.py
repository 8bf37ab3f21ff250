"""The benchmark's synthetic data keeps the size it was asked for and the shop's shape."""

import pandas as pd

from benchmarks.recommenders import synthetic
from personalization.recommendations.recommenders.data import catalog_from_transactions, load_purchases


def test_synthetic_data_has_the_requested_size_and_real_looking_baskets(sample_data_path):
    raw, purchases, _ = load_purchases(sample_data_path)
    titles = catalog_from_transactions(raw)["title"]

    data, items = synthetic(purchases, n_interactions=5_000, n_items=300, titles=titles)
    again, _ = synthetic(purchases, n_interactions=5_000, n_items=300, titles=titles)

    assert len(data) == 5_000
    assert len(items) == 300 and items["title"].str.len().min() > 0
    assert data.frame["item_id"].between(0, 299).all()
    sizes = data.frame.groupby("basket_id").size()
    real_sizes = purchases.frame.groupby("basket_id").size()
    assert abs(sizes.median() - real_sizes.median()) <= real_sizes.median()  # same order of magnitude
    pd.testing.assert_frame_equal(data.frame, again.frame)  # seeded
