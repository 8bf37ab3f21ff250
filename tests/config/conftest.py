"""A shop these tests serve from their own processes (runserver, gunicorn): a migrated SQLite
database of its own, with products and a guest's order, on the embedded default (no Redis)."""

import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
GUEST_EMAIL = "zephyrine.quillfeather@attuned.test"
SEED = f"""
import django; django.setup()
from shop.orders.selectors import order_guest_path
from tests.factories import OrderFactory, ProductFactory, order_line_create
lantern = ProductFactory(title="Brass lantern", slug="brass-lantern-84029")
ProductFactory(title="White hanging heart t-light holder", slug="white-hanging-heart-t-light-holder-85123a")
order = OrderFactory(user=None, email={GUEST_EMAIL!r})
order_line_create(order=order, product=lantern)
print(order_guest_path(order))
"""


@dataclass(frozen=True)
class ServedShop:
    environment: dict[str, str]
    guest_order_path: str
    guest_email: str = GUEST_EMAIL


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def served_shop(tmp_path_factory) -> ServedShop:
    database = tmp_path_factory.mktemp("served-shop") / "db.sqlite3"
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("PYTEST", "DJANGO_", "GUNICORN_"))
                   and key not in ("DATABASE_URL", "REDIS_URL")}
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings.local",
                        "DATABASE_URL": f"sqlite:///{database}"})
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=PROJECT_ROOT,
                   env=environment, check=True, capture_output=True, timeout=300)
    seeded = subprocess.run([sys.executable, "-c", SEED], cwd=PROJECT_ROOT, env=environment, check=True,
                            capture_output=True, text=True, timeout=120)
    return ServedShop(environment=environment, guest_order_path=seeded.stdout.strip().splitlines()[-1])
