import pytest

from shop import events
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)


@pytest.fixture
def captured_events():
    """Every shop event delivered during the test, in order."""
    delivered: list[events.ShopEvent] = []
    events.subscribe(events.ShopEvent, delivered.append)
    yield delivered
    events.unsubscribe(events.ShopEvent, delivered.append)
