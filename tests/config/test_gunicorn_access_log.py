"""gunicorn's access log writes one line per request, whatever the path holds."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

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
