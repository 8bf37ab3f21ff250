"""Releases at the same moment: the ledger row's lock keeps the budget (PostgreSQL; skipped on SQLite)."""

import pytest

from privacy.disclosure import figures_release
from privacy.models import DisclosureBudget, DisclosureRelease
from tests.shop.test_concurrency import run_at_once

THREADS = 8


@pytest.fixture
def three_releases_a_month(settings):
    settings.PRIVACY_DISCLOSURE_FAMILIES = {**settings.PRIVACY_DISCLOSURE_FAMILIES,
                                            "consent_rates": {"epsilon": 0.5, "budget": 1.5}}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_releases_at_once_spend_the_budget_of_three_and_no_more(three_releases_a_month):
    outcomes = run_at_once(lambda i: figures_release(family_key="consent_rates", release_key=f"key-{i}",
                                                     compute=lambda: {"granted": 30}).epsilon_spent, THREADS)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(outcomes) == [0.0] * (THREADS - 3) + [0.5] * 3
    ledger = DisclosureBudget.objects.get()
    assert (ledger.spent, ledger.releases) == (pytest.approx(1.5), 3)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_looks_at_once_make_one_release(three_releases_a_month):
    outcomes = run_at_once(lambda i: figures_release(family_key="consent_rates", release_key="2026-W50",
                                                     compute=lambda: {"granted": 30}).values, THREADS)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert len({str(values) for values in outcomes}) == 1
    assert DisclosureRelease.objects.count() == 1
    assert DisclosureBudget.objects.get().spent == pytest.approx(0.5)
