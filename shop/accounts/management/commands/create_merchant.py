"""python manage.py create_merchant — a staff login for the admin, printed once."""

import secrets

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand

from shop.accounts.models import User

DEFAULT_MERCHANT_EMAIL = "merchant@example.com"


class Command(BaseCommand):
    help = "Create (or reset) the merchant's admin login and print its password."

    def add_arguments(self, parser):
        parser.add_argument("--email", default=DEFAULT_MERCHANT_EMAIL)

    def handle(self, *args, email: str, **options):
        password = secrets.token_urlsafe(12)
        user, created = User.objects.get_or_create(email=email, defaults={"is_staff": True, "is_superuser": True})
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        # A verified address: allauth lets only such accounts set up a second factor.
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        self.stdout.write(self.style.SUCCESS(
            f"Merchant login {'created' if created else 'reset'}: {email} / {password}  (admin at /admin/)"
        ))
