"""The beat schedule run in this process: what the embedded default has instead of Celery beat.

`run_scheduled_jobs` runs the jobs of CELERY_BEAT_SCHEDULE once (cron's way); with `--every`
it keeps running beside the web server (`make demo`, `make serve`) and runs each job when its
own schedule says it is due, as beat would. When each job last ran is kept in a small JSON
file, so a restarted server does not run the daily jobs again at once, and a job never run
is due at once.

Where a broker is configured (REDIS_URL), or under production settings, beat (or cron with
the one-off command) runs the schedule: the loop refuses to start there, so no job runs twice.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from celery import current_app
from celery.schedules import BaseSchedule, maybe_schedule
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)


class ScheduledJobError(RuntimeError):
    """A job that failed when run in this process; the message names it."""


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    task_name: str
    schedule: BaseSchedule

    def is_due(self, *, last_run_at: datetime | None) -> bool:
        """Due when it never ran here, or when its schedule (interval or crontab) says so."""
        if last_run_at is None:
            return True
        due, _ = self.schedule.is_due(last_run_at)
        return due


def scheduled_jobs(*, names: Iterable[str] | None = None) -> list[ScheduledJob]:
    """The jobs of CELERY_BEAT_SCHEDULE (all, or the named ones in the schedule's order)."""
    schedule = settings.CELERY_BEAT_SCHEDULE
    wanted = set(schedule) if names is None else set(names)
    return [ScheduledJob(name=name, task_name=entry["task"],
                         schedule=_as_schedule(entry["schedule"]))
            for name, entry in schedule.items() if name in wanted]


def _as_schedule(value) -> BaseSchedule:
    # Seconds or a timedelta mean an interval, as in beat; a crontab is kept as it is.
    found = maybe_schedule(value, app=current_app)
    found.app = current_app  # so its "now" is the app's (UTC), not the process's local time
    return found


def scheduled_job_run(*, job: ScheduledJob):
    """Run one job's task now, in this process, whatever the broker; its result, or ScheduledJobError."""
    current_app.loader.import_default_modules()  # registers every app's tasks
    result = current_app.tasks[job.task_name].apply()
    if result.failed():
        raise ScheduledJobError(f"{job.name} failed: {type(result.result).__name__}")
    return result.result


def in_process_scheduler_refusal() -> str | None:
    """Why the schedule must not be run by a loop in this process, or None where it may.

    A configured broker means beat runs it (and workers take its tasks); production settings
    mean beat or cron does. Either way a second runner would run every job twice.
    """
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return "A broker is configured (REDIS_URL): Celery beat runs the schedule, not this loop."
    if not settings.SCHEDULED_JOBS_IN_PROCESS:
        return ("These settings run the schedule with Celery beat or cron (`run_scheduled_jobs` once): "
                "not with this loop.")
    return None


class LastRuns:
    """When each job last ran here, kept in a JSON file ({job name: ISO 8601 time}); no file, no runs."""

    def __init__(self, path: Path | None):
        self.path = path
        self.times: dict[str, datetime] = {}
        if path is not None and path.exists():
            try:
                stored = json.loads(path.read_text())
                self.times = {name: datetime.fromisoformat(at) for name, at in stored.items()}
            except (ValueError, TypeError, AttributeError):
                # A damaged file: every job is due once more, which each job is safe to do.
                logger.warning("Scheduled jobs: %s unreadable, every job is due.", path)

    def get(self, name: str) -> datetime | None:
        return self.times.get(name)

    def record(self, name: str, at: datetime) -> None:
        self.times[name] = at
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        written = self.path.with_suffix(".tmp")
        written.write_text(json.dumps({job: when.isoformat() for job, when in self.times.items()}, indent=1))
        os.replace(written, self.path)  # a reader never sees half a file


def due_jobs_run(*, jobs: list[ScheduledJob], last_runs: LastRuns,
                 report: Callable[[str], None] = lambda line: None) -> list[str]:
    """Run every job that is due now, each once, in the schedule's order; returns the names run.

    A failing job is reported and counted as run (beat, too, waits for the next due time
    rather than repeating a failure every tick); the other jobs still run.
    """
    ran = []
    for job in jobs:
        if not job.is_due(last_run_at=last_runs.get(job.name)):
            continue
        started = timezone.now()
        try:
            outcome = scheduled_job_run(job=job)
        except ScheduledJobError as error:
            logger.error("Scheduled job %s", error)
            report(str(error))
        except Exception as error:  # noqa: BLE001 - one job's failure must not stop the others
            logger.error("Scheduled job %s failed: %s", job.name, type(error).__name__)
            report(f"{job.name} failed: {type(error).__name__}")
        else:
            report(f"{job.name}: done ({outcome})")
        last_runs.record(job.name, started)
        ran.append(job.name)
    return ran


def scheduler_loop(*, jobs: list[ScheduledJob], last_runs: LastRuns, every: float,
                   stop: threading.Event | None = None, parent_pid: int | None = None,
                   report: Callable[[str], None] = lambda line: None) -> None:
    """Run due jobs every `every` seconds until `stop` is set or the parent process `parent_pid` is gone
    (the server it ran beside stopped, however it stopped)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        if parent_pid is not None and os.getppid() != parent_pid:
            report("The server stopped: scheduled jobs stop too.")
            return
        due_jobs_run(jobs=jobs, last_runs=last_runs, report=report)
        stop.wait(every)
