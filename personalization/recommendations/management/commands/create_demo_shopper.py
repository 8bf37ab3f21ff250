"""python manage.py create_demo_shopper — a login as one of the demo's consenting customers, printed once.

Imported customers cannot log in (their passwords are unusable). To see "Recommended for you"
and "Buy again" as a shopper would, this picks the consenting imported customer with the
richest history in the serving model version and gives them a fresh password. When the shop has
no segment discount yet and segments were computed, their segment gets a small one
(DEMO_SEGMENT_DISCOUNT), so the demo shows a personalized price labelled with its reason.
"""

import secrets
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand, CommandError

from personalization.recommendations.models import Rail, RecommendationList
from personalization.segments.models import SegmentDiscount, SegmentMembership
from personalization.segments.selectors import segment_runs_newest_first
from shop.accounts.models import User


DEMO_SEGMENT_DISCOUNT = Decimal("5")


def demo_segment_discount(user) -> SegmentDiscount | None:
    """A discount for the user's segment in the latest run, unless the shop has one already."""
    if SegmentDiscount.objects.exists():
        return None
    run = segment_runs_newest_first().first()
    membership = SegmentMembership.objects.filter(run=run, user=user).first() if run else None
    if membership is None:
        return None
    return SegmentDiscount.objects.create(
        segment=membership.segment, percent=DEMO_SEGMENT_DISCOUNT, enabled=True,
        reason=f"{DEMO_SEGMENT_DISCOUNT.normalize()}% off as a thank-you to our {membership.segment} customers")


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
        discount = demo_segment_discount(user)
        if discount is not None:
            self.stdout.write(f"Their segment, {discount.segment!r}, gets {discount.percent.normalize()}% off "
                              "(admin: Personalized prices); signed in, they see it as 'Your price'.")
