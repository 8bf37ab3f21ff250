"""Training in the shop: from consented events only, stored as versions that switch atomically."""

import logging

import pytest
from django.test import override_settings
from django.utils import timezone

from personalization.recommendations.models import ModelVersion, ModelVersionStatus, Rail, RecommendationList
from personalization.recommendations.tasks import train_recommenders
from personalization.recommendations.training import recommenders_train
from personalization.recommendations.training_lock import TrainingLock
from tests.factories import UserFactory
from tests.personalization.worlds import NOW, bought, customer, products

pytestmark = pytest.mark.django_db


def stored(rail, *, user=None, product=None, version=None):
    rows = RecommendationList.objects.filter(rail=rail, version=version or ModelVersion.objects.get(status="active"))
    row = rows.filter(user=user, product=product).first()
    return [entry["product"] for entry in row.items] if row else []


@pytest.fixture
def mixed_world():
    """Three consenting customers buy a lamp with a mug; four who refused and one who never
    decided buy the lamp with a vase or a clock. Only the first three may shape anything."""
    lamp, mug, vase, clock = products(4)
    consenting = [customer() for _ in range(3)]
    for person in consenting:
        bought(person, lamp, mug)
    refusing = [customer(consents=False) for _ in range(4)]
    for person in refusing:
        bought(person, lamp, vase)
    bought(UserFactory(), lamp, clock)  # never asked: no consent, no events would exist; even if they did
    return {"lamp": lamp, "mug": mug, "vase": vase, "clock": clock, "consenting": consenting,
            "refusing": refusing}


def test_only_consenting_customers_shape_any_list_or_count(mixed_world):
    w = mixed_world

    version = recommenders_train(until=NOW)

    assert version.status == ModelVersionStatus.ACTIVE
    assert version.counts["customers"] == 3 and version.counts["events"] == 6
    assert stored(Rail.ALSO_BOUGHT, product=w["lamp"]) == [w["mug"].pk]
    assert w["vase"].pk not in stored(Rail.TRENDING) and w["clock"].pk not in stored(Rail.TRENDING)
    assert sorted(stored(Rail.TRENDING)) == sorted([w["lamp"].pk, w["mug"].pk])
    personal_owners = set(RecommendationList.objects.filter(user__isnull=False).values_list("user_id", flat=True))
    assert personal_owners == {person.pk for person in w["consenting"]}


@override_settings(PERSONALIZATION_MIN_SUPPORT=3)
def test_aggregate_lists_need_three_distinct_consenting_customers():
    lamp, mug = products(2)
    first, second = customer(), customer()
    bought(first, lamp, mug)
    bought(second, lamp, mug)
    bought(second, lamp, mug, days_ago=5)  # the same person again does not count twice

    recommenders_train(until=NOW)
    assert stored(Rail.ALSO_BOUGHT, product=lamp) == []
    assert stored(Rail.TRENDING) == []

    bought(customer(), lamp, mug)
    recommenders_train(until=NOW)
    assert stored(Rail.ALSO_BOUGHT, product=lamp) == [mug.pk]
    assert sorted(stored(Rail.TRENDING)) == sorted([lamp.pk, mug.pk])


def test_for_you_leaves_out_what_was_bought_and_names_the_purchase_behind_it():
    lamp, mug, candle = products(3)
    for _ in range(4):
        bought(customer(), lamp, mug)
    ada = customer()
    bought(ada, lamp)

    recommenders_train(until=NOW)

    entries = RecommendationList.objects.get(rail=Rail.FOR_YOU, user=ada).items
    assert lamp.pk not in [entry["product"] for entry in entries]
    first = entries[0]
    assert first["product"] == mug.pk
    assert (first["reason"], first["about"], first["about_title"]) == ("because_you_bought", lamp.pk, lamp.title)
    assert [e["product"] for e in RecommendationList.objects.get(rail=Rail.BUY_AGAIN, user=ada).items] == [lamp.pk]


def test_a_failed_training_leaves_the_previous_version_serving(mixed_world):
    serving = recommenders_train(until=NOW)

    with override_settings(PERSONALIZATION_MIN_SUPPORT=None), pytest.raises(TypeError):
        recommenders_train(until=NOW)

    failed = ModelVersion.objects.exclude(pk=serving.pk).get()
    assert failed.status == ModelVersionStatus.FAILED and "TypeError" in failed.error
    assert ModelVersion.objects.get(status=ModelVersionStatus.ACTIVE) == serving
    assert stored(Rail.ALSO_BOUGHT, product=mixed_world["lamp"]) == [mixed_world["mug"].pk]


def test_a_second_training_while_one_runs_is_skipped_with_a_log_line(mixed_world, caplog):
    other = TrainingLock("another-worker's-task")
    assert other.acquire()
    try:
        with caplog.at_level(logging.INFO, logger="personalization.recommendations.tasks"):
            assert train_recommenders.apply().get() is None
    finally:
        other.release()

    assert not ModelVersion.objects.exists()
    assert "Training skipped: another training is running." in caplog.text
    assert isinstance(train_recommenders.apply().get(), int)


def test_a_redelivered_training_takes_over_from_its_dead_first_run(mixed_world):
    # The first run of task "t-1" died mid-training: its lock and its half-made version remain.
    assert TrainingLock("t-1").acquire()
    dead = ModelVersion.objects.create(task_id="t-1", started_at=timezone.now(), trained_until=NOW)

    version_id = train_recommenders.apply(task_id="t-1").get()

    dead.refresh_from_db()
    assert dead.status == ModelVersionStatus.FAILED and "interrupted" in dead.error
    assert ModelVersion.objects.get(pk=version_id).status == ModelVersionStatus.ACTIVE
    assert TrainingLock.holder() is None


@override_settings(PERSONALIZATION_KEEP_VERSIONS=1)
def test_old_versions_are_pruned_after_each_training(mixed_world):
    versions = [recommenders_train(until=NOW) for _ in range(3)]

    assert list(ModelVersion.objects.order_by("pk").values_list("pk", "status")) == [
        (versions[1].pk, "retired"), (versions[2].pk, "active")]
    assert not RecommendationList.objects.filter(version=versions[0]).exists()


def test_for_you_is_evaluated_on_the_latest_weeks_of_the_event_store():
    lamp, mug, candle = products(3)
    for _ in range(5):
        bought(customer(), lamp, mug, days_ago=60)
    ada = customer()
    bought(ada, lamp, days_ago=50)
    bought(ada, mug, days_ago=5)  # new to her, and what everyone who bought a lamp bought

    metrics = recommenders_train(until=NOW).metrics

    assert metrics["holdout_days"] == 28 and metrics["customers"] == 1
    assert metrics["for_you"]["hit_rate@10"] == 1.0
    assert metrics["for_you"]["ndcg@10"] == pytest.approx(1.0)


def test_train_recommenders_command_prints_the_version_and_its_counts(mixed_world, capsys):
    from django.core.management import call_command

    call_command("train_recommenders", "--no-progress")

    out = capsys.readouterr().out
    version = ModelVersion.objects.get(status="active")
    assert f"Model version {version.pk} is serving" in out
    assert "customers 3" in out and "events 6" in out


def test_training_appears_in_the_scheduled_jobs(capsys):
    from django.core.management import call_command

    call_command("run_scheduled_jobs", "--list")

    out = capsys.readouterr().out
    assert "train-recommenders" in out and "retrain-recommenders-if-requested" in out


def test_events_of_deleted_or_unpublished_products_and_cold_customers_train_cleanly(mixed_world):
    w = mixed_world
    bought(customer(), w["clock"])  # one purchase of something then withdrawn from sale
    w["clock"].is_published = False
    w["clock"].save()
    w["vase"].delete()  # its events go with it
    customer()  # consented, bought nothing yet

    version = recommenders_train(until=NOW)

    assert version.status == ModelVersionStatus.ACTIVE
    every_listed = {entry["product"] for row in RecommendationList.objects.filter(version=version)
                    for entry in row.items}
    assert w["clock"].pk not in every_listed and w["vase"].pk not in every_listed


def test_an_empty_shop_has_nothing_to_train_and_says_so(caplog):
    with caplog.at_level(logging.INFO, logger="personalization.recommendations.training"):
        assert train_recommenders.apply().get() is None

    assert not ModelVersion.objects.exists()
    assert "Training skipped: the shop has no published product." in caplog.text
