"""A customer in Chromium: her recommendations and why (her own purchase only), then she switches
personalisation off, and the retraining it asks for leaves no stored version with lists built on her."""

import pytest

from personalization.recommendations.models import ModelVersion, ModelVersionStatus, RetrainingRequest
from personalization.recommendations.tasks import retrain_recommenders_if_requested
from personalization.recommendations.training import recommenders_train
from primitives.subjects import Subject
from privacy.services import consent_decide
from tests.factories import PASSWORD, verified_user
from tests.personalization.worlds import NOW, bought, customer, products
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)


@pytest.fixture
def shop_with_ada(transactional_db):
    lantern, mug = products(2)
    lantern.title, mug.title = "White Metal Lantern", "Red Retrospot Mug"
    lantern.save()
    mug.save()
    for _ in range(4):
        bought(customer(), lantern, mug, days_ago=3)  # 27 June
    ada = verified_user(email="ada@example.com")
    consent_decide(subject=Subject.for_user(ada), choices={"personalization": True}, source="settings")
    bought(ada, lantern, days_ago=1)  # 29 June
    versions = [recommenders_train(until=NOW), recommenders_train(until=NOW)]
    return {"ada": ada, "versions": versions}


def test_she_sees_why_from_her_own_purchase_switches_it_off_and_every_version_forgets_her(journey, shop_with_ada):
    page = journey.page
    journey.goto("/accounts/login/")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    journey.goto("/")
    rail = page.locator('[data-rail="for_you"]')
    assert rail.get_by_role("heading", name="Recommended for you").is_visible()
    mug = rail.locator(".product-card", has_text="Red Retrospot Mug")
    assert mug.get_by_text("Because you bought White Metal Lantern.").is_visible()
    mug.get_by_role("link", name="Why am I seeing this?").click()
    page.wait_for_url("**/recommendations/why/**")
    assert page.locator(".why-page__data li").all_inner_texts() == ["bought on 29 June 2026"]
    journey.screenshot("why-her-purchase")

    journey.goto("/privacy/account/")
    page.get_by_role("checkbox", name="Personalised recommendations").uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Save my choices").click()
    journey.goto("/")
    assert page.get_by_role("heading", name="Trending now").is_visible()
    assert page.locator('[data-rail="for_you"]').count() == 0
    journey.screenshot("after-switching-off")

    retrained = retrain_recommenders_if_requested.apply(kwargs={"until": NOW.isoformat()}).get()

    assert RetrainingRequest.objects.get().fulfilled_by_id == retrained
    for version in ModelVersion.objects.exclude(pk=retrained):
        assert version.status == ModelVersionStatus.RETIRED
        assert version.metrics and not version.lists.exists()
    assert ModelVersion.objects.get(pk=retrained).counts["customers"] == 4
    assert journey.csp_violations() == []
