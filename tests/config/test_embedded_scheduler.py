"""On the embedded default the scheduled jobs run beside the web server, each when due; never where beat runs.

The notice promises a retraining within PERSONALIZATION_RETRAIN_DEADLINE_HOURS of a withdrawal:
here `make serve` runs for real against a file-backed SQLite database, nobody runs a command, and
the withdrawal is followed by a retraining.
"""

from __future__ import annotations

import io
import json
import logging
import logging.handlers
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from celery import shared_task
from django.conf import settings
from django.core.management import call_command

from shop.storefront.scheduled_jobs import LastRuns, ScheduledJob, due_jobs_run, scheduled_jobs
from tests.config.test_production_settings import GOOD

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(Path(sys.executable))

# A small shop on the file database: five consenting customers bought, one of them (Eve) then
# withdrew her consent, after the models had been trained with her purchases.
SHOP_WITH_A_WITHDRAWAL = """
import django
django.setup()
from personalization.recommendations.models import RetrainingRequest
from personalization.recommendations.training import recommenders_train
from privacy.services import consent_decide
from primitives.subjects import Subject
from tests.personalization.worlds import bought, customer, products

lamp, mug, vase, candle = products(4)
people = [customer() for _ in range(5)]
for days, person in enumerate(people):
    bought(person, lamp, mug, days_ago=10 + days)
    bought(person, vase, candle, days_ago=2 + days)
version = recommenders_train()
consent_decide(subject=Subject.for_user(people[0]), choices={"personalization": False}, source="settings")
print(version.pk, RetrainingRequest.objects.filter(fulfilled_by__isnull=True).count())
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def embedded_env(database: Path, **extra: str) -> dict[str, str]:
    """The environment of `make demo` on a developer's machine: no broker, local settings, a file database."""
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "MAKEFLAGS", "MAKELEVEL"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", DATABASE_URL=f"sqlite:///{database}",
               PYTHONPATH=str(PROJECT_ROOT), **extra)
    return env


def run(args: list[str], env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)


def processes_in_session(session_id: int) -> list[str]:
    """Command lines of the live processes of one session (what `make serve` started), as
    "program arguments" with the program's name alone (the recipe's shell is "sh -c ...")."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] != "Z" and int(fields[3]) == session_id:
                program, *arguments = (entry / "cmdline").read_bytes().rstrip(b"\0").decode().split("\0")
                found.append(" ".join([Path(program).name, *arguments]))
        except (OSError, ValueError, IndexError):
            continue  # ended while we looked
    return found


def page_status(url: str, *, within: float = 60) -> int | None:
    """The status of `url` once the server answers (it checks the project before it listens)."""
    deadline = time.monotonic() + within
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                return None
            time.sleep(0.5)


def retraining_state(database: Path) -> tuple[int, int | None, list[int]]:
    """(pending retraining requests, the version the last request was fulfilled by, every version id)."""
    with sqlite3.connect(database, timeout=10) as connection:
        pending = connection.execute(
            "select count(*) from personalization_retrainingrequest where fulfilled_by_id is null").fetchone()[0]
        fulfilled = connection.execute(
            "select fulfilled_by_id from personalization_retrainingrequest order by id desc").fetchone()[0]
        versions = [row[0] for row in connection.execute("select id from personalization_modelversion order by id")]
    return pending, fulfilled, versions


def ctrl_c_works() -> None:
    """In the child, before `make` starts: Ctrl-C (SIGINT) acts as at a terminal, even when the test
    run itself was started where SIGINT is ignored (a background job of a script, nohup)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def shop_on_a_file_database(tmp_path):
    database = tmp_path / "shop.sqlite3"
    env = embedded_env(database)
    migrated = run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    assert migrated.returncode == 0, migrated.stderr
    made = run([PYTHON, "-c", SHOP_WITH_A_WITHDRAWAL], env)
    assert made.returncode == 0, made.stderr
    first_version, pending = (int(value) for value in made.stdout.split())
    assert pending == 1  # the withdrawal asked for a retraining, and nothing has run it
    return database, first_version


@pytest.mark.embedded_processes
def test_while_make_serve_runs_a_withdrawal_is_followed_by_a_retraining(shop_on_a_file_database, tmp_path):
    database, first_version = shop_on_a_file_database
    # Every job ran a moment ago, except the hourly retraining job, which last ran just over an hour
    # ago: it is the only one due, so only it may run (the daily training, not due, must not).
    now = datetime.now(UTC)
    state = tmp_path / "scheduled-jobs.json"
    ran_before = {name: now.isoformat() for name in settings.CELERY_BEAT_SCHEDULE}
    ran_before["retrain-recommenders-if-requested"] = (now - timedelta(minutes=61)).isoformat()
    state.write_text(json.dumps(ran_before))
    port = free_port()

    # A long tick: the first look for due jobs is at once, and a stop that waited for the next
    # tick (rather than the Makefile's trap) would leave the jobs running after the server.
    server = subprocess.Popen(
        ["make", "--no-print-directory", "serve", f"PORT={port}", f"BIN={Path(PYTHON).parent}",
         "SCHEDULE_EVERY=60", f"SCHEDULE_STATE={state}"],
        cwd=PROJECT_ROOT, env=embedded_env(database), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True, text=True, preexec_fn=ctrl_c_works)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and retraining_state(database)[0]:
            assert server.poll() is None, server.stdout.read()
            time.sleep(0.5)
        pending, fulfilled_by, versions = retraining_state(database)
        assert pending == 0, "nothing retrained the models after the withdrawal"
        assert fulfilled_by == versions[-1] and fulfilled_by != first_version
        # The shop is served meanwhile, by the same `make serve`.
        assert page_status(f"http://127.0.0.1:{port}/health/live/") == 200
        recorded = json.loads(state.read_text())
        assert recorded["train-recommenders"] == ran_before["train-recommenders"]  # not due: not run
        assert recorded["purge-expired-personal-data"] == ran_before["purge-expired-personal-data"]
        assert recorded["retrain-recommenders-if-requested"] > now.isoformat()
        assert any(line.startswith("python manage.py run_scheduled_jobs --every")
                   for line in processes_in_session(server.pid))
    finally:
        # Ctrl-C at the terminal: SIGINT to the foreground group (the scheduled jobs ignore it, as a
        # background job of a shell does: the Makefile's trap stops them).
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        finally:
            left = []
            for _ in range(20):
                left = processes_in_session(server.pid)
                if not left:
                    break
                time.sleep(0.25)
            if left:
                os.killpg(server.pid, signal.SIGKILL)
    assert left == [], f"still running after the server stopped: {left}"


@pytest.mark.embedded_processes
def test_make_serve_with_a_broker_leaves_the_schedule_to_beat(tmp_path):
    state = tmp_path / "scheduled-jobs.json"
    port = free_port()
    server = subprocess.Popen(
        ["make", "--no-print-directory", "serve", f"PORT={port}", f"BIN={Path(PYTHON).parent}",
         "SCHEDULE_EVERY=0.5", f"SCHEDULE_STATE={state}"],
        cwd=PROJECT_ROOT, env=embedded_env(tmp_path / "unused.sqlite3", REDIS_URL="redis://127.0.0.1:6379/15"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        preexec_fn=ctrl_c_works)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(
                line.startswith("python manage.py runserver") for line in processes_in_session(server.pid)):
            time.sleep(0.25)
        time.sleep(2)  # long enough for a companion to start and run its first tick
        started = processes_in_session(server.pid)
        assert any(line.startswith("python manage.py runserver") for line in started)
        assert not any(line.startswith("python manage.py run_scheduled_jobs") for line in started)
        assert not state.exists()
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


@pytest.mark.embedded_processes
@pytest.mark.parametrize("where", ["a broker is configured", "production settings"])
def test_the_loop_refuses_to_run_where_beat_runs_the_schedule(tmp_path, where):
    state = tmp_path / "scheduled-jobs.json"
    if where == "a broker is configured":
        env = embedded_env(tmp_path / "unused.sqlite3", REDIS_URL="redis://127.0.0.1:6379/15")
    else:
        env = {**embedded_env(tmp_path / "unused.sqlite3"), **GOOD,
               "DJANGO_SETTINGS_MODULE": "config.settings.production"}

    result = run([PYTHON, "manage.py", "run_scheduled_jobs", "--every", "0.5", "--state", str(state)], env,
                 timeout=60)

    assert result.returncode == 1
    assert "beat" in result.stderr
    assert not state.exists()  # no job ran


@pytest.mark.embedded_processes
def test_the_loop_stops_when_the_process_it_ran_beside_is_gone(tmp_path):
    state, log = tmp_path / "scheduled-jobs.json", tmp_path / "jobs.log"
    # The shell starts the loop in the background and exits at once, as a killed server's shell would.
    started_in_background = (f"{PYTHON} manage.py run_scheduled_jobs --every 0.2 --state {state} "
                             f"--stop-with $$ > {log} 2>&1 & echo $!")
    shell = run(["sh", "-c", started_in_background], embedded_env(tmp_path / "shop.sqlite3"))
    loop = Path("/proc") / shell.stdout.strip()
    deadline = time.monotonic() + 60
    while loop.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    if loop.exists():
        os.kill(int(loop.name), signal.SIGKILL)
        pytest.fail("the loop kept running after the process it ran beside had gone")
    assert "The server stopped: scheduled jobs stop too." in log.read_text()
    assert not state.exists()  # it stopped before running anything


HOURLY = "retrain-recommenders-if-requested"


@pytest.mark.django_db
@pytest.mark.parametrize(("minutes_ago", "runs"), [(59.9, False), (60.1, True)])
def test_a_job_runs_when_its_interval_has_passed_and_not_before(tmp_path, minutes_ago, runs):
    assert settings.CELERY_BEAT_SCHEDULE[HOURLY]["schedule"] == 60 * 60
    last_runs = LastRuns(tmp_path / "state.json")
    ran_at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    last_runs.record(HOURLY, ran_at)

    ran = due_jobs_run(jobs=scheduled_jobs(names=[HOURLY]), last_runs=LastRuns(tmp_path / "state.json"))

    assert ran == ([HOURLY] if runs else [])
    assert (LastRuns(tmp_path / "state.json").get(HOURLY) > ran_at) is runs


@pytest.mark.django_db
def test_a_job_never_run_here_is_due_at_once_and_then_waits_for_its_interval(tmp_path):
    last_runs = LastRuns(tmp_path / "state.json")
    jobs = scheduled_jobs(names=[HOURLY, "purge-old-price-history"])

    assert due_jobs_run(jobs=jobs, last_runs=last_runs) == [HOURLY, "purge-old-price-history"]
    assert due_jobs_run(jobs=jobs, last_runs=last_runs) == []


@pytest.mark.django_db
def test_the_demo_records_the_training_it_ran_in_the_foreground_so_the_loop_does_not_repeat_it(tmp_path):
    state = tmp_path / "state.json"
    jobs = ["train-recommenders", "purge-old-price-history"]

    call_command("run_scheduled_jobs", "purge-old-price-history", "--already-run", "train-recommenders",
                 "--state", str(state), stdout=io.StringIO())

    assert set(LastRuns(state).times) == set(jobs)
    assert due_jobs_run(jobs=scheduled_jobs(names=jobs), last_runs=LastRuns(state)) == []


@pytest.mark.parametrize(("hours_ago", "due"), [(0.02, False), (25, True)])
def test_a_crontab_entry_is_due_once_its_time_of_day_has_passed_since_it_last_ran(settings, hours_ago, due):
    from celery.schedules import crontab

    at = (datetime.now(UTC).hour + 12) % 24  # half a day away, whenever the test runs
    settings.CELERY_BEAT_SCHEDULE = {**settings.CELERY_BEAT_SCHEDULE, "nightly": {
        "task": "shop.orders.tasks.refresh_product_popularity", "schedule": crontab(minute=0, hour=at)}}
    [job] = scheduled_jobs(names=["nightly"])

    assert job.is_due(last_run_at=datetime.now(UTC) - timedelta(hours=hours_ago)) is due


@shared_task(name="tests.config.scheduled_job_that_fails")
def scheduled_job_that_fails():
    raise ValueError("could not reach ada.lovelace@example.com")


@pytest.mark.django_db
def test_a_failing_job_is_reported_by_name_without_its_message_and_the_others_still_run(tmp_path):
    failing = ScheduledJob(name="fails", task_name="tests.config.scheduled_job_that_fails",
                           schedule=scheduled_jobs(names=[HOURLY])[0].schedule)
    last_runs, lines = LastRuns(tmp_path / "state.json"), []
    # On the scheduler's own logger: running a task in-process may set the root handlers up afresh.
    logged = logging.handlers.BufferingHandler(capacity=100)
    scheduler_logger = logging.getLogger("shop.storefront.scheduled_jobs")
    scheduler_logger.addHandler(logged)
    try:
        ran = due_jobs_run(jobs=[failing, *scheduled_jobs(names=[HOURLY])], last_runs=last_runs, report=lines.append)
    finally:
        scheduler_logger.removeHandler(logged)

    assert ran == ["fails", HOURLY]
    assert lines == ["fails failed: ValueError", f"{HOURLY}: done (None)"]
    messages = [record.getMessage() for record in logged.buffer]
    assert messages == ["Scheduled job fails failed: ValueError"]
    assert "ada.lovelace" not in "".join(messages + lines)
    assert last_runs.get("fails") is not None  # not retried every tick: due again after its interval
