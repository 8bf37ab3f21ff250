"""The merchant's recommender screens: versions with metrics, training on demand, audited previews."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings
from django.urls import reverse

from personalization.recommendations.models import ModelVersion, PreviewAuditEntry
from personalization.recommendations.previews import customer_pseudonym
from personalization.recommendations.training import recommenders_train
from privacy.disclosure import noise_source
from tests.factories import UserFactory
from tests.personalization.worlds import NOW, bought, customer, products
from tests.privacy.disclosure.sources import offset

pytestmark = pytest.mark.django_db


def merchant(client, *codenames: str):
    user = UserFactory(is_staff=True, email="merchant@attuned.test")
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="recommendations",
                                                        codename__in=codenames))
    client.force_login(user)
    return user


@pytest.fixture
def trained():
    lamp, mug, candle = products(3)
    buyers = [customer(email=f"buyer{i}@example.com") for i in range(4)]
    for days, buyer in enumerate(buyers):
        bought(buyer, lamp, mug, days_ago=40 + days)
    bought(buyers[0], candle, days_ago=3)
    bought(buyers[1], mug, candle, days_ago=2)
    with noise_source(offset(3)):  # the customers' figures are released with a known noise
        first = recommenders_train(until=NOW)
        second = recommenders_train(until=NOW)
    return {"lamp": lamp, "mug": mug, "buyer": buyers[0], "versions": [first, second]}


def test_versions_list_shows_metrics_and_a_chart_across_versions(client, trained):
    merchant(client, "view_modelversion")

    html = client.get(reverse("admin:recommendations_modelversion_changelist")).content.decode()

    ndcg = re.search(r'<figure class="dash-chart recommender-chart" data-metric="ndcg">.*?</figure>', html, re.DOTALL)[0]
    assert ndcg.count("<polyline") == 4  # "for you" and trending, each at 8 and at 10, across both versions
    first = trained["versions"][0]
    assert re.findall(r'data-testid="metric">([0-9.]+)<', ndcg)[:2] == [
        f"{first.metrics['for_you']['ndcg@10']:.4f}"] * 2
    assert "Train now" not in html  # viewing is not training


@override_settings(CELERY_TASK_ALWAYS_EAGER=True)  # in-process, as on the embedded default
def test_train_now_trains_a_new_version_that_serves(client, trained):
    merchant(client, "view_modelversion", "change_modelversion")

    response = client.post(reverse("admin:recommendations_modelversion_train"), follow=True)

    newest = ModelVersion.objects.get(status="active")
    assert newest.pk not in [v.pk for v in trained["versions"]]
    assert f"Model version {newest.pk} trained and serving." in response.content.decode()


def test_train_now_needs_the_permission_and_a_post(client, trained):
    merchant(client, "view_modelversion")
    url = reverse("admin:recommendations_modelversion_train")

    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405
    assert ModelVersion.objects.count() == 2


def test_previewing_a_customer_is_audited_under_a_pseudonym(client, trained):
    staff = merchant(client, "view_modelversion", "view_recommendationlist")
    url = reverse("admin:recommendations_modelversion_preview")

    html = client.post(url, {"customer": "buyer0@example.com"}).content.decode()

    entry = PreviewAuditEntry.objects.get()
    assert (entry.staff, entry.version) == (staff, trained["versions"][1])
    assert entry.customer_pseudonym == customer_pseudonym(trained["buyer"].pk)
    assert "<h3>Buy again</h3>" in html and trained["lamp"].title in html
    assert f"Customer {entry.customer_pseudonym}" in html


def test_a_customer_without_consent_is_not_previewed_nor_audited(client, trained):
    merchant(client, "view_modelversion", "view_recommendationlist")
    UserFactory(email="refuser@example.com")

    response = client.post(reverse("admin:recommendations_modelversion_preview"),
                           {"customer": "refuser@example.com"})

    assert response.status_code == 400
    assert "has consented to personalised recommendations" in response.content.decode()
    assert not PreviewAuditEntry.objects.exists()


def test_previewing_customers_needs_its_own_permission(client, trained):
    merchant(client, "view_modelversion")

    response = client.post(reverse("admin:recommendations_modelversion_preview"),
                           {"customer": "buyer0@example.com"})

    assert response.status_code == 403 and not PreviewAuditEntry.objects.exists()


def test_a_product_preview_shows_its_stored_lists(client, trained):
    merchant(client, "view_modelversion")

    html = client.post(reverse("admin:recommendations_modelversion_preview"),
                       {"product": trained["lamp"].pk}).content.decode()

    assert f"Customers also bought — {trained['lamp'].title}" in html
    assert f"{trained['mug'].title} <span class=\"help\">(Bought with {trained['lamp'].title} by about 7 customers)" in html
