"""python manage.py recompute_prices [--dry-run] — recompute demand prices now, in the foreground."""

from django.core.management.base import BaseCommand, CommandError

from primitives.money import format_money
from shop.pricing.selectors import enabled_demand_rules
from shop.pricing.services import MoveSummary, RecomputeInProgress, prices_recompute


class Command(BaseCommand):
    help = "Recompute every variant's demand price within its guardrails (--dry-run: print what would change)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print what would change; change nothing.")
        parser.add_argument("--examples", type=int, default=10, help="How many of the biggest moves to list.")

    def handle(self, *args, dry_run: bool, examples: int, **options):
        rules = enabled_demand_rules()
        self.stdout.write(f"Enabled demand rules: {', '.join(f'{rule.name} ({rule.code})' for rule in rules) or 'none'}"
                          + ("" if rules else " — prices move back towards their list prices."))
        self.stdout.write("Reading sales, stock and the last 30 days of prices ...")
        try:
            result = prices_recompute(dry_run=dry_run, trigger="dry run" if dry_run else "command",
                                      progress=lambda message: self.stdout.write(f"  {message}"))
        except RecomputeInProgress as error:
            raise CommandError(str(error)) from error
        summary: MoveSummary = result.summary
        moved = summary.up + summary.down
        verb = "would move" if dry_run else "moved"
        self.stdout.write(f"{result.run.variants_seen} variants priced in {result.run.duration_seconds:.2f} s: "
                          f"{moved} {verb} ({summary.up} up, {summary.down} down), "
                          f"{result.clamped} held by a guardrail.")
        if summary.up:
            self.stdout.write(f"  up:   mean {summary.mean_up_percent}%, median {summary.median_up_percent}%, "
                              f"largest {summary.max_up_percent}%")
        if summary.down:
            self.stdout.write(f"  down: mean {summary.mean_down_percent}%, median {summary.median_down_percent}%, "
                              f"largest {summary.max_down_percent}%")
        if summary.biggest:
            self.stdout.write("Biggest moves:")
            for name, old, new, percent in summary.biggest[:examples]:
                self.stdout.write(f"  {name}: {format_money(old)} -> {format_money(new)} ({percent:+}%)")
        self.stdout.write(self.style.SUCCESS("Dry run: nothing was changed." if dry_run else "Prices saved."))
