"""python manage.py create_demo_demand_rule — an enabled demand rule for the demo, once.

The demo's stock is about a month of recent demand: with scarce cover below 21 days and ample
cover above 45, items selling faster than usual go up a little, slow movers come down.
Does nothing when any demand rule exists (the merchant's own rules are never touched).
"""

from decimal import Decimal

from django.core.management.base import BaseCommand

from shop.pricing.models import DemandRule

DEMO_RULE = {"name": "Demo: sales velocity and stock cover", "enabled": True,
             "max_increase_percent": Decimal("8"), "max_decrease_percent": Decimal("15"),
             "velocity_window_days": 28, "scarce_cover_days": 21, "ample_cover_days": 45}


class Command(BaseCommand):
    help = "Create an enabled catalog-wide demand rule for the demo, unless a demand rule exists."

    def handle(self, *args, **options):
        if DemandRule.objects.exists():
            self.stdout.write("A demand rule exists already: nothing created.")
            return
        rule = DemandRule.objects.create(**DEMO_RULE)
        self.stdout.write(f"Created the enabled demand rule “{rule.name}” ({rule.code}).")
