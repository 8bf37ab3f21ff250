"""python manage.py import_online_retail PATH — load the Online Retail history into the shop.

`--end-today` moves the whole timeline by whole days so the last invoice falls on the day
of the import: the demo's "trending" and its 12-month retention then see a living shop.
`--consent-share` (default 0.6) is the share of imported customers declared as having
consented to personalization, chosen by a stable hash of the customer number.
"""

from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from shop.catalog.fragments import catalog_changed
from shop.catalog.services import product_popularity_refresh
from shop.demo_import.loader import load_plan
from shop.demo_import.source import ImportFileError, plan_import


# Documented in the README: the demo's customers who "consented" to personalization.
DEMO_CONSENT_SHARE = 0.6


class Command(BaseCommand):
    help = "Import products, pseudonymous customers and orders from an Online Retail CSV (plain, gz or xz)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--no-progress", action="store_true", help="Do not draw progress bars.")
        parser.add_argument("--end-today", action="store_true",
                            help="Shift every date by whole days so the last invoice is dated today.")
        parser.add_argument("--consent-share", type=float, default=DEMO_CONSENT_SHARE,
                            help="Share of imported customers with demo personalization consent (0 to 1; "
                                 f"default {DEMO_CONSENT_SHARE}).")

    def handle(self, *args, path: Path, no_progress: bool, end_today: bool, consent_share: float, **options):
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
            last = max(order.placed_at for order in plan.orders)
            shift = timedelta(days=(timezone.now().date() - last.date()).days)
            self.stdout.write(f"Dates moved forward by {shift.days:,} days: the last invoice is dated today.")
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
