from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = PROJECT_ROOT / "tests" / "data" / "online_retail_sample.csv.xz"
# The full data set ships with the project; a copy beside the checkout is used only if it is missing.
SHIPPED_DATA = PROJECT_ROOT / "data" / "online-retail" / "online_retail.csv.xz"
SHARED_DATA = next((path for path in (
    SHIPPED_DATA, PROJECT_ROOT.parent / "shared" / "data" / "online-retail" / "online_retail.csv.xz",
) if path.exists()), SHIPPED_DATA)


# Under `make test` the suite runs on two pytest-xdist workers with `--dist loadgroup`: the tests
# in this group run one after another on one worker. Browser journeys (Chromium beside a live
# server, screenshots in one folder) and tests of a real Celery worker (a broker queue and worker
# processes) are kept serial: they are slow to start and fight over the two cores when doubled.
SERIAL_GROUP = "serial"
SERIAL_MARKERS = ("browser", "worker")
BROWSER_TESTS = PROJECT_ROOT / "tests" / "browser"


def serial_group_needed(item) -> bool:
    # By path as well as by marker: tests/browser/conftest.py adds the browser marker in a hook
    # that may run after this one.
    return item.path.is_relative_to(BROWSER_TESTS) or any(map(item.get_closest_marker, SERIAL_MARKERS))


# First, so the group is on every item before xdist's own hook reads it into the node ids.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Skip tests whose services are absent, saying which variable turns them on; put the tests
    that must not run beside each other into the serial xdist group."""
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    with_redis = bool(settings.REDIS_URL)
    for item in items:
        if serial_group_needed(item) and config.pluginmanager.hasplugin("xdist"):
            item.add_marker(pytest.mark.xdist_group(SERIAL_GROUP))
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://..."))
        if "embedded_processes" in item.keywords and on_postgres:
            item.add_marker(pytest.mark.skip(
                reason="starts the embedded default in processes of its own: run once, in the SQLite run"))
        if "worker" in item.keywords and not with_redis:
            item.add_marker(pytest.mark.skip(reason="needs Redis for a real worker: set REDIS_URL=redis://..."))


@pytest.fixture
def sample_data_path() -> Path:
    return SAMPLE_DATA


@pytest.fixture
def shared_data_path() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip(f"the full data set is not at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def sample_catalog(transactional_db, sample_data_path):
    """The committed one-month sample imported into the shop: real products, customers and orders.

    Transactional: the test's data is committed and the tables truncated afterwards. Rolling back
    thousands of rows per test instead leaves dead rows behind on PostgreSQL, and each later
    import got slower (1.6 s to 9.7 s of setup within one file)."""
    call_command("import_online_retail", str(sample_data_path), "--no-progress", stdout=open("/dev/null", "w"))


@pytest.fixture
def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def shared_fragments_off(settings):
    """Tests render every page afresh: their writes are never committed, so the catalog
    version that invalidates shared fragments is never bumped within a test. Tests of the
    fragment cache itself turn it on with `shared_fragments`."""
    settings.SHOP_SHARED_FRAGMENTS = False


@pytest.fixture
def shared_fragments(settings, shared_fragments_off):
    """The shared fragment cache on, starting from a new catalog version (nothing cached)."""
    from shop.catalog.fragments import catalog_version_bump

    settings.SHOP_SHARED_FRAGMENTS = True
    catalog_version_bump()


@pytest.fixture
def celery_worker(transactional_db):
    """An in-process worker consuming from the real broker and writing to the test database."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield
