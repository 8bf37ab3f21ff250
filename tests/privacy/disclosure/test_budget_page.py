"""The budget page: each family's epsilon, the month's budget, what is spent and what remains; staff
with the permission only."""

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from privacy.disclosure import budget_period, figures_release, noise_source
from shop.accounts.roles import staff_roles_sync
from tests.factories import UserFactory

from .sources import offset

pytestmark = pytest.mark.django_db

PAGE = "admin:privacy_disclosurebudget_changelist"


def staff(client, *codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="privacy", codename__in=codenames))
    client.force_login(user)
    return user


def row_of(html: str, family: str) -> list[str]:
    row = re.search(rf'<tr data-family="{family}">(.*?)</tr>', html, re.S)[1]
    return re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)


def test_the_budget_page_shows_each_familys_epsilon_budget_spent_and_remaining(client, settings):
    settings.PRIVACY_DISCLOSURE_FAMILIES = {**settings.PRIVACY_DISCLOSURE_FAMILIES,
                                            "consent_rates": {"epsilon": 0.5, "budget": 1.0}}
    with noise_source(offset(1)):
        for week in ("a", "b", "c"):  # two paid, the third repeats the second
            figures_release(family_key="consent_rates", release_key=week, compute=lambda: {"granted": 3})
    staff(client, "view_disclosurebudget")

    html = client.get(reverse(PAGE)).content.decode()

    assert f"Budget of {budget_period()}" in html
    assert row_of(html, "consent_rates") == [
        "Consent in force per purpose (merchant dashboard), once per week", "0.5", "1", "1", "0", "2", "1"]
    rails = settings.PRIVACY_DISCLOSURE_FAMILIES["rail_customers"]
    assert row_of(html, "rail_customers")[1:5] == [f"{rails['epsilon']:g}", f"{rails['budget']:g}", "0",
                                                   f"{rails['budget']:g}"]


def test_only_the_current_months_spending_counts(client):
    figures_release(family_key="consent_rates", release_key="last month", compute=lambda: {"granted": 3},
                    now=datetime(2020, 1, 5, tzinfo=UTC))
    staff(client, "view_disclosurebudget")

    html = client.get(reverse(PAGE)).content.decode()

    assert row_of(html, "consent_rates")[3:5] == ["0", "3"]


def test_staff_without_the_permission_cannot_open_it(client):
    staff(client, "view_consentrecord")

    assert client.get(reverse(PAGE)).status_code == 403


def test_the_releases_list_shows_values_as_released(client):
    with noise_source(offset(5)):
        figures_release(family_key="consent_rates", release_key="2026-W50", compute=lambda: {"granted": 3})
    staff(client, "view_disclosurerelease")

    html = client.get(reverse("admin:privacy_disclosurerelease_changelist")).content.decode()

    assert "2026-W50" in html and "consent_rates" in html


def test_the_privacy_notice_says_in_plain_words_that_counted_figures_carry_noise(client):
    html = re.sub(r"\s+", " ", client.get(reverse("privacy:notice")).content.decode())

    sentence = re.search(r'<p id="noisy-figures">(.*?)</p>', html)[1]
    assert "“bought by about 30 customers”" in sentence
    assert "random noise added before they are shown" in sentence and "once per release" in sentence


def test_the_shops_owner_role_opens_the_budget_page_and_the_releases_and_the_other_roles_do_not(client):
    # The roles are synced as `migrate` syncs them, from what each app registered at start-up.
    staff_roles_sync()
    budgets, releases = reverse(PAGE), reverse("admin:privacy_disclosurerelease_changelist")
    for role, allowed in (("Owner", True), ("Catalog manager", False), ("Order manager", False)):
        user = UserFactory(is_staff=True)
        user.groups.set(Group.objects.filter(name=role))
        client.force_login(user)

        answers = [client.get(budgets), client.get(releases)]

        if allowed:
            assert [answer.status_code for answer in answers] == [200, 200], role
            assert "Budget of" in answers[0].content.decode()
        else:
            assert [answer.status_code for answer in answers] == [403, 403], role
