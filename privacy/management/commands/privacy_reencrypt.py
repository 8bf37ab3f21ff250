from django.core.management.base import BaseCommand

from privacy.rotation import personal_data_reencrypt


class Command(BaseCommand):
    help = "Rewrite every encrypted field and blind index under the current keys (the end of a key rotation)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options):
        for label, count in personal_data_reencrypt(batch_size=batch_size).items():
            self.stdout.write(f"{label}: {count} rows rewritten")
