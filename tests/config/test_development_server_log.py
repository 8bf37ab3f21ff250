"""The development server's request log (what `make demo` prints) goes through the redaction
filter: a real `manage.py runserver` process, its stderr read after a search, a guest's signed
order link and a product page."""

import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest

from tests.config.conftest import PROJECT_ROOT, free_port

pytestmark = pytest.mark.embedded_processes


@dataclass(frozen=True)
class ServerLog:
    text: str
    request_ids: dict[str, str]
    statuses: dict[str, int]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers["X-Request-ID"]
    except urllib.error.HTTPError as error:
        return error.code, error.headers["X-Request-ID"]


@pytest.fixture(scope="module")
def development_server_log(served_shop, tmp_path_factory) -> ServerLog:
    port = free_port()
    stderr_path = tmp_path_factory.mktemp("runserver") / "stderr.log"
    tampered = served_shop.guest_order_path[:-6] + "xxxxx/"
    paths = {"search": "/search/?q=lantern", "order": served_shop.guest_order_path, "tampered": tampered,
             "product": "/p/white-hanging-heart-t-light-holder-85123a/",
             "find": f"/orders/find/?email={served_shop.guest_email}"}
    with stderr_path.open("w") as stderr:
        server = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                                  cwd=PROJECT_ROOT, env=served_shop.environment, stdout=subprocess.DEVNULL,
                                  stderr=stderr)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    fetch(f"http://127.0.0.1:{port}/robots.txt")
                    break
                except OSError:
                    assert server.poll() is None and time.monotonic() < deadline, stderr_path.read_text()
                    time.sleep(0.3)
            answers = {name: fetch(f"http://127.0.0.1:{port}{path}") for name, path in paths.items()}
            # The server writes a request's line after answering it.
            deadline = time.monotonic() + 10
            while not all(answer[1] in stderr_path.read_text() for answer in answers.values()):
                assert time.monotonic() < deadline, stderr_path.read_text()
                time.sleep(0.1)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return ServerLog(text=stderr_path.read_text(), statuses={name: answer[0] for name, answer in answers.items()},
                     request_ids={name: answer[1] for name, answer in answers.items()})


def request_line(log: ServerLog, name: str) -> str:
    lines = [line for line in log.text.splitlines()
             if "django.server" in line and log.request_ids[name] in line]
    assert len(lines) == 1, log.text
    return lines[0]


def test_a_search_is_logged_without_its_terms(development_server_log):
    log = development_server_log

    assert log.statuses["search"] == 200
    assert '"GET /search/?[redacted] HTTP/1.1" 200' in request_line(log, "search")
    assert "lantern" not in log.text


def test_a_signed_order_link_is_logged_without_its_token_or_the_guests_address(development_server_log, served_shop):
    log = development_server_log
    token = served_shop.guest_order_path.strip("/").rsplit("/", 1)[-1]

    assert log.statuses["order"] == 200 and log.statuses["tampered"] == 404
    assert '"GET /orders/[redacted]/ HTTP/1.1" 200' in request_line(log, "order")
    assert '"GET /orders/[redacted]/ HTTP/1.1" 404' in request_line(log, "tampered")
    assert "Not Found: /orders/[redacted]/" in log.text
    assert token[:12] not in log.text and token[-12:] not in log.text
    assert "zephyrine" not in log.text and "/orders/find/?[redacted]" in log.text


def test_each_line_keeps_its_request_id_and_product_pages_stay_readable(development_server_log):
    log = development_server_log

    assert len(set(log.request_ids.values())) == len(log.request_ids)
    for name in log.request_ids:
        assert f"[{log.request_ids[name]}]" in request_line(log, name)
    assert log.statuses["product"] == 200
    assert '"GET /p/white-hanging-heart-t-light-holder-85123a/ HTTP/1.1" 200' in request_line(log, "product")
