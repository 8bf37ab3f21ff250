"""Training through real Celery workers on the real Redis broker.

The in-process test worker shows the task runs from the queue; the kill test starts a
real worker process, kills it with SIGKILL mid-training, and shows the previous version
keeps serving and the redelivered task completes on the next worker.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection

from config.celery import app
from personalization.recommendations.models import ModelVersion, ModelVersionStatus
from personalization.recommendations.tasks import train_recommenders
from personalization.recommendations.training import recommenders_train
from personalization.recommendations.training_lock import TrainingLock
from tests.waiting import wait_for

PROJECT_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def in_process_worker(transactional_db):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=60):
        yield


@pytest.mark.worker
def test_training_runs_on_a_worker_from_the_queue(sample_catalog, in_process_worker):
    version_id = train_recommenders.delay().get(timeout=180)

    version = ModelVersion.objects.get(pk=version_id)
    assert version.status == ModelVersionStatus.ACTIVE
    assert version.counts["customers"] > 100 and version.lists.filter(rail="for_you").count() == \
        version.counts["customers"]


def _worker(log: Path) -> subprocess.Popen:
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
                        f"{database['PORT'] or 5432}/{database['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_VISIBILITY_TIMEOUT": "3",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-mingle", "--without-gossip"],
        cwd=PROJECT_ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )


@pytest.mark.worker
@pytest.mark.postgres
def test_a_worker_killed_mid_training_leaves_the_previous_version_and_the_task_completes_elsewhere(
        sample_catalog, tmp_path):
    serving = recommenders_train()
    log = tmp_path / "worker.log"
    first = _worker(log)
    try:
        result = train_recommenders.delay()
        in_progress = wait_for(
            lambda: ModelVersion.objects.filter(task_id=result.id, status=ModelVersionStatus.TRAINING,
                                                progress__gte=15).first(),
            timeout=120, what="the training to start on the first worker")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)

        # The dead worker's half-made version never served; the previous one still does.
        assert ModelVersion.objects.get(status=ModelVersionStatus.ACTIVE) == serving
        in_progress.refresh_from_db()
        assert in_progress.status == ModelVersionStatus.TRAINING
        assert TrainingLock.holder() == result.id

        time.sleep(4)  # past the visibility timeout: Redis hands the task to the next worker
        second = _worker(log)
        try:
            version_id = result.get(timeout=180)
        finally:
            second.terminate()
            second.wait(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()

    in_progress.refresh_from_db()
    assert in_progress.status == ModelVersionStatus.FAILED and "interrupted" in in_progress.error
    replacement = ModelVersion.objects.get(pk=version_id)
    assert replacement.status == ModelVersionStatus.ACTIVE and replacement.task_id == result.id
    assert replacement.lists.count() == replacement.counts["lists"]
    assert TrainingLock.holder() is None, log.read_text()[-3000:]
