import pytest

from shop import events


@pytest.fixture
def captured_events():
    """Every shop event delivered during the test, in order."""
    delivered: list[events.ShopEvent] = []
    events.subscribe(events.ShopEvent, delivered.append)
    yield delivered
    events.unsubscribe(events.ShopEvent, delivered.append)



@pytest.fixture(autouse=True)
def tasks_run_in_process():
    """Shop tests run their tasks (order e-mails) in-process, also when REDIS_URL is set;
    the real worker path is tested in tests/test_celery_worker.py."""
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager
