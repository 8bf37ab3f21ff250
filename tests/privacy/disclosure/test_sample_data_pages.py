"""On the committed sample, imported as the demo imports it: no page shows an exact count of people.

The exact counts are computed here with the ORM; the figures are released with a known noise (+7),
so every figure shown must be the released one and none the exact one.
"""

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from personalization.recommendations.models import BehaviourEvent, EventKind
from personalization.recommendations.training import TRENDING_WINDOW_DAYS, recommenders_train
from primitives.money import format_percent
from privacy.disclosure import noise_source, released_count
from privacy.models import ConsentRecord
from privacy.notice import notice_version
from shop.catalog.models import Product
from tests.personalization.recommendations.test_event_store import decide
from tests.personalization.recommendations.test_rails import cards_in, rails_on

from .sources import cycle, offset

NOISE = 7
FIGURE = re.compile(r"by about (\d+) customers")


def buyers(product_id: int, *, since=None) -> set:
    purchases = BehaviourEvent.objects.filter(kind=EventKind.PURCHASED, product_id=product_id)
    if since is not None:
        purchases = purchases.filter(occurred_at__gte=since)
    return set(purchases.values_list("user_id", "visitor_id").distinct())


def figures_of(cards) -> list[tuple[dict, int]]:
    found = []
    for _title, reason, url in cards:
        figure = FIGURE.search(reason)
        if figure:
            query = {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}
            found.append((query, int(figure[1])))
    return found


def test_home_and_product_pages_show_released_figures_never_the_exact_counts(sample_catalog, client, settings):
    with noise_source(offset(NOISE)):
        recommenders_train()
    now = timezone.now()
    decide(client, "reject_all")  # the rails for everyone
    home = client.get("/").content.decode()
    everyones = [card for rail in rails_on(home) for card in cards_in(home, rail)]
    shown = figures_of(everyones)
    assert shown, "the sample's home page shows figures"

    pages = [home]
    for query, figure in shown:
        product = int(query["product"])
        since = now - timedelta(days=TRENDING_WINDOW_DAYS) if query["reason"] == "trending" else None
        exact = len(buyers(product, since=since))
        assert figure == released_count(exact + NOISE, minimum=settings.PERSONALIZATION_MIN_SUPPORT) != exact
        assert f"by {exact} customers" not in home
    pairs = 0
    for query, _ in shown[:6]:
        page = client.get(Product.objects.get(pk=int(query["product"])).get_absolute_url()).content.decode()
        pages.append(page)
        for pair, figure in figures_of(cards_in(page, "also_bought")):
            exact = len(buyers(int(pair["about"])) & buyers(int(pair["product"])))
            assert figure == released_count(exact + NOISE, minimum=settings.PERSONALIZATION_MIN_SUPPORT) != exact
            assert f"by about {exact} customers" not in page and f"by {exact} customers" not in page
            pairs += 1
    assert pairs, "the sample's product pages show 'bought with' figures"


def test_the_dashboard_shows_no_exact_consent_rate_of_the_sample(sample_catalog, admin_client):
    current = ConsentRecord.objects.filter(notice_version=notice_version())
    # Every purpose's "decided" gets +7 and its "granted" -5 (the release draws them in that order).
    with noise_source(cycle(NOISE, -5)):
        html = re.sub(r"\s+", " ", admin_client.get(reverse("admin:index")).content.decode())

    card = html.split("Consent in force, by purpose (about)")[1].split("</table>")[0]
    checked = 0
    for purpose in ("personalization",):
        decided = current.filter(purpose=purpose).values("user_id", "visitor_id").distinct().count()
        granted = current.filter(Q(purpose=purpose, granted=True)).values("user_id", "visitor_id").distinct().count()
        assert decided > 100
        exact = format_percent((Decimal(granted) / Decimal(decided)).quantize(Decimal("0.001")))
        released = format_percent((Decimal(granted - 5) / Decimal(decided + NOISE)).quantize(Decimal("0.001")))
        assert exact not in card and released in card
        checked += 1
    assert checked
