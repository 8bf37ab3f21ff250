"""Releases: once per key and stored, paid from the period's budget, the last one repeated past it."""

from datetime import UTC, datetime

import pytest

from privacy.disclosure import UnknownFamily, budget_period, budgets_in_period, figures_release, noise_source, week_key
from privacy.models import DisclosureBudget, DisclosureRelease

from .sources import offset, seeded_discrete_laplace

pytestmark = pytest.mark.django_db

DECEMBER = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def small_budget(settings):
    """A family that can pay for exactly three releases a month."""
    settings.PRIVACY_DISCLOSURE_FAMILIES = {**settings.PRIVACY_DISCLOSURE_FAMILIES,
                                            "consent_rates": {"epsilon": 0.5, "budget": 1.5}}


def release(key: str, exact: dict, *, now=DECEMBER):
    return figures_release(family_key="consent_rates", release_key=key, compute=lambda: exact, now=now)


def test_a_figure_is_released_once_per_key_and_read_back_unchanged():
    with noise_source(seeded_discrete_laplace(1)):
        first = release("2026-W50", {"granted": 400, "decided": 1000})
        again = release("2026-W50", {"granted": 401, "decided": 1001})

    assert again.pk == first.pk
    assert again.values == first.values
    assert DisclosureRelease.objects.count() == 1
    assert DisclosureBudget.objects.get().spent == pytest.approx(0.5)


def test_the_exact_figures_are_not_computed_again_once_released():
    calls = []
    release("2026-W50", {"granted": 1})

    figures_release(family_key="consent_rates", release_key="2026-W50",
                    compute=lambda: calls.append("computed") or {"granted": 2}, now=DECEMBER)

    assert calls == []


def test_the_released_values_carry_the_noise_not_the_exact_figures():
    with noise_source(offset(4)):
        made = release("2026-W50", {"granted": 400, "decided": 1000})

    assert made.values == {"granted": 404, "decided": 1004}


def test_epsilon_is_shared_by_the_figures_one_person_can_change(settings):
    scales = []

    def record(value, scale):
        scales.append(scale)
        return value

    with noise_source(record):
        figures_release(family_key="consent_rates", release_key="2026-W50", figures_per_person=2,
                        compute=lambda: {"granted": 1, "decided": 2}, now=DECEMBER)

    epsilon = settings.PRIVACY_DISCLOSURE_FAMILIES["consent_rates"]["epsilon"]
    assert scales == [pytest.approx(2 / epsilon)] * 2


def test_the_last_release_the_budget_pays_for_fits_exactly_and_the_next_repeats_it(small_budget):
    with noise_source(offset(1)):
        release("2026-W49", {"granted": 10})
        release("2026-W50", {"granted": 20})
        third = release("2026-W51", {"granted": 30})  # 1.5 of 1.5: exactly the budget
        fourth = release("2026-W52", {"granted": 40, "decided": 50})  # would be 2.0

    assert third.values == {"granted": 31} and third.epsilon_spent == 0.5
    assert fourth.values == {"granted": 31}  # the last paid release again; "decided" withheld
    assert fourth.reused_from == third and fourth.epsilon_spent == 0
    ledger = DisclosureBudget.objects.get()
    assert (ledger.spent, ledger.releases) == (pytest.approx(1.5), 3)


def test_over_budget_with_nothing_released_before_shows_nothing(settings):
    settings.PRIVACY_DISCLOSURE_FAMILIES = {**settings.PRIVACY_DISCLOSURE_FAMILIES,
                                            "consent_rates": {"epsilon": 0.5, "budget": 0.4}}

    made = release("2026-W50", {"granted": 10})

    assert made.values == {} and made.reused_from is None
    assert DisclosureBudget.objects.get().spent == 0


def test_a_new_month_brings_a_new_budget(small_budget):
    for week in (49, 50, 51, 52):
        release(f"2026-W{week}", {"granted": week})

    january = release("2027-W01", {"granted": 7}, now=datetime(2027, 1, 4, tzinfo=UTC))

    assert january.epsilon_spent == 0.5 and january.reused_from is None
    assert budget_period(datetime(2027, 1, 4, tzinfo=UTC)) == "2027-01"


def test_an_undeclared_family_is_refused():
    with pytest.raises(UnknownFamily, match="PRIVACY_DISCLOSURE_FAMILIES"):
        figures_release(family_key="shoe_sizes", release_key="x", compute=dict)


def test_the_budget_report_lists_every_family_with_spent_and_remaining(small_budget):
    for week in (49, 50, 51, 52):
        release(f"2026-W{week}", {"granted": week})

    period, rows = budgets_in_period("2026-12")

    by_key = {row.key: row for row in rows}
    assert period == "2026-12"
    assert set(by_key) == {"rail_customers", "consent_rates", "segment_reports", "model_version_counts",
                           "campaign_counts"}
    consent = by_key["consent_rates"]
    assert (consent.spent, consent.remaining, consent.releases, consent.reused) == (1.5, 0.0, 3, 1)
    assert by_key["rail_customers"].spent == 0.0


def test_weekly_release_keys_follow_the_iso_week():
    assert week_key(datetime(2026, 12, 7, tzinfo=UTC)) == "2026-W50"
    assert week_key(datetime(2027, 1, 3, tzinfo=UTC)) == "2026-W53"


def test_a_paid_release_drops_the_familys_releases_older_than_last_month_and_keeps_the_ledger():
    for key, moment in (("october", datetime(2026, 10, 20, tzinfo=UTC)), ("november", datetime(2026, 11, 20, tzinfo=UTC))):
        release(key, {"granted": 1}, now=moment)
    figures_release(family_key="segment_reports", release_key="run-1", compute=lambda: {"size": 1},
                    now=datetime(2026, 10, 20, tzinfo=UTC))

    release("december", {"granted": 1})

    assert set(DisclosureRelease.objects.values_list("family", "release_key")) == {
        ("consent_rates", "november"), ("consent_rates", "december"), ("segment_reports", "run-1")}
    assert set(DisclosureBudget.objects.filter(family="consent_rates").values_list("period", flat=True)) == {
        "2026-10", "2026-11", "2026-12"}


def test_in_january_the_previous_period_is_last_december():
    release("december", {"granted": 1}, now=datetime(2026, 12, 20, tzinfo=UTC))
    release("november", {"granted": 1}, now=datetime(2026, 11, 20, tzinfo=UTC))

    release("january", {"granted": 1}, now=datetime(2027, 1, 4, tzinfo=UTC))

    assert set(DisclosureRelease.objects.values_list("release_key", flat=True)) == {"december", "january"}
