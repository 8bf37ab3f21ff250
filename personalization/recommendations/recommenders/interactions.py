"""Typed containers the recommenders are fitted on.

The shop's recommendations app builds these from its own event tables; the
evaluation command builds them from the Online Retail CSV format. Nothing here
knows about Django or a database.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from .errors import RecommenderDataError

INTERACTION_COLUMNS = ("user_id", "item_id", "timestamp", "quantity", "basket_id")
ITEM_COLUMNS = ("item_id", "title", "category")


@dataclass(frozen=True)
class Interactions:
    """One row per purchase line: who bought what, when, how many, in which basket.

    Guarantees: the frame has exactly the columns in ``INTERACTION_COLUMNS``,
    ``timestamp`` is datetime64, ``quantity`` is a positive float, and rows are
    sorted by (timestamp, basket_id, user_id, item_id) so every consumer sees
    the same order whatever order the source had.
    """

    frame: pd.DataFrame

    def __post_init__(self) -> None:
        missing = [c for c in INTERACTION_COLUMNS if c not in self.frame.columns]
        if missing:
            raise RecommenderDataError(f"interactions are missing columns: {', '.join(missing)}")
        frame = self.frame.loc[:, list(INTERACTION_COLUMNS)].copy()
        frame["timestamp"] = pd.to_datetime(frame["timestamp"])
        frame["quantity"] = frame["quantity"].astype("float64")
        frame = frame.sort_values(
            ["timestamp", "basket_id", "user_id", "item_id"], kind="mergesort"
        ).reset_index(drop=True)
        object.__setattr__(self, "frame", frame)

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def now(self) -> pd.Timestamp:
        """The latest timestamp: the frozen 'now' a model uses unless told otherwise."""
        if self.frame.empty:
            raise RecommenderDataError("there are no interactions")
        return pd.Timestamp(self.frame["timestamp"].iloc[-1])

    def before(self, moment: pd.Timestamp) -> Interactions:
        return Interactions(self.frame[self.frame["timestamp"] < moment])

    def between(self, start: pd.Timestamp, end: pd.Timestamp | None) -> Interactions:
        mask = self.frame["timestamp"] >= start
        if end is not None:
            mask &= self.frame["timestamp"] < end
        return Interactions(self.frame[mask])


def items_frame(items: pd.DataFrame | None, interactions: Interactions) -> pd.DataFrame:
    """The catalog a model ranks: every listed item plus any item that was bought.

    Sorted by item id so that integer positions, and therefore tie-breaks, do
    not depend on the order rows arrived in.
    """
    bought = pd.Index(interactions.frame["item_id"].unique())
    if items is None or items.empty:
        frame = pd.DataFrame({"item_id": bought, "title": "", "category": ""})
    else:
        missing = [c for c in ITEM_COLUMNS if c not in items.columns]
        if missing:
            raise RecommenderDataError(f"items are missing columns: {', '.join(missing)}")
        frame = items.loc[:, list(ITEM_COLUMNS)].drop_duplicates("item_id")
        extra = bought.difference(pd.Index(frame["item_id"]))
        if len(extra):
            frame = pd.concat(
                [frame, pd.DataFrame({"item_id": extra, "title": "", "category": ""})],
                ignore_index=True,
            )
    frame = frame.fillna({"title": "", "category": ""})
    return frame.sort_values("item_id", kind="mergesort").reset_index(drop=True)


class IdIndex:
    """A fixed mapping between external ids and the integer rows/columns of a matrix."""

    def __init__(self, ids: np.ndarray | pd.Index | list) -> None:
        self.index = pd.Index(ids)
        if not self.index.is_unique:
            raise RecommenderDataError("ids must be unique")
        self.ids = self.index.to_numpy()

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, key: object) -> bool:
        return key in self.index

    def position(self, key: object) -> int:
        """Position of ``key``, or -1 when unknown."""
        return int(self.index.get_indexer([key])[0])

    def lookup(self, keys: pd.Series | np.ndarray | list) -> np.ndarray:
        """Positions of ``keys``; -1 where a key is unknown."""
        return self.index.get_indexer(keys).astype(np.int64)


def time_decay(timestamps: pd.Series, now: pd.Timestamp, half_life_days: float | None) -> np.ndarray:
    """Weight 1 at ``now`` halving every ``half_life_days``; all ones when None."""
    if half_life_days is None:
        return np.ones(len(timestamps), dtype=np.float64)
    age_days = (now - timestamps).dt.total_seconds().to_numpy() / 86400.0
    return np.power(0.5, np.clip(age_days, 0.0, None) / half_life_days)


def user_item_matrix(
    interactions: Interactions,
    users: IdIndex,
    items: IdIndex,
    now: pd.Timestamp,
    half_life_days: float | None = None,
) -> sparse.csr_matrix:
    """Users x items, float32: each cell is the largest time-decayed weight of a purchase.

    The latest purchase counts (max, not sum) because a wholesaler buying the
    same item every week would otherwise drown out everything else they buy.
    """
    frame = interactions.frame
    rows = users.lookup(frame["user_id"].to_numpy())
    cols = items.lookup(frame["item_id"].to_numpy())
    weights = time_decay(frame["timestamp"], now, half_life_days)
    keep = (rows >= 0) & (cols >= 0)
    cells = pd.DataFrame({"r": rows[keep], "c": cols[keep], "w": weights[keep]})
    cells = cells.groupby(["r", "c"], sort=True)["w"].max().reset_index()
    return sparse.csr_matrix(
        (cells["w"].to_numpy(np.float32), (cells["r"].to_numpy(), cells["c"].to_numpy())),
        shape=(len(users), len(items)),
        dtype=np.float32,
    )
