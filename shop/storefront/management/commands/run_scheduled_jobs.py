"""python manage.py run_scheduled_jobs — run the beat schedule's jobs now, without beat.

On the embedded default nothing runs beat; cron, a developer or the demo set-up
calls this instead. Each job is a Celery task that is safe to run twice.
"""

from celery import current_app
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run every scheduled job (or the named ones) once, in this process."

    def add_arguments(self, parser):
        parser.add_argument("jobs", nargs="*", help="Job names from CELERY_BEAT_SCHEDULE; all when omitted.")
        parser.add_argument("--list", action="store_true", help="List the jobs and exit.")
        parser.add_argument("--skip", action="append", default=[], metavar="JOB",
                            help="Leave this job out (repeatable), e.g. one just run in the foreground.")

    def handle(self, *args, jobs: list[str], list: bool, skip: list[str], **options):
        schedule = settings.CELERY_BEAT_SCHEDULE
        if list:
            for name, entry in schedule.items():
                self.stdout.write(f"{name}: {entry['task']}")
            return
        unknown = sorted((set(jobs) | set(skip)) - set(schedule))
        if unknown:
            raise CommandError(f"Unknown job(s): {', '.join(unknown)}. Known: {', '.join(schedule)}.")
        current_app.loader.import_default_modules()  # registers every app's tasks
        for name in [job for job in (jobs or schedule) if job not in skip]:
            task = current_app.tasks[schedule[name]["task"]]
            result = task.apply()  # in this process, whatever the broker
            if result.failed():
                raise CommandError(f"{name} failed: {result.result!r}")
            self.stdout.write(f"{name}: done ({result.result})")
