"""The newsletter in a real browser: subscribe in the footer, confirm from the e-mail, unsubscribe in one click."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from personalization.marketing.models import Subscriber
from personalization.recommendations.models import ModelVersion, ModelVersionStatus, Rail, RecommendationList
from privacy.models import ConsentRecord
from tests.browser.axe import axe_violations
from tests.factories import ProductFactory
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)

EMAIL = "philippa.wetherall@example.org"


@pytest.fixture
def shop_with_trending(transactional_db):
    product = ProductFactory(title="Enamel Mug")
    now = timezone.now()
    version = ModelVersion.objects.create(status=ModelVersionStatus.ACTIVE, started_at=now, trained_until=now)
    RecommendationList.objects.create(version=version, rail=Rail.TRENDING,
                                      items=[{"product": product.pk, "reason": "trending", "customers": 9}])
    mail.outbox = []
    return product


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def checked(journey, label: str, findings: list[str]) -> None:
    """A screenshot, then the page's CSP violations (before axe adds styles of its own), then axe."""
    journey.screenshot(label)
    findings += [f"{label}: {violation}" for violation in journey.csp_violations()]
    findings += [f"{label}: {finding}" for finding in axe_violations(journey.page)]


def test_subscribe_in_the_footer_confirm_from_the_e_mail_and_unsubscribe_in_one_click(journey, shop_with_trending,
                                                                                      settings):
    settings.SHOP_BASE_URL = journey.base_url
    page = journey.page
    findings: list[str] = []
    journey.goto("/")
    footer_form = page.locator("section[aria-labelledby=newsletter-heading]")
    footer_form.get_by_label("Your e-mail address").fill(EMAIL)
    journey.screenshot("footer-sign-up")
    with page.expect_navigation():
        footer_form.get_by_role("button", name="Subscribe").click()
    assert page.get_by_role("heading", name="Check your inbox").is_visible()
    checked(journey, "check-inbox", findings)

    [confirmation] = mail.outbox  # the confirmation, and nothing else
    assert confirmation.to == [EMAIL] and "List-Unsubscribe" not in confirmation.extra_headers
    with pytest.raises(CommandError):
        call_command("send_digest", "--campaign", "before-confirming")
    link = re.search(r"https?://\S+/newsletter/confirm/\S+/", confirmation.body).group(0)
    journey.goto(path_of(link))
    checked(journey, "confirm", findings)
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, subscribe me").click()
    assert page.get_by_role("heading", name="You are subscribed").is_visible()
    assert Subscriber.objects.get().status == "confirmed"

    call_command("send_digest", "--campaign", "journey-week")
    [digest] = mail.outbox[1:]
    assert "Enamel Mug" in digest.body
    unsubscribe = digest.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe in digest.body
    journey.goto(path_of(unsubscribe))
    checked(journey, "unsubscribe", findings)
    with page.expect_navigation():
        page.get_by_role("button", name="Unsubscribe").click()
    assert page.get_by_role("heading", name="You are unsubscribed").is_visible()
    checked(journey, "unsubscribed", findings)

    assert Subscriber.objects.get().status == "unsubscribed"
    assert ConsentRecord.objects.order_by("-created_at", "-id").values_list("purpose", "granted", "source")[0] == (
        "marketing", False, "newsletter")
    with pytest.raises(CommandError, match="no eligible recipients"):
        call_command("send_digest", "--campaign", "journey-week-2")
    assert len(mail.outbox) == 2
    assert findings == []
