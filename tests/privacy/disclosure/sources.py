"""Noise sources for tests: the production one is OpenDP's secure sampler, which cannot be seeded.

- `seeded_discrete_laplace(seed)`: the same distribution (discrete Laplace, as the difference of
  two geometric variables), from a seeded generator, for statistical tests that must repeat.
- `offset(n)`: a known, non-zero noise, for page tests that must tell the released figure from
  the exact one.
"""

from __future__ import annotations

import math

import numpy as np

from privacy.disclosure.noise import NoiseSource


def seeded_discrete_laplace(seed: int) -> NoiseSource:
    generator = np.random.default_rng(seed)

    def draw(value: int, scale: float) -> int:
        success = -math.expm1(-1.0 / scale)  # P(X = k) ∝ exp(-|k| / scale)
        return value + int(generator.geometric(success) - generator.geometric(success))

    return draw


def offset(noise: int) -> NoiseSource:
    def draw(value: int, scale: float) -> int:
        return value + noise

    return draw


def cycle(*noises: int) -> NoiseSource:
    """Known noises in turn, figure after figure (a release draws its figures in the order given)."""
    state = {"next": 0}

    def draw(value: int, scale: float) -> int:
        noise = noises[state["next"] % len(noises)]
        state["next"] += 1
        return value + noise

    return draw
