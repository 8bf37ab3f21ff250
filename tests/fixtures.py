"""Helpers and autouse fixtures that test modules import explicitly, defined once here.

`tasks_run_in_process` is autouse: importing it into a module (or a conftest) turns it on for
every test there. Fixtures any test may ask for by name, such as `celery_worker`, live in
tests/conftest.py instead.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def tasks_run_in_process(settings):
    """Celery tasks run in the test's own process, against its database, whatever REDIS_URL says.

    Import it where a request queues a task whose result the test reads (order e-mails, data
    requests). The real broker and worker are tested through the `celery_worker` fixture."""
    from config.celery import app

    eager = app.conf.task_always_eager  # read first: the app's configuration is built from settings lazily
    app.conf.task_always_eager = True
    # The setting too: code that asks it (whether to queue on commit) behaves as in the embedded default.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.task_always_eager = eager


def log_in(client: Client, email: str) -> None:
    """Log the test client in with the factories' password; the login page must redirect."""
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
