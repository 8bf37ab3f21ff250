"""manage.py evaluate_recommenders: score every recommender on a time split of a file.

Needs no database: it reads a file in the Online Retail format (plain, gzip or
xz) and runs ``personalization.recommendations.recommenders.evaluation.evaluate``.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from personalization.recommendations.recommenders.errors import RecommenderDataError
from personalization.recommendations.recommenders.evaluation import evaluate, format_report


class Command(BaseCommand):
    help = (
        "Evaluate the recommenders on a time split of an Online Retail format file: train "
        "before --cutoff, test from it; writes metrics as JSON and optionally the production "
        "'for you' top 10 per test user as CSV."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True, help="CSV file (plain, .gz or .xz)")
        parser.add_argument("--cutoff", required=True, help="first day of the test window, YYYY-MM-DD")
        parser.add_argument(
            "--test-days", type=int, default=None, help="length of the test window (default: to the end)"
        )
        parser.add_argument("--json", required=True, dest="json_path", help="where to write the metrics")
        parser.add_argument(
            "--recommendations", default=None, help="where to write user_id,rank,item_id (CSV)"
        )
        parser.add_argument("--threads", type=int, default=2, help="BLAS threads (default 2)")

    def handle(self, *args, **options):
        for key in ("json_path", "recommendations"):
            target = options[key]
            if target and not Path(target).resolve().parent.is_dir():
                raise CommandError(f"cannot write {target}: its directory does not exist")
        try:
            result = evaluate(
                options["data"],
                options["cutoff"],
                test_days=options["test_days"],
                recommendations_path=options["recommendations"],
                blas_threads=options["threads"],
            )
        except RecommenderDataError as exc:
            raise CommandError(str(exc)) from exc
        Path(options["json_path"]).write_text(json.dumps(result, indent=2, sort_keys=False) + "\n")
        self.stdout.write(format_report(result))
        self.stdout.write(f"\nmetrics written to {options['json_path']}")
        if options["recommendations"]:
            self.stdout.write(f"recommendations written to {options['recommendations']}")
