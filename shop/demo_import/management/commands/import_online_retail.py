"""python manage.py import_online_retail PATH — load the Online Retail history into the shop.

`--end-today` moves the whole timeline so the last invoice falls a minute before the import
(never later today): the demo's "trending" and its 12-month retention then see a living shop,
and a training started any time after the import reads the whole history.
`--consent-share` (default 0.6) is the share of imported customers declared as having
consented to personalization, chosen by a stable hash of the customer number.
"""

import argparse
from datetime import datetime, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from shop.catalog.fragments import catalog_changed
from shop.orders.popularity import product_popularity_refresh
from ...loader import history_shift, load_plan
from ...source import ImportFileError, plan_import

# Documented in the README: the demo's customers who "consented" to personalization.
DEMO_CONSENT_SHARE = 0.6


def _aware_datetime(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date and time: {text!r}") from None
    if timezone.is_naive(moment):
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone (add +00:00 or Z)")
    return moment


class Command(BaseCommand):
    help = "Import products, pseudonymous customers and orders from an Online Retail CSV (plain, gz or xz)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--no-progress", action="store_true", help="Do not draw progress bars.")
        parser.add_argument("--end-today", action="store_true",
                            help="Shift every date so the last invoice is a minute before the import.")
        parser.add_argument("--now", type=_aware_datetime, default=None,
                            help="The import's reference time for --end-today, ISO 8601 with a time zone "
                                 "(default: the current time).")
        parser.add_argument("--consent-share", type=float, default=DEMO_CONSENT_SHARE,
                            help="Share of imported customers with demo personalization consent (0 to 1; "
                                 f"default {DEMO_CONSENT_SHARE}).")

    def handle(self, *args, path: Path, no_progress: bool, end_today: bool, consent_share: float,
               now: datetime | None, **options):
        now = now or timezone.now()
        if not 0 <= consent_share <= 1:
            raise CommandError(f"--consent-share must be between 0 and 1, got {consent_share}.")
        self.stdout.write(f"Reading {path} ...")
        try:
            plan = plan_import(path)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Read {plan.rows_read:,} rows: {len(plan.products):,} products, "
            f"{len(plan.customer_numbers):,} customers, {len(plan.orders):,} orders."
        )
        totals = {"products": len(plan.products), "customers": len(plan.customer_numbers), "orders": len(plan.orders)}
        bars: dict[str, tqdm] = {}

        def progress(stage: str, advance: int) -> None:
            if stage not in bars:
                for finished in bars.values():
                    finished.close()
                bars[stage] = tqdm(total=totals[stage], desc=f"Importing {stage}", unit=" " + stage,
                                   disable=no_progress, file=self.stderr._out, leave=True)
            bars[stage].update(advance)

        shift = timedelta(0)
        if end_today and plan.orders:
            shift = history_shift(plan, now=now)
            last = max(order.placed_at for order in plan.orders) + shift
            self.stdout.write(f"Dates moved forward by {shift.days:,} days and {shift.seconds // 60:,} minutes: "
                              f"the last invoice is dated {last:%Y-%m-%d %H:%M %Z}, before the import.")
        result = load_plan(plan, progress=progress, shift=shift, consent_share=consent_share)
        for bar in bars.values():
            bar.close()
        if result.created["orders"]:
            product_popularity_refresh()
        if any(result.created.values()):
            catalog_changed()  # bulk inserts send no save signals: pages cached before the import go stale

        self.stdout.write(self.style.SUCCESS("Import finished."))
        self.stdout.write(f"  {'':24}{'created':>10}{'already there':>16}")
        for kind in ("products", "customers", "orders"):
            self.stdout.write(f"  {kind:24}{result.created[kind]:>10,}{result.already_present[kind]:>16,}")
        self.stdout.write(f"  {'categories':24}{result.created['categories']:>10,}")
        self.stdout.write(f"  order lines planned: {sum(len(o.lines) for o in plan.orders):,}; "
                          f"cancellation lines applied to earlier orders: {plan.cancellation_lines_applied:,}")
        skipped_total = sum(plan.skipped.values())
        self.stdout.write(f"Rows skipped: {skipped_total:,}")
        for reason, count in plan.skipped.most_common():
            self.stdout.write(f"  {count:>8,}  {reason}")
