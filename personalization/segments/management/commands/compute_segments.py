"""python manage.py compute_segments — compute the customer segments now and print them."""

from django.core.management.base import BaseCommand

from personalization.segments.segmentation import segments_compute


class Command(BaseCommand):
    help = "Compute customer segments (recency, frequency, spend) now, in the foreground, and print them."

    def handle(self, *args, **options):
        run = segments_compute()
        self.stdout.write(f"{run.customers} consenting customers with orders; k={run.k}"
                          + (f", silhouette {run.silhouette:.3f}" if run.silhouette is not None else ""))
        if not run.segments:
            self.stdout.write(f"No segment reported: fewer than {run.min_size} customers in all.")
        for segment in run.segments:
            self.stdout.write(f"  {segment['name']}: {segment['size']} customers, last order "
                              f"{segment['recency_days']:.0f} days ago, {segment['frequency']:.1f} orders, "
                              f"spent {segment['monetary']:.2f} on average")
        if run.suppressed:
            self.stdout.write(f"  {run.suppressed} customers in no segment (groups under {run.min_size} are not shown)")
