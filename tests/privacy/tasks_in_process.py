"""Celery tasks run in the test's own process, against its database, whatever REDIS_URL says.

Import the fixture into a test module (it is autouse) where a request queues a task
whose result the test reads. The real broker and worker are tested in
test_data_rights_worker.py.
"""

import pytest


@pytest.fixture(autouse=True)
def tasks_run_in_process(settings):
    from config.celery import app

    eager = app.conf.task_always_eager  # read first: the app's configuration is built from settings lazily
    app.conf.task_always_eager = True
    # The setting too: code that asks it (whether to queue on commit) behaves as in the embedded default.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.task_always_eager = eager
