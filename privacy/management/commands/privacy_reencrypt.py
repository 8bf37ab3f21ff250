from django.core.management.base import BaseCommand

from privacy.rotation import personal_data_reencrypt


class Command(BaseCommand):
    help = ("Rewrite every encrypted field and blind index under the current keys (the end of a key rotation). "
            "Each batch is verified; an interrupted run resumes where it stopped.")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--restart", action="store_true", help="Start again from the first row of every table.")
        parser.add_argument("--max-batches", type=int, default=None, help="Stop after this many batches.")

    def handle(self, *args, batch_size: int, restart: bool, max_batches: int | None, **options):
        done = personal_data_reencrypt(batch_size=batch_size, restart=restart, max_batches=max_batches)
        for label, count in done.items():
            self.stdout.write(f"{label}: {count} rows rewritten and verified")
