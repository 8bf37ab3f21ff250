"""python manage.py create_demo_shopper — a login as one of the demo's consenting customers, printed once.

Imported customers cannot log in (their passwords are unusable). To see "Recommended for you"
and "Buy again" as a shopper would, this picks the consenting imported customer with the
richest history in the serving model version and gives them a fresh password.
"""

import secrets

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand, CommandError

from personalization.models import Rail, RecommendationList
from shop.accounts.models import User


class Command(BaseCommand):
    help = "Give one consenting demo customer a password and print the login."

    def handle(self, *args, **options):
        served = (RecommendationList.objects.filter(version__status="active", rail=Rail.BUY_AGAIN,
                                                    user__imported_customer_number__isnull=False)
                  .order_by("user_id").values_list("user_id", "items"))
        richest = max(served, key=lambda row: (len(row[1]), -row[0]), default=None)
        if richest is None:
            raise CommandError("No consenting demo customer has recommendations yet: run train_recommenders.")
        user = User.objects.get(pk=richest[0])
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(user=user, email=user.email,
                                              defaults={"verified": True, "primary": True})
        self.stdout.write(self.style.SUCCESS(
            f"Demo shopper login (a consenting customer, for 'Recommended for you'): {user.email} / {password}"))
