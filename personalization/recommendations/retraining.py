"""Unlearning: when someone's data leaves the event store, the models follow within a deadline.

Withdrawal of personalization consent and erasure delete the person's events and stored
lists at once and record a `RetrainingRequest` (receivers.py) due within
PERSONALIZATION_RETRAIN_DEADLINE. With a broker, retraining is queued right after the
commit; the hourly `retrain-recommenders-if-requested` job catches anything left (and is
what runs it on the embedded default, where a training must not hold up the page).

The retraining then reaches every stored version, not only the serving one: older versions
keep their row (metrics and counts for the model-versions page) but lose their lists, so
nothing computed with the person's data stays stored (`model_versions_unlearn`).
"""

from __future__ import annotations

from .models import ModelVersion, RecommendationList, RetrainingRequest


def recommendation_lists_forget(*, user_id: int) -> int:
    """Delete every stored list computed for one customer, in every version; returns how many."""
    deleted, _ = RecommendationList.objects.filter(user_id=user_id).delete()
    return deleted


def model_versions_unlearn(*, serving: ModelVersion) -> int:
    """Delete the lists of every version started before `serving`; returns how many went.

    Called when `serving` answers a withdrawal or an erasure. Which versions saw that
    person's data is known without keeping who they were: a request stays open until a
    training that started after it, and in which nobody whose events it read had left by
    its activation, is switched in. So every version started before that training either
    started before the request, or ran while someone whose events it read was leaving:
    each may hold data of a person who left. The rows stay, with their metrics and counts;
    only the lists go, and a version without lists can never serve again.
    """
    deleted, _ = RecommendationList.objects.filter(version__started_at__lt=serving.started_at).exclude(
        version=serving).delete()
    return deleted


def retraining_pending() -> bool:
    return RetrainingRequest.objects.filter(fulfilled_by__isnull=True).exists()
