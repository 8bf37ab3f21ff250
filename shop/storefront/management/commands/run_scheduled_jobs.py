"""python manage.py run_scheduled_jobs — run the beat schedule's jobs without beat.

Once (cron's way, or a developer's): every job, or the named ones, now. With `--every SECONDS`
(the embedded default's companion to the web server, started by `make demo` and `make serve`):
each job when its own schedule says it is due, until the server stops. Each job is a Celery
task that is safe to run twice.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shop.storefront.scheduled_jobs import (
    LastRuns,
    ScheduledJobError,
    in_process_scheduler_refusal,
    scheduled_job_run,
    scheduled_jobs,
    scheduler_loop,
)

DEFAULT_STATE = Path(settings.BASE_DIR) / "var" / "scheduled-jobs.json"


class Command(BaseCommand):
    help = "Run every scheduled job (or the named ones) once, in this process; or, with --every, each when due."

    def add_arguments(self, parser):
        parser.add_argument("jobs", nargs="*", help="Job names from CELERY_BEAT_SCHEDULE; all when omitted.")
        parser.add_argument("--list", action="store_true", help="List the jobs and exit.")
        parser.add_argument("--skip", action="append", default=[], metavar="JOB",
                            help="Leave this job out (repeatable), e.g. one just run in the foreground.")
        parser.add_argument("--already-run", action="append", default=[], metavar="JOB",
                            help="Leave this job out and record it in --state as run now (repeatable): "
                                 "one just run in the foreground, which the loop need not repeat.")
        parser.add_argument("--every", type=float, metavar="SECONDS",
                            help="Keep running: look for due jobs this often and run each when its schedule "
                                 "says so (the embedded default only; refused where beat runs).")
        parser.add_argument("--state", type=Path, metavar="FILE",
                            help=f"When each job last ran (JSON). With --every, default {DEFAULT_STATE}; "
                                 "once, the run is recorded there only when given.")
        parser.add_argument("--stop-with", type=int, metavar="PID",
                            help="With --every: stop when the process PID (the server's shell) is gone.")

    def handle(self, *args, jobs: list[str], list: bool, skip: list[str], already_run: list[str],
               every: float | None, state: Path | None, stop_with: int | None, **options):
        schedule = settings.CELERY_BEAT_SCHEDULE
        if list:
            for name, entry in schedule.items():
                self.stdout.write(f"{name}: {entry['task']}")
            return
        unknown = sorted((set(jobs) | set(skip) | set(already_run)) - set(schedule))
        if unknown:
            raise CommandError(f"Unknown job(s): {', '.join(unknown)}. Known: {', '.join(schedule)}.")
        if already_run and (every is not None or state is None):
            raise CommandError("--already-run records a run once: it needs --state and no --every.")
        left_out = set(skip) | set(already_run)
        chosen = scheduled_jobs(names=[job for job in (jobs or schedule) if job not in left_out])
        report = self.stdout.write
        if every is None:
            last_runs = LastRuns(state)
            for name in already_run:
                last_runs.record(name, timezone.now())
            for job in chosen:
                try:
                    outcome = scheduled_job_run(job=job)
                except ScheduledJobError as error:
                    raise CommandError(str(error)) from None
                last_runs.record(job.name, timezone.now())
                report(f"{job.name}: done ({outcome})")
            return
        refusal = in_process_scheduler_refusal()
        if refusal:
            raise CommandError(refusal)
        if every <= 0:
            raise CommandError("--every needs a number of seconds above 0.")
        report(f"Scheduled jobs: {len(chosen)} jobs, each when due (looking every {every:g} s).")
        scheduler_loop(jobs=chosen, last_runs=LastRuns(state or DEFAULT_STATE), every=every,
                       parent_pid=stop_with, report=report)
