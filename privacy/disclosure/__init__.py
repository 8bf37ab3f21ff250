"""Figures counted from people leave the database only through here, with noise (differential privacy).

- `figures_release` (releases.py): one stored release per family and release key, paid from the
  period's budget, the last one repeated when the budget is spent.
- `noisy` and `noise_source` (noise.py): OpenDP's discrete Laplace mechanism; tests may seed it.
- `readable_count`, `released_count` (readable.py): how a page words a released count.
- `budgets_in_period` (selectors.py): the budget page's figures; `release_values`, a release's
  values as a column of a list's query.
"""

from .families import FAMILY_LABELS, Family, UnknownFamily, budget_period, families, family, week_key
from .noise import noise_scale, noise_source, noisy, noisy_many, privacy_loss, secure_noise
from .readable import readable_count, released_count
from .releases import Figure, figures_release
from .selectors import FamilyBudget, budgets_in_period, release_values, releases_newest_first

__all__ = [
    "FAMILY_LABELS", "Family", "FamilyBudget", "Figure", "UnknownFamily", "budget_period", "budgets_in_period",
    "families", "family", "figures_release", "noise_scale", "noise_source", "noisy", "noisy_many", "privacy_loss",
    "readable_count", "release_values", "released_count", "releases_newest_first", "secure_noise", "week_key",
]
