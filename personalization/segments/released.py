"""Segment reports as the merchant sees them: sizes, profiles and moves released with noise, once per run.

A run stores its exact segments (they decide prices); the admin shows only this release of them
(privacy.disclosure, family "segment_reports"), made by the first look at the run and read back
after. A profile's means are released sums of clamped values divided by the released size: one
customer changes a segment's spend by at most SPEND_CLAMP, its orders by at most ORDERS_CLAMP.
Every segment name and every move between names is released (noise on zero, too), so which
figures exist says nothing; a segment or a move is shown when its released size reaches the run's
minimum group size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.db.models import CharField, OuterRef, Value
from django.db.models.functions import Cast, Concat

from privacy.disclosure import Figure, figures_release, release_values

from .models import SegmentRun
from .names import SEGMENT_NAMES
from .segmentation import customer_features

RECENCY_CLAMP_DAYS = 730
ORDERS_CLAMP = 20
SPEND_CLAMP = 1000  # whole units of the shop's currency
NONE = "(none)"
# One customer changes: the number of customers, the size of their segment (or the number in no
# segment), that segment's three sums, and one move.
FIGURES_PER_PERSON = 6
FAMILY = "segment_reports"
# The name a list's query gives the values of each run's release (`with_released_reports`).
RELEASED = "released_report"
KEY_PREFIX = "segment-run-"  # a run's release key: the prefix and its id


@dataclass(frozen=True)
class SegmentReport:
    """A run as the admin shows it: the same names as `SegmentRun`, released figures in them."""

    run: SegmentRun
    customers: int
    suppressed: int
    segments: list[dict]
    movement: list[dict]

    @property
    def pk(self) -> int:
        return self.run.pk

    @property
    def computed_at(self) -> datetime:
        return self.run.computed_at

    @property
    def k(self) -> int:
        return self.run.k

    @property
    def silhouette(self) -> float | None:
        return self.run.silhouette

    @property
    def min_size(self) -> int:
        return self.run.min_size


def _moves() -> list[tuple[str, str]]:
    names = [*SEGMENT_NAMES, NONE]
    return [(before, after) for before in names for after in names if before != after]


def _previous_run(run: SegmentRun) -> SegmentRun | None:
    return (SegmentRun.objects.filter(computed_at__lt=run.computed_at).order_by("-computed_at", "-id").first())


def segment_figures_exact(run: SegmentRun) -> dict[str, Figure]:
    """The run's figures, exact, as one release takes them (never shown)."""
    members = dict(run.memberships.values_list("user_id", "segment"))
    features = customer_features(now=run.computed_at)
    index = {user_id: position for position, user_id in enumerate(features.user_ids)}
    recency = np.clip(np.rint(features.recency_days), 0, RECENCY_CLAMP_DAYS).astype(int)
    orders = np.clip(np.rint(features.frequency), 0, ORDERS_CLAMP).astype(int)
    spend = np.clip(np.rint(features.monetary), 0, SPEND_CLAMP).astype(int)
    figures = {"customers": Figure(len(features.user_ids)),
               "suppressed": Figure(sum(1 for user_id in features.user_ids if user_id not in members))}
    for name in SEGMENT_NAMES:
        in_segment = [user_id for user_id, segment in members.items() if segment == name]
        rows = [index[user_id] for user_id in in_segment if user_id in index]
        figures[f"{name}:size"] = Figure(len(in_segment))
        figures[f"{name}:recency"] = Figure(int(recency[rows].sum()), RECENCY_CLAMP_DAYS)
        figures[f"{name}:orders"] = Figure(int(orders[rows].sum()), ORDERS_CLAMP)
        figures[f"{name}:spend"] = Figure(int(spend[rows].sum()), SPEND_CLAMP)
    previous_run = _previous_run(run)
    if previous_run is not None:
        before = dict(previous_run.memberships.values_list("user_id", "segment"))
        moved: dict[tuple[str, str], int] = {}
        for user_id in set(before) | set(members):
            step = (before.get(user_id, NONE), members.get(user_id, NONE))
            if step[0] != step[1]:
                moved[step] = moved.get(step, 0) + 1
        for step in _moves():
            figures[f"move:{step[0]}>{step[1]}"] = Figure(moved.get(step, 0))
    return figures


def _mean(total: int | None, size: int, clamp: int) -> float:
    return min(max((total or 0) / size, 0.0), float(clamp))


def with_released_reports(runs):
    """`runs` reading each one's release with its row (one query for a whole list), so that
    `segment_report` reads no more for a run already released."""
    key = Concat(Value(KEY_PREFIX), Cast(OuterRef("pk"), output_field=CharField()))
    return runs.annotate(**{RELEASED: release_values(FAMILY, release_key=key)})


def segment_report(run: SegmentRun) -> SegmentReport:
    """The run's released report (released now if this is the first look at it)."""
    values = getattr(run, RELEASED, None)
    if values is None:
        values = figures_release(family_key=FAMILY, release_key=f"{KEY_PREFIX}{run.pk}",
                                 compute=lambda: segment_figures_exact(run),
                                 figures_per_person=FIGURES_PER_PERSON).values
    segments = []
    for name in SEGMENT_NAMES:
        size = values.get(f"{name}:size")
        if size is None or size < run.min_size:
            continue
        segments.append({"name": name, "size": size,
                         "recency_days": round(_mean(values.get(f"{name}:recency"), size, RECENCY_CLAMP_DAYS), 1),
                         "frequency": round(_mean(values.get(f"{name}:orders"), size, ORDERS_CLAMP), 2),
                         "monetary": round(_mean(values.get(f"{name}:spend"), size, SPEND_CLAMP), 2)})
    segments.sort(key=lambda s: (-s["size"], s["name"]))
    movement = [{"from": before, "to": after, "customers": values[f"move:{before}>{after}"]}
                for before, after in _moves()
                if (values.get(f"move:{before}>{after}") or 0) >= run.min_size]
    return SegmentReport(run=run, customers=max(values.get("customers") or 0, 0),
                         suppressed=max(values.get("suppressed") or 0, 0), segments=segments, movement=movement)
