"""Unlearning: after a withdrawal or an erasure and the retraining it queues, the person was never there."""

from datetime import timedelta

import numpy as np
import pytest

from personalization.recommendations.models import ModelVersion, Rail, RecommendationList, RetrainingRequest
from personalization.recommendations.tasks import retrain_recommenders_if_requested
from personalization.recommendations.training import (
    _frozen_now,
    models_fit,
    recommenders_train,
    training_data_load,
)
from primitives.subjects import Subject
from privacy.disclosure import noise_source
from privacy.services import consent_decide
from privacy.signals import subject_erased
from tests.personalization.worlds import NOW, bought, customer, products
from tests.privacy.disclosure.sources import offset

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def same_noise_every_version():
    """Each version releases its customers' figures with fresh noise; one known noise for every
    version lets two versions' stored lists be compared whole."""
    with noise_source(offset(5)):
        yield


def lists_of(version: ModelVersion) -> dict:
    return {(row.rail, row.user_id, row.product_id): row.items for row in version.lists.all()}


def parameters_now() -> dict[str, np.ndarray]:
    """Every fitted parameter of every rail's model, trained on the event store as it is."""
    models = models_fit(training_data_load(until=NOW), now=_frozen_now(NOW))
    return {
        "items": models.for_you.items_.ids, "users": models.for_you.users_.ids,
        "ease": models.for_you.scorer_.weights_, "rp3beta": models.for_you.graph_.weights_,
        "profiles": models.for_you.profiles_.toarray(), "novelty": models.for_you.novelty_scores_,
        "rising": models.for_you.rising_scores_, "trending": models.trending.scores_,
        "also_bought": models.also_bought.scores_, "neighbours": models.also_bought.neighbours_,
        "support": models.support.toarray(), "similar": models.similar.vectors_.toarray(),
    }


def assert_same_parameters(left: dict, right: dict) -> None:
    assert left.keys() == right.keys()
    for name in left:
        assert left[name].shape == right[name].shape, name
        if left[name].dtype.kind in "fc":
            np.testing.assert_allclose(left[name], right[name], rtol=0, atol=1e-9, err_msg=name)
        else:
            np.testing.assert_array_equal(left[name], right[name], err_msg=name)


@pytest.fixture
def shop_without_her():
    lamp, mug, vase, candle, scarf = products(5)
    others = [customer() for _ in range(5)]
    for days, person in enumerate(others):
        bought(person, lamp, mug, days_ago=10 + days)
    bought(others[0], vase, candle, days_ago=4)
    bought(others[1], vase, candle, days_ago=6)
    bought(others[2], scarf, days_ago=2)
    return {"lamp": lamp, "vase": vase, "candle": candle, "scarf": scarf}


def her_arrives(shop):
    eve = customer()
    bought(eve, shop["vase"], shop["candle"], days_ago=1)  # a third buyer: the pair now shows
    bought(eve, shop["lamp"], shop["scarf"], days_ago=0.5)  # and the latest purchase of all
    return eve


@pytest.mark.parametrize("how", ["withdrawal", "erasure"])
def test_after_she_leaves_and_the_retraining_runs_the_models_are_as_if_she_never_was(
        shop_without_her, django_capture_on_commit_callbacks, how):
    never = lists_of(recommenders_train(until=NOW))
    never_parameters = parameters_now()

    eve = her_arrives(shop_without_her)
    with_her = lists_of(recommenders_train(until=NOW))
    assert with_her != never
    assert with_her[(Rail.ALSO_BOUGHT, None, shop_without_her["vase"].pk)][0]["product"] == shop_without_her["candle"].pk
    assert (Rail.FOR_YOU, eve.pk, None) in with_her

    with django_capture_on_commit_callbacks(execute=True):
        if how == "withdrawal":
            consent_decide(subject=Subject.for_user(eve), choices={"personalization": False}, source="settings")
        else:
            subject_erased.send(sender=None, subject=Subject.for_user(eve))

    # At once: her lists are gone from every version, and a retraining is due within the deadline.
    assert not RecommendationList.objects.filter(user=eve).exists()
    request = RetrainingRequest.objects.get()
    assert request.reason == how and request.fulfilled_by is None
    assert request.due_by - request.requested_at == timedelta(hours=24)

    version_id = retrain_recommenders_if_requested.apply(kwargs={"until": NOW.isoformat()}).get()

    after = ModelVersion.objects.get(pk=version_id)
    assert after.status == "active"
    assert RetrainingRequest.objects.get().fulfilled_by == after
    assert lists_of(after) == never
    assert_same_parameters(parameters_now(), never_parameters)


def test_the_scheduled_retraining_does_nothing_when_nothing_was_asked(shop_without_her):
    recommenders_train(until=NOW)

    assert retrain_recommenders_if_requested.apply().get() is None
    assert ModelVersion.objects.count() == 1


def test_a_withdrawal_with_nothing_stored_asks_for_no_retraining(django_capture_on_commit_callbacks):
    ada = customer()
    with django_capture_on_commit_callbacks(execute=True):
        consent_decide(subject=Subject.for_user(ada), choices={"personalization": False}, source="settings")

    assert not RetrainingRequest.objects.exists()
