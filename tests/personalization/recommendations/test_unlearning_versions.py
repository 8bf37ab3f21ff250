"""Unlearning reaches every stored version, and a withdrawal during a training leaves nothing of the person.

A retraining that answers a withdrawal or an erasure leaves older versions their metrics and
counts, but none of their lists. Withdrawals that happen while a training runs are made inside
the training's own progress report, between reading the event store and switching versions.
"""

import logging
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from personalization.recommendations.models import ModelVersion, ModelVersionStatus, Rail, RetrainingRequest
from personalization.recommendations.tasks import retrain_recommenders_if_requested
from personalization.recommendations.training import recommenders_train
from primitives.subjects import Subject
from privacy.services import consent_decide
from privacy.signals import subject_erased
from tests.personalization.recommendations.test_admin import merchant
from tests.personalization.recommendations.test_rails import rails_on
from tests.personalization.worlds import NOW, bought, customer, products

pytestmark = pytest.mark.django_db


def lists_of(version: ModelVersion) -> dict:
    return {(row.rail, row.user_id, row.product_id): row.items for row in version.lists.all()}


def withdraw(person) -> None:
    consent_decide(subject=Subject.for_user(person), choices={"personalization": False}, source="settings")


def consent_again(person) -> None:
    consent_decide(subject=Subject.for_user(person), choices={"personalization": True}, source="settings")


def retrain_as_scheduled() -> int | None:
    return retrain_recommenders_if_requested.apply(kwargs={"until": NOW.isoformat()}).get()


@pytest.fixture
def shop():
    """Lamps go with mugs and candles with holders; ada's history spans the held-out weeks, so each
    version has real metrics. Eve is a customer like the others, until she leaves."""
    lamp, mug, candle, holder = products(4)
    for days in range(5):
        bought(customer(), lamp, mug, days_ago=60 + days)
        bought(customer(), candle, holder, days_ago=40 + days)
    ada = customer()
    bought(ada, lamp, days_ago=50)
    bought(ada, mug, days_ago=5)
    eve = customer()
    bought(eve, candle, holder, days_ago=2)
    bought(eve, lamp, days_ago=1)
    return {"lamp": lamp, "mug": mug, "candle": candle, "holder": holder, "ada": ada, "eve": eve}


# --- Every stored version forgets ------------------------------------------------------------------


@pytest.mark.parametrize("how", ["withdrawal", "erasure"])
def test_after_someone_leaves_the_retraining_leaves_older_versions_their_metrics_and_no_lists(
        shop, django_capture_on_commit_callbacks, how):
    older = [recommenders_train(until=NOW), recommenders_train(until=NOW)]
    for version in older:
        assert version.metrics["for_you"]["ndcg@10"] > 0 and version.lists.filter(rail=Rail.ALSO_BOUGHT).exists()
    kept = {version.pk: (version.metrics, version.counts) for version in older}

    with django_capture_on_commit_callbacks(execute=True):
        if how == "withdrawal":
            withdraw(shop["eve"])
        else:
            subject_erased.send(sender=None, subject=Subject.for_user(shop["eve"]))
    retrained = ModelVersion.objects.get(pk=retrain_as_scheduled())

    for version in older:
        version.refresh_from_db()
        assert version.status == ModelVersionStatus.RETIRED
        assert (version.metrics, version.counts) == kept[version.pk]
        assert not version.lists.exists()
    assert retrained.status == ModelVersionStatus.ACTIVE and retrained.lists.filter(rail=Rail.ALSO_BOUGHT).exists()
    assert RetrainingRequest.objects.get().fulfilled_by == retrained


def test_a_version_trained_after_the_withdrawal_keeps_its_lists_when_a_later_training_retires_it(
        shop, django_capture_on_commit_callbacks):
    recommenders_train(until=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(shop["eve"])
    clean = ModelVersion.objects.get(pk=retrain_as_scheduled())
    clean_lists = lists_of(clean)

    recommenders_train(until=NOW)  # a scheduled training, nobody left in between

    clean.refresh_from_db()
    assert clean.status == ModelVersionStatus.RETIRED
    assert clean_lists and lists_of(clean) == clean_lists


def test_the_model_versions_page_says_which_versions_lost_their_lists(client, shop, django_capture_on_commit_callbacks):
    tainted = recommenders_train(until=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(shop["eve"])
    clean = ModelVersion.objects.get(pk=retrain_as_scheduled())
    merchant(client, "view_modelversion")

    html = client.get(reverse("admin:recommendations_modelversion_changelist")).content.decode()

    rows = {version.pk: html.split(f"Model version {version.pk} (", 1)[1].split("</tr>", 1)[0]
            for version in (tainted, clean)}
    assert "deleted: trained before someone&#x27;s data left" in rows[tainted.pk]
    assert f'<td class="field-lists_kept">{clean.counts["lists"]:,}</td>' in rows[clean.pk]


# --- A withdrawal while a training runs ------------------------------------------------------------


def training_during_which(act):
    """Train, doing `act()` once the event store has been read and the models fitted."""
    def progress(percent: int, stage: str) -> None:
        if percent == 60:
            act()
    return recommenders_train(until=NOW, progress=progress)


def test_someone_who_withdraws_while_a_training_runs_has_no_list_in_it_and_it_is_retrained_without_them(
        shop, django_capture_on_commit_callbacks, caplog):
    eve = shop["eve"]

    with caplog.at_level(logging.DEBUG):
        version = training_during_which(lambda: withdraw(eve))

    assert version.status == ModelVersionStatus.ACTIVE
    assert not version.lists.filter(user=eve).exists()
    request = RetrainingRequest.objects.get()
    assert request.fulfilled_by is None  # the training read her purchases: it cannot be the answer
    with django_capture_on_commit_callbacks(execute=True):
        answer = retrain_as_scheduled()
    assert RetrainingRequest.objects.get().fulfilled_by_id == answer
    assert ModelVersion.objects.get(pk=answer).counts["customers"] == version.counts["customers"] - 1
    # The training's and the withdrawal's log lines name nobody.
    assert "Model version" in caplog.text
    assert eve.email not in caplog.text and not re.search(rf"\b(u|user |customer ){eve.pk}\b", caplog.text)


def test_someone_whose_consent_lapses_while_a_training_runs_gets_no_list_from_it(client, shop, settings):
    ada = shop["ada"]
    # The privacy notice changes mid-training: everyone's consent lapses until they are asked again.
    version = training_during_which(lambda: setattr(settings, "PRIVACY_NOTICE_VERSION", "2099-01-01"))

    assert version.status == ModelVersionStatus.ACTIVE
    assert not version.lists.filter(user__isnull=False).exists()
    assert version.lists.filter(rail=Rail.ALSO_BOUGHT).exists()  # lists that name nobody stay
    consent_again(ada)
    client.force_login(ada)
    assert "for_you" not in rails_on(client.get("/").content.decode())


def test_someone_who_withdraws_and_consents_again_during_a_training_is_not_served_lists_of_deleted_data(
        client, shop):
    ada = shop["ada"]

    version = training_during_which(lambda: (withdraw(ada), consent_again(ada)))

    assert not version.lists.filter(user=ada).exists()
    client.force_login(ada)
    html = client.get("/").content.decode()
    assert "for_you" not in rails_on(html)
    assert "buy_again" not in rails_on(client.get("/account/").content.decode())


def test_a_retraining_request_made_during_a_training_is_left_for_the_next_one(shop):
    ada = shop["ada"]
    # She withdraws (her purchases, read by this training, are deleted) and consents again at once:
    # everyone the training read still consents at its end, but what it learned from her is gone.
    version = training_during_which(lambda: (withdraw(ada), consent_again(ada)))

    request = RetrainingRequest.objects.get()
    assert request.requested_at > version.started_at
    assert request.fulfilled_by is None
    answer = retrain_as_scheduled()
    assert answer is not None and RetrainingRequest.objects.get().fulfilled_by_id == answer


def test_a_withdrawal_stamped_before_the_training_but_committed_after_its_read_is_left_for_the_next_one(shop):
    eve = shop["eve"]
    version_started = {}

    def withdraw_late():
        # What a slow withdrawal looks like from the training: its request is stamped before the
        # training started, but its transaction commits after the training read her purchases.
        withdraw(eve)
        started = ModelVersion.objects.get(status=ModelVersionStatus.TRAINING).started_at
        version_started["at"] = started
        RetrainingRequest.objects.update(requested_at=started - timedelta(milliseconds=5))

    training_during_which(withdraw_late)

    request = RetrainingRequest.objects.get()
    assert request.requested_at < version_started["at"]
    assert request.fulfilled_by is None
    assert retrain_as_scheduled() is not None
