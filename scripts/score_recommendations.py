"""Score a ``--recommendations`` file against the raw data, independently of the library.

Plain pandas and the protocol as written in docs/recommenders.md; nothing is
imported from ``personalization``, so a mistake in the library's own cleaning
or metrics cannot hide here.

    python scripts/score_recommendations.py DATA.csv[.xz] RECOMMENDATIONS.csv \
        --cutoff 2011-10-01 [--test-days N]

Prints NDCG@10 and hit rate@10 for returning customers (truth: the items they
bought in the test window for the first time) and for new customers (truth:
everything they bought).
"""

import argparse

import numpy as np
import pandas as pd

FEES = {"POST", "D", "M", "C2", "DOT", "BANK CHARGES", "AMAZONFEE", "CRUK", "PADS", "S", "B"}


def purchases(path: str) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str, keep_default_na=False).drop_duplicates()
    code = raw["StockCode"].str.strip().str.upper()
    keep = (
        ~raw["InvoiceNo"].str.upper().str.startswith("C")
        & (raw["CustomerID"].str.strip() != "")
        & (pd.to_numeric(raw["Quantity"], errors="coerce") > 0)
        & (pd.to_numeric(raw["UnitPrice"], errors="coerce") > 0)
        & ~code.isin(FEES)
        & ~code.str.startswith("GIFT")
    )
    frame = raw.loc[keep, ["CustomerID", "StockCode", "InvoiceDate"]]
    frame.columns = ["user", "item", "when"]
    frame["when"] = pd.to_datetime(frame["when"])
    return frame


def ndcg_and_hit(ranked: list, truth: set) -> tuple[float, float]:
    gains = [1.0 / np.log2(rank + 2) for rank, item in enumerate(ranked[:10]) if item in truth]
    ideal = sum(1.0 / np.log2(rank + 2) for rank in range(min(len(truth), 10)))
    return sum(gains) / ideal, float(bool(gains))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("recommendations")
    parser.add_argument("--cutoff", required=True)
    parser.add_argument("--test-days", type=int)
    args = parser.parse_args()
    frame = purchases(args.data)
    cutoff = pd.Timestamp(args.cutoff)
    test = frame[frame["when"] >= cutoff]
    if args.test_days:
        test = test[test["when"] < cutoff + pd.Timedelta(days=args.test_days)]
    past = frame[frame["when"] < cutoff].groupby("user")["item"].agg(set)
    bought = test.groupby("user")["item"].agg(set)
    recs = pd.read_csv(args.recommendations, dtype=str).assign(rank=lambda r: r["rank"].astype(int))
    lists = recs.sort_values(["user_id", "rank"]).groupby("user_id")["item_id"].agg(list)
    groups = {"returning": [], "new": []}
    for user, items in bought.items():
        if user in past.index:
            truth, group = items - past[user], "returning"
        else:
            truth, group = items, "new"
        if truth:
            groups[group].append(ndcg_and_hit(lists.get(user, []), truth))
    for group, scores in groups.items():
        if scores:
            ndcg, hit = np.mean(scores, axis=0)
            print(f"{group} customers: {len(scores)}, NDCG@10 {ndcg:.4f}, hit rate@10 {hit:.4f}")


if __name__ == "__main__":
    main()
