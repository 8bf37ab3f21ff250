"""python manage.py send_digest [--campaign KEY] [--dry-run] — send the weekly digest now.

The scheduled job (personalization.marketing.tasks.start_weekly_digest) runs the same code. The
campaign key defaults to the current ISO week; a key never reaches the same person twice.
"""

from django.core.management.base import BaseCommand, CommandError

from personalization.marketing.campaigns import CampaignError, digest_campaign_start


class Command(BaseCommand):
    help = "Send the digest to every confirmed subscriber with marketing consent who has not had this campaign."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", metavar="KEY", help="Campaign key (default: this ISO week, digest-YYYY-Www).")
        parser.add_argument("--dry-run", action="store_true", help="Count who would receive it; send nothing.")

    def handle(self, *args, campaign: str | None, dry_run: bool, **options):
        if campaign is not None and not (0 < len(campaign) <= 64 and campaign.isprintable() and ":" not in campaign):
            raise CommandError("A campaign key is 1 to 64 printable characters without ':'.")
        try:
            plan = digest_campaign_start(key=campaign, dry_run=dry_run)
        except CampaignError as error:
            raise CommandError(str(error)) from None
        verb = "would receive" if dry_run else "queued for"
        for reason, count in sorted(plan.skipped.items()):
            self.stdout.write(f"  skipped, {reason}: {count}")
        if not plan.eligible:
            raise CommandError(f"Campaign {plan.key}: no eligible recipients; nothing sent.")
        self.stdout.write(f"Campaign {plan.key}: {len(plan.eligible)} {verb} the digest"
                          + ("" if dry_run else " (sent by the workers, or now where tasks run in-process)") + ".")
