"""Training: every rail fitted from the consented event store and stored as a new model version.

What it guarantees:
- Only purchases of subjects whose personalization consent is in force are read, and
  only from the event store (never from orders). Everyone else is absent from every
  model and every count.
- The item index is the published catalog in primary-key order, and every model is
  fitted with a fixed seed and a frozen "now" (`trained_until`): the same event store
  and the same "now" give the same lists and the same parameters.
- Aggregate lists ("trending", "also bought") only hold products with at least
  PERSONALIZATION_MIN_SUPPORT distinct consenting customers behind them.
- Lists are written under a version that nobody reads until `_activate` switches it
  in one transaction; at that moment, lists of anyone who withdrew meanwhile are dropped.
- A withdrawal or erasure request is marked done only by a training that started after it
  and whose every subject still consents at activation; that training also drops the lists
  of every older version (`model_versions_unlearn`), which keep only their metrics.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from scipy import sparse
from threadpoolctl import threadpool_limits

from privacy.disclosure import figures_release, released_count
from privacy.models import ConsentRecord
from privacy.purposes import PERSONALIZATION
from privacy.selectors import consenting_subjects
from shop.catalog.fragments import catalog_changed
from shop.catalog.models import Product

from .models import (
    BehaviourEvent,
    EventKind,
    ModelVersion,
    ModelVersionStatus,
    Rail,
    RecommendationList,
    RetrainingRequest,
)
from .recommenders import (
    AlsoBoughtRecommender,
    BuyAgainRecommender,
    ContentRecommender,
    Interactions,
    PersonalRecommender,
    TrendingRecommender,
)
from .recommenders.metrics import SHOWN_K, TOP_K, shown_and_top_report
from .retraining import model_versions_unlearn

logger = logging.getLogger(__name__)

LIST_LENGTH = 24  # stored per list; pages show fewer after leaving out what is out of stock
TRENDING_WINDOW_DAYS = 30
HOLDOUT_DAYS = 28
PARAMETERS = {
    "for_you": {"method": "auto", "seed": 7, "list_length": LIST_LENGTH},
    "trending": {"window_days": TRENDING_WINDOW_DAYS},
    "also_bought": {"neighbours": 50},
    "similar": {"neighbours": 50},
    "evaluation": {"holdout_days": HOLDOUT_DAYS, "k": TOP_K, "shown_k": SHOWN_K},
}

Progress = Callable[[int, str], None]


@dataclass
class TrainingData:
    """The consented purchases as the recommender library takes them, and the catalog."""

    purchases: Interactions
    items: pd.DataFrame
    customers: list[str]  # subject keys of consenting accounts with purchases, sorted
    counts: dict[str, int] = field(default_factory=dict)
    data_from: datetime | None = None
    # Whose events were read (account ids, visitor ids): held in memory only, never stored.
    users_read: frozenset[int] = frozenset()
    visitors_read: frozenset = frozenset()


@dataclass
class TrainedModels:
    """The fitted models of one training, for inspection (tests compare their parameters)."""

    trending: TrendingRecommender
    also_bought: AlsoBoughtRecommender
    similar: ContentRecommender
    for_you: PersonalRecommender
    buy_again: BuyAgainRecommender
    support: sparse.csr_matrix  # items x items: distinct customers who bought both


def user_key(user_id: int) -> str:
    return f"u{user_id}"


def _visitor_key(visitor_id) -> str:
    return f"v{visitor_id.hex}"


def training_data_load(*, until: datetime) -> TrainingData:
    """Consenting subjects' purchases up to `until`, and the published catalog."""
    users, visitors = consenting_subjects(purpose=PERSONALIZATION)
    catalog = list(Product.objects.published().order_by("pk").values_list("pk", "title", "category__name"))
    items = pd.DataFrame(catalog, columns=["item_id", "title", "category"])
    published = set(items["item_id"])
    rows = []
    users_read: set[int] = set()
    visitors_read: set = set()
    events = (BehaviourEvent.objects.filter(kind=EventKind.PURCHASED, occurred_at__lte=until)
              .order_by("occurred_at", "id")
              .values_list("user_id", "visitor_id", "product_id", "occurred_at", "quantity", "order_id"))
    for user_id, visitor_id, product_id, occurred_at, quantity, order_id in events.iterator(chunk_size=10_000):
        if product_id not in published:
            continue
        if user_id is not None and user_id in users:
            subject = user_key(user_id)
            users_read.add(user_id)
        elif visitor_id is not None and visitor_id in visitors:
            subject = _visitor_key(visitor_id)
            visitors_read.add(visitor_id)
        else:
            continue  # consent no longer in force: the event is left out, as if it were not there
        basket = f"o{order_id}" if order_id else f"{subject}:{occurred_at:%Y%m%d%H%M}"
        rows.append((subject, product_id, occurred_at, float(quantity), basket))
    frame = pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp", "quantity", "basket_id"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True).dt.tz_convert(None)
    frame["item_id"] = frame["item_id"].astype("int64")
    subjects = frame["user_id"].unique()
    customers = sorted(s for s in subjects if s.startswith("u"))
    return TrainingData(
        purchases=Interactions(frame),
        items=items,
        customers=customers,
        counts={
            "subjects": int(len(subjects)),
            "customers": len(customers),
            "visitors": int(len(subjects) - len(customers)),
            "events": int(len(frame)),
            "orders": int(frame["basket_id"].nunique()),
            "products": int(len(items)),
        },
        data_from=frame["timestamp"].min().to_pydatetime().replace(tzinfo=UTC) if len(frame) else None,
        users_read=frozenset(users_read),
        visitors_read=frozenset(visitors_read),
    )


def _frozen_now(until: datetime) -> pd.Timestamp:
    return pd.Timestamp(until).tz_convert("UTC").tz_localize(None)


def _support_matrix(purchases: Interactions, items: pd.DataFrame) -> sparse.csr_matrix:
    """Items x items: how many distinct customers bought both (the diagonal: buyers of each)."""
    frame = purchases.frame[["user_id", "item_id"]].drop_duplicates()
    positions = pd.Index(items["item_id"]).get_indexer(frame["item_id"])
    subjects, subject_rows = np.unique(frame["user_id"].to_numpy(), return_inverse=True)
    bought = sparse.csr_matrix(
        (np.ones(len(frame), dtype=np.int32), (subject_rows, positions)), shape=(len(subjects), len(items))
    )
    return (bought.T @ bought).tocsr()


def models_fit(data: TrainingData, *, now: pd.Timestamp) -> TrainedModels:
    """Fit every rail's model on `data` as of `now` (deterministic)."""
    purchases, items = data.purchases, data.items
    with threadpool_limits(limits=settings.PERSONALIZATION_TRAINING_THREADS):
        return TrainedModels(
            trending=TrendingRecommender(window_days=TRENDING_WINDOW_DAYS, now=now).fit(purchases, items),
            also_bought=AlsoBoughtRecommender(neighbours=50, content_fill=False, now=now).fit(purchases, items),
            similar=ContentRecommender(neighbours=50).fit(None, items),
            for_you=PersonalRecommender(seed=7, now=now).fit(purchases, items),
            buy_again=BuyAgainRecommender(now=now).fit(purchases, items),
            support=_support_matrix(purchases, items),
        )


def _entry(product_id, reason: str, about=None, titles: dict | None = None, count: int | None = None) -> dict:
    """One stored recommendation: the product, the reason code, and what the reason names."""
    entry = {"product": int(product_id), "reason": reason}
    if about is not None:
        entry["about"] = int(about)
        entry["about_title"] = titles.get(int(about), "") if titles else ""
    if count is not None:
        entry["customers"] = int(count)
    return entry


def _library_entry(recommendation, titles: dict) -> dict:
    code, _, about = recommendation.reason.partition(":")
    return _entry(recommendation.item_id, code, int(about) if about else None, titles)


def _everyones_list(models: TrainedModels, item_ids: np.ndarray, minimum: int) -> list[dict]:
    """The home page's list for everyone: trending over the recent window, then the most-bought
    of all time ("popular") after it, so it is never empty while products have sold to enough
    consenting customers; every product, either way, has `minimum` of them behind it."""
    recent = models.trending.buyers_
    ever = models.support.diagonal()
    trending = [_entry(item_ids[p], "trending", count=recent[p])
                for p in np.argsort(-models.trending.scores(), kind="stable") if recent[p] >= minimum]
    named = {entry["product"] for entry in trending}
    popular = [_entry(item_ids[p], "popular", count=ever[p])
               for p in np.argsort(-ever, kind="stable")
               if ever[p] >= minimum and int(item_ids[p]) not in named]
    return (trending + popular)[:LIST_LENGTH]


def lists_build(models: TrainedModels, data: TrainingData) -> dict[tuple[str, str | None, int | None], list]:
    """Every stored list, keyed by (rail, subject key or None, product id or None)."""
    minimum = settings.PERSONALIZATION_MIN_SUPPORT
    item_ids = data.items["item_id"].to_numpy()
    titles = dict(zip(data.items["item_id"].tolist(), data.items["title"].tolist()))
    buyers = models.support.diagonal()
    lists: dict[tuple[str, str | None, int | None], list] = {}

    lists[(Rail.TRENDING, None, None)] = _everyones_list(models, item_ids, minimum)

    for position, product_id in enumerate(item_ids):
        product_id = int(product_id)
        row = models.support.getrow(position)
        together = dict(zip(row.indices.tolist(), row.data.tolist()))
        also = [
            _entry(item_ids[other], "bought_with", product_id, titles, count=together[other])
            for other, _score, _reason in models.also_bought.similar_positions(position, LIST_LENGTH * 2)
            if together.get(other, 0) >= minimum and buyers[position] >= minimum
        ][:LIST_LENGTH]
        if also:
            lists[(Rail.ALSO_BOUGHT, None, product_id)] = also
        similar = [_entry(item_ids[other], "similar_to", product_id, titles)
                   for other, _score in models.similar.similar_positions(position, LIST_LENGTH)]
        if similar:
            lists[(Rail.SIMILAR, None, product_id)] = similar

    for_you = models.for_you.recommend_with_reasons(data.customers, n=LIST_LENGTH)
    for customer in data.customers:
        picks = [_library_entry(r, titles) for r in for_you[customer]]
        if picks:
            lists[(Rail.FOR_YOU, customer, None)] = picks
        again = [_library_entry(r, titles) for r in models.buy_again.recommend(customer, n=LIST_LENGTH)]
        if again:
            lists[(Rail.BUY_AGAIN, customer, None)] = again
    return lists


def _figure_name(entry: dict) -> str:
    return f"{entry['reason']}:{entry.get('about', '')}:{entry['product']}"


def rail_figures_release(version: ModelVersion, lists: dict) -> dict:
    """`lists` with every entry's exact `customers` replaced by its released figure: noised once for
    this model version (family "rail_customers"), rounded, and left out below the minimum
    support. The exact counts ranked the lists; they are not stored."""
    minimum = settings.PERSONALIZATION_MIN_SUPPORT
    counted = [entry for entries in lists.values() for entry in entries if "customers" in entry]
    release = figures_release(family_key="rail_customers", release_key=f"model-version-{version.pk}",
                              compute=lambda: {_figure_name(entry): entry["customers"] for entry in counted})
    for entry in counted:
        shown = released_count(release.values.get(_figure_name(entry)), minimum=minimum)
        if shown is None:
            del entry["customers"]
        else:
            entry["customers"] = shown
    return lists


def for_you_evaluate(data: TrainingData, *, now: pd.Timestamp) -> dict:
    """NDCG, hit rate and catalog coverage of "for you" (and of trending, for scale) at the rail's
    shown length (SHOWN_K, 8) and at 10, on the latest HOLDOUT_DAYS: fitted on what came before,
    scored on the new products each customer bought after."""
    cutoff = now - pd.Timedelta(days=HOLDOUT_DAYS)
    frame = data.purchases.frame
    train, test = frame[frame["timestamp"] < cutoff], frame[frame["timestamp"] >= cutoff]
    past = train.groupby("user_id")["item_id"].agg(set)
    truth: dict[str, set] = {}
    for user, bought in test.groupby("user_id", sort=True)["item_id"].agg(set).items():
        new = bought - past.get(user, set())
        if user in past.index and new:
            truth[user] = new
    if len(train) == 0 or not truth:
        return {"skipped": f"no customer with earlier history bought something new in the last {HOLDOUT_DAYS} days"}
    users = sorted(truth)
    with threadpool_limits(limits=settings.PERSONALIZATION_TRAINING_THREADS):
        model = PersonalRecommender(seed=7, now=cutoff).fit(Interactions(train), data.items)
        baseline = TrendingRecommender(window_days=TRENDING_WINDOW_DAYS, now=cutoff).fit(
            Interactions(train), data.items)
    ranked = model.recommend_many(users, n=TOP_K)
    ids = model.item_ids
    catalog = len(data.items)
    for_you = shown_and_top_report([[ids[p] for p in ranked[u]] for u in users], [truth[u] for u in users],
                                   catalog)
    trending = shown_and_top_report(
        [[r.item_id for r in baseline.recommend(n=TOP_K, exclude=past[u])] for u in users],
        [truth[u] for u in users], catalog)
    return {
        "holdout_days": HOLDOUT_DAYS,
        "customers": len(users),
        "for_you": {key: round(float(value), 4) for key, value in for_you.items()},
        "trending": {key: round(float(value), 4) for key, value in trending.items()},
    }


def _no_progress(percent: int, stage: str) -> None:
    return None


def _version_progress(version: ModelVersion, report: Progress) -> Progress:
    def progress(percent: int, stage: str) -> None:
        ModelVersion.objects.filter(pk=version.pk).update(progress=percent, stage=stage)
        report(percent, stage)
    return progress


def _lists_write(version: ModelVersion, lists: dict) -> int:
    rows = [
        RecommendationList(version=version, rail=rail, product_id=product_id,
                           user_id=int(subject[1:]) if subject else None, items=items)
        for (rail, subject, product_id), items in lists.items()
    ]
    with transaction.atomic():
        RecommendationList.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _withdrawn_since(moment: datetime):
    """Accounts that withdrew personalization consent at or after `moment` (a subquery)."""
    return ConsentRecord.objects.filter(purpose=PERSONALIZATION, granted=False, created_at__gte=moment,
                                        user__isnull=False).values("user_id")


def _activate(version: ModelVersion, data: TrainingData) -> None:
    """Switch pages to `version` in one transaction, and settle the retraining requests it answers.

    - Lists of anyone whose consent is no longer in force (withdrawn or lapsed while the
      training ran), or who withdrew since the training started and has consented again
      (their lists were computed from events that are deleted), are dropped before it serves.
    - A request is marked done only if it was made before this training started (and so
      before it read consent and events), and, for a withdrawal or an erasure, only if every
      subject whose events it read still consents now: a withdrawal committed after the read
      leaves its request open for the next training, however its time stamp compares.
    - When it answers a withdrawal or an erasure, every older version loses its lists.
    """
    departures = [RetrainingRequest.Reason.WITHDRAWAL, RetrainingRequest.Reason.ERASURE]
    with transaction.atomic():
        users, visitors = consenting_subjects(purpose=PERSONALIZATION)
        version.lists.filter(user__isnull=False).exclude(user_id__in=users).delete()
        version.lists.filter(user_id__in=_withdrawn_since(version.started_at)).delete()
        ModelVersion.objects.filter(status=ModelVersionStatus.ACTIVE).update(status=ModelVersionStatus.RETIRED)
        version.status = ModelVersionStatus.ACTIVE
        version.activated_at = timezone.now()
        version.save(update_fields=["status", "activated_at"])
        answered = RetrainingRequest.objects.filter(fulfilled_by__isnull=True, requested_at__lte=version.started_at)
        someone_left = not (data.users_read <= users and data.visitors_read <= visitors)
        if someone_left:
            answered = answered.exclude(reason__in=departures)
        answers_departure = answered.filter(reason__in=departures).exists()
        answered.update(fulfilled_by=version)
        if answers_departure:
            model_versions_unlearn(serving=version)
        catalog_changed()  # rails kept for everyone under the catalog version come from the new lists


def versions_prune() -> int:
    """Keep the serving version and PERSONALIZATION_KEEP_VERSIONS others; failed runs go after a day."""
    keep = settings.PERSONALIZATION_KEEP_VERSIONS
    finished = ModelVersion.objects.filter(
        status__in=[ModelVersionStatus.READY, ModelVersionStatus.RETIRED]).order_by("-started_at", "-id")
    stale = list(finished.values_list("pk", flat=True)[keep:])
    stale += list(ModelVersion.objects.filter(
        status__in=[ModelVersionStatus.FAILED, ModelVersionStatus.TRAINING],
        started_at__lt=timezone.now() - timedelta(days=1)).values_list("pk", flat=True))
    deleted, _ = ModelVersion.objects.filter(pk__in=stale).delete()
    return deleted


def recommenders_train(*, task_id: str = "", until: datetime | None = None,
                       progress: Progress = _no_progress) -> ModelVersion | None:
    """Train every rail from the consented event store and make it the serving version.

    `until` freezes the models' "now" (default: the moment the training starts); every
    consented event up to it is read. Returns the new version,
    active on success; on failure it is marked failed, the previous version keeps serving,
    and the error is raised. A shop with no published product has nothing to learn: None.
    """
    if not Product.objects.published().exists():
        logger.info("Training skipped: the shop has no published product.")
        return None
    started_at = timezone.now()
    # Every event up to the moment the training starts: an imported history ends before it.
    until = until or started_at
    now = _frozen_now(until)
    started = time.perf_counter()
    if task_id:
        # A redelivered task (its worker died mid-training) takes over from its own first run.
        ModelVersion.objects.filter(task_id=task_id, status=ModelVersionStatus.TRAINING).update(
            status=ModelVersionStatus.FAILED, error="interrupted: the worker stopped mid-training")
    version = ModelVersion.objects.create(
        task_id=task_id, started_at=started_at, trained_until=until, parameters=PARAMETERS, stage="loading")
    progress = _version_progress(version, progress)
    try:
        progress(5, "reading the consented event store")
        data = training_data_load(until=until)
        version.data_from = data.data_from
        progress(15, "evaluating on the latest weeks")
        version.metrics = for_you_evaluate(data, now=now)
        progress(40, "fitting every rail")
        models = models_fit(data, now=now)
        progress(60, "ranking for every customer and product")
        lists = rail_figures_release(version, lists_build(models, data))
        progress(85, "storing the lists")
        data.counts["lists"] = _lists_write(version, lists)
        version.counts = data.counts
        version.finished_at = timezone.now()
        version.duration_seconds = round(time.perf_counter() - started, 2)
        version.status = ModelVersionStatus.READY
        version.progress, version.stage = 100, "done"
        version.save()
        _activate(version, data)
        progress(100, "serving")
    except Exception as exc:
        ModelVersion.objects.filter(pk=version.pk).update(
            status=ModelVersionStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now())
        logger.exception("Training of model version %s failed; the previous version keeps serving.", version.pk)
        raise
    versions_prune()
    logger.info("Model version %s is serving: %s lists from %s events of %s subjects in %.1f s.",
                version.pk, data.counts["lists"], data.counts["events"], data.counts["subjects"],
                version.duration_seconds)
    return version
