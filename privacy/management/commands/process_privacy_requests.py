"""python manage.py process_privacy_requests — carry out what is due now (also scheduled every 5 minutes).

Due erasures run, interrupted exports are built again, expired export files and
unused guest links expire. Safe to run twice and after an interruption.
"""

from django.core.management.base import BaseCommand

from privacy.data_requests import requests_process_due


class Command(BaseCommand):
    help = "Carry out due erasures, resume interrupted exports and delete expired export files."

    def handle(self, *args, **options):
        done = requests_process_due()
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in done.items()))
