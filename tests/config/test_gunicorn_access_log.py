"""gunicorn's access log writes one line per request, whatever the path holds."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.embedded_processes

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def raw_request(port: int, target: str) -> bytes:
    deadline = time.monotonic() + 30
    while True:
        try:
            connection = socket.create_connection(("127.0.0.1", port), timeout=10)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    with connection:
        connection.sendall(f"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
        return connection.recv(65536)


def test_newlines_and_nul_bytes_in_the_path_are_escaped_in_the_access_log():
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "GUNICORN_WORKERS": "1",
           "GUNICORN_BIND": f"127.0.0.1:{port}"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application",
                               "-c", "config/gunicorn.py"],
                              cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        response = raw_request(port, "/robots%0A%22GET%20/forged%22%20200%00tail/")
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()

    assert response.startswith(b"HTTP/1.1 4")
    access_lines = [line for line in output.splitlines() if "gunicorn.access" in line]
    assert len(access_lines) == 1, output
    assert "robots\\n" in access_lines[0] and "\\x00tail" in access_lines[0]
    assert not any(line.lstrip('\\"').startswith("GET /forged") for line in output.splitlines())


def http_get(port: int, path: str) -> tuple[int, str]:
    response = raw_request(port, path).decode("latin-1")
    status = int(response.split(" ", 2)[1])
    request_id = next(line.split(":", 1)[1].strip() for line in response.split("\r\n")
                      if line.lower().startswith("x-request-id:"))
    return status, request_id


@pytest.mark.parametrize("log_format", ["json", "plain"])
def test_the_access_log_keeps_request_ids_and_drops_search_terms_and_signed_links(served_shop, log_format):
    port = free_port()
    env = {**served_shop.environment, "GUNICORN_WORKERS": "1", "GUNICORN_BIND": f"127.0.0.1:{port}",
           "DJANGO_LOG_FORMAT": log_format}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application",
                               "-c", "config/gunicorn.py"],
                              cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        search = http_get(port, "/search/?q=lantern")
        order = http_get(port, served_shop.guest_order_path)
        address_in_path = http_get(port, f"/p/{served_shop.guest_email}/")
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()

    token = served_shop.guest_order_path.strip("/").rsplit("/", 1)[-1]
    assert search[0] == 200 and order[0] == 200
    access_lines = [line for line in output.splitlines() if "gunicorn.access" in line]
    assert address_in_path[0] == 404
    assert len(access_lines) == 3, output
    for (status, request_id), path, line in zip([search, order, address_in_path],
                                                ["/search/", "/orders/[redacted]/", "/p/[redacted]/"], access_lines):
        message = json.loads(line)["message"] if log_format == "json" else line
        assert f'"GET {path}" {status} ' in message and message.endswith(f"ms {request_id}"), line
        if log_format == "json":
            assert json.loads(line)["request_id"] == request_id
    assert "lantern" not in output and token[:12] not in output and token[-12:] not in output
    assert "zephyrine" not in output


def test_the_access_line_carries_the_id_the_application_answered_after_the_request_has_ended():
    """gunicorn writes the line when the response is sent; by then another worker type may have
    cleared the request's id. The line takes the id from the response's X-Request-ID."""
    import datetime
    import io
    import logging
    from types import SimpleNamespace

    from gunicorn.config import Config

    from config import gunicorn as gunicorn_config
    from config.gunicorn_logging import EscapingLogger
    from config.logging import JsonFormatter, RedactPersonalDataFilter, RequestIdFilter, current_request_id

    access_log = logging.getLogger("gunicorn.access")
    handlers_before, level_before = access_log.handlers[:], access_log.level
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", gunicorn_config.access_log_format)
    logger = EscapingLogger(config)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactPersonalDataFilter())
    handler.setFormatter(JsonFormatter())
    access_log.handlers = [handler]
    answered = "0afbbd7724c94dc38923eb0a18a7c3e0"
    response = SimpleNamespace(status="200 OK", sent=512, headers=[("Content-Type", "text/html"),
                                                                    ("X-Request-ID", answered)])
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/search/?q=lantern", "SERVER_PROTOCOL": "HTTP/1.1",
               "PATH_INFO": "/search/", "QUERY_STRING": "q=lantern"}
    token = current_request_id.set("-")
    try:
        logger.access(response, SimpleNamespace(headers=[]), environ, datetime.timedelta(milliseconds=12))
    finally:
        current_request_id.reset(token)
        access_log.handlers, access_log.level = handlers_before, level_before

    line = json.loads(stream.getvalue())
    assert line["request_id"] == answered
    assert line["message"] == f'"GET /search/" 200 512 12ms {answered}'
