"""Campaign counts as the merchant sees them: released with noise once a week (privacy.disclosure,
family "campaign_counts").

Each week's release holds the campaigns created or updated since the previous release (normally
this week's digest and reminders); a campaign's figures are those of the latest release that held
it, so a finished campaign keeps its figures without spending more (while that release is kept:
this month and last; an older campaign's counts then read "—"). One person counts in a
campaign's eligible, in one outcome (sent, bounced, interrupted) and in at most two skip reasons,
so the week's epsilon is shared by four figures per campaign in the release.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from privacy.disclosure import figures_release, releases_newest_first, week_key

from .models import Campaign, MarketingEmailStatus

FIGURES_PER_PERSON_PER_CAMPAIGN = 4
OUTCOMES = {"sent": MarketingEmailStatus.SENT, "bounced": MarketingEmailStatus.BOUNCED,
            "interrupted": MarketingEmailStatus.SENDING}


def campaign_counts_exact(*, since: datetime | None) -> dict[str, int]:
    """The exact counts of the campaigns created or updated since `since` (all, without it)."""
    campaigns = Campaign.objects.all() if since is None else Campaign.objects.filter(updated_at__gte=since)
    campaigns = campaigns.annotate(**{name: Count("emails", filter=Q(emails__status=status))
                                      for name, status in OUTCOMES.items()})
    figures: dict[str, int] = {}
    for campaign in campaigns:
        figures[f"{campaign.pk}:eligible"] = int(campaign.counts.get("eligible", 0))
        for name in OUTCOMES:
            figures[f"{campaign.pk}:{name}"] = getattr(campaign, name)
        skipped = Counter(campaign.counts.get("skipped", {}))
        skipped.update(campaign.counts.get("skipped_at_send", {}))
        for reason, count in skipped.items():
            figures[f"{campaign.pk}:skipped:{reason}"] = int(count)
    return figures


def _campaigns_in(figures) -> int:
    return len({name.split(":", 1)[0] for name in figures})


def campaign_figures(*, now: datetime | None = None) -> dict[int, dict]:
    """Every campaign's released figures: {pk: {"eligible", "sent", "bounced", "interrupted",
    "skipped": {reason: n}}}. Makes this week's release at the week's first look."""
    now = now or timezone.now()
    earlier = releases_newest_first("campaign_counts")
    key = week_key(now)
    if not earlier or earlier[0].release_key != key:
        since = earlier[0].released_at if earlier else None
        figures_release(family_key="campaign_counts", release_key=key, now=now,
                        compute=lambda: campaign_counts_exact(since=since),
                        figures_per_person=lambda exact: FIGURES_PER_PERSON_PER_CAMPAIGN * _campaigns_in(exact))
        earlier = releases_newest_first("campaign_counts")
    by_campaign: dict[int, dict] = {}
    for release in reversed(earlier):  # oldest first: a later release of a campaign replaces its figures
        fresh: dict[int, dict] = {}
        for name, value in release.values.items():
            pk, _, figure = name.partition(":")
            if value is None:
                continue
            entry = fresh.setdefault(int(pk), {"skipped": {}})
            if figure.startswith("skipped:"):
                entry["skipped"][figure.removeprefix("skipped:")] = max(value, 0)
            else:
                entry[figure] = max(value, 0)
        by_campaign.update(fresh)
    return by_campaign
