"""What `make demo` and `make serve` promise, read from the Makefile as make runs it.

A missing DATA file stops `make demo` before anything is installed; e-mailed links follow HOST
and PORT; the project is installed again only when pyproject.toml changed (a reinstall restarts a
running demo); and "The shop is at ..." is printed once the server answers, not before.
"""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.embedded_processes

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ANNOUNCER = PROJECT_ROOT / "scripts" / "announce_when_serving.py"

# Stands in for the virtualenv's python: every manage.py command is a no-op, except that the
# server prints SHOP_BASE_URL as the embedded default's settings read it from the environment make gave.
FAKE_PYTHON = f"""#!/bin/sh
if [ "$1" = manage.py ] && [ "$2" = runserver ]; then
  exec {sys.executable} -c "import django; django.setup(); from django.conf import settings; \\
print('SHOP_BASE_URL=' + settings.SHOP_BASE_URL)"
fi
exit 0
"""


def make_environment(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in {"SHOP_BASE_URL", "HOST", "PORT", "DATA", "MAKEFLAGS", "MAKELEVEL", "MFLAGS",
                          "DJANGO_SETTINGS_MODULE", "REDIS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", PYTHONPATH=str(PROJECT_ROOT), **extra)
    return env


def make(*args: str, cwd: Path = PROJECT_ROOT, timeout: int = 60, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", *args], cwd=cwd, env=make_environment(**env),
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture
def fake_venv(tmp_path: Path) -> Path:
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    return tmp_path / "venv"


def test_make_demo_with_a_missing_data_file_stops_at_once_and_installs_nothing():
    started = time.monotonic()
    result = make("-n", "demo", "DATA=/nonexistent/retail.csv")

    assert result.returncode != 0
    assert "No data file at /nonexistent/retail.csv" in result.stderr
    assert "pip install" not in result.stdout and "migrate" not in result.stdout
    assert time.monotonic() - started < 5


def test_make_demo_with_the_shipped_data_file_goes_on():
    result = make("-n", "demo")

    assert result.returncode == 0, result.stderr
    assert "import_online_retail data/online-retail/online_retail.csv.xz" in result.stdout


def test_the_data_check_leaves_other_targets_alone():
    result = make("-n", "serve", "DATA=/nonexistent/retail.csv")

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("env,expected", [
    ({"PORT": "8101"}, "http://127.0.0.1:8101"),
    ({"HOST": "0.0.0.0", "PORT": "8102"}, "http://0.0.0.0:8102"),
    ({}, "http://127.0.0.1:8000"),
    ({"PORT": "8101", "SHOP_BASE_URL": "https://shop.example.com"}, "https://shop.example.com"),
])
def test_served_shop_links_follow_host_and_port_unless_shop_base_url_is_set(fake_venv, env, expected):
    result = make("serve", f"VENV={fake_venv}", **env)

    assert result.returncode == 0, result.stderr
    assert f"SHOP_BASE_URL={expected}\n" in result.stdout


def test_a_port_on_make_s_command_line_reaches_the_links_too(fake_venv):
    result = make("serve", f"VENV={fake_venv}", "PORT=8103")

    assert "SHOP_BASE_URL=http://127.0.0.1:8103\n" in result.stdout


def test_the_demo_s_settings_keep_their_documented_defaults():
    """Outside make nothing sets SHOP_BASE_URL: the embedded default's own value stands. And, as the
    README says, the demo lets people in without confirming their address (production requires it)."""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                               "print(settings.SHOP_BASE_URL, settings.ACCOUNT_EMAIL_VERIFICATION)"],
        cwd=PROJECT_ROOT, env=make_environment(), capture_output=True, text=True, timeout=60, check=False)

    assert result.stdout.split() == ["http://127.0.0.1:8000", "optional"], result.stderr


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The Makefile and pyproject.toml in a directory of their own, with a virtualenv's python."""
    shutil.copy(PROJECT_ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\nexit 0\n")
    python.chmod(0o755)
    return tmp_path


def planned_installs(project: Path, target: str) -> list[str]:
    result = make("-n", target, cwd=project)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if "pip install" in line]


def age(path: Path, seconds: int) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_install_runs_once_then_only_after_pyproject_changes(project_copy):
    assert planned_installs(project_copy, "install") == [".venv/bin/python -m pip install -e '.[test]'"]
    assert planned_installs(project_copy, "install-app") == [".venv/bin/python -m pip install -e ."]

    result = make("install", cwd=project_copy)
    assert result.returncode == 0, result.stderr
    age(project_copy / "pyproject.toml", 60)

    # Installed with the test tools: neither `make test` nor `make demo` installs again.
    assert planned_installs(project_copy, "install") == []
    assert planned_installs(project_copy, "install-app") == []

    (project_copy / "pyproject.toml").touch()
    assert planned_installs(project_copy, "install") == [".venv/bin/python -m pip install -e '.[test]'"]
    assert planned_installs(project_copy, "install-app") == [".venv/bin/python -m pip install -e ."]


def test_the_shop_only_installs_itself_when_the_test_tools_are_not_asked_for(project_copy):
    make("install-app", cwd=project_copy)
    age(project_copy / "pyproject.toml", 60)

    assert planned_installs(project_copy, "install-app") == []
    assert planned_installs(project_copy, "install") == [".venv/bin/python -m pip install -e '.[test]'"]


def test_make_demo_announces_the_shop_through_the_waiting_script_not_before_serving():
    result = make("-n", "demo")

    lines = result.stdout.splitlines()
    assert not any(line.startswith('echo "The shop is at') for line in lines)
    serve_line = next(i for i, line in enumerate(lines) if "manage.py runserver" in line)
    assert "scripts/announce_when_serving.py --host 127.0.0.1 --port 8000" in lines[serve_line - 1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveHealth(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the standard library's name)
        self.send_response(200 if self.path == "/health/live/" else 404)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_the_announcement_waits_until_the_server_answers():
    port = free_port()
    announcer = subprocess.Popen([sys.executable, str(ANNOUNCER), "--port", str(port), "--every", "0.1"],
                                 stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)
        assert announcer.poll() is None  # nothing answers yet: still waiting, nothing printed
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), LiveHealth)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            output, _ = announcer.communicate(timeout=20)
        finally:
            server.shutdown()
    finally:
        if announcer.poll() is None:
            announcer.kill()
            announcer.wait()

    assert announcer.returncode == 0
    assert output == f"The shop is at http://127.0.0.1:{port}/ — stop it with Ctrl-C.\n"


def test_the_announcement_gives_up_silently_when_the_server_s_shell_is_gone():
    gone = subprocess.Popen(["true"])
    gone.wait()

    result = subprocess.run([sys.executable, str(ANNOUNCER), "--port", str(free_port()), "--stop-with", str(gone.pid),
                             "--every", "0.1"], capture_output=True, text=True, timeout=20, check=False)

    assert result.returncode == 1 and result.stdout == ""


def test_the_announcement_gives_up_after_its_timeout():
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(ANNOUNCER), "--port", str(free_port()), "--timeout", "1",
                             "--every", "0.1"], capture_output=True, text=True, timeout=20, check=False)

    assert result.returncode == 1 and result.stdout == ""
    assert time.monotonic() - started < 10
