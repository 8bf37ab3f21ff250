"""Noise for counts and sums: the discrete Laplace (two-sided geometric) mechanism of OpenDP.

Integers in, integers out, sampled exactly from the OS's secure random source: no floating-point
Laplace, whose rounding leaks through the low bits (docs/privacy.md says why this library).
Tests may swap in a seeded source of the same distribution (`noise_source`); nothing else does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from opendp.domains import atom_domain, vector_domain
from opendp.measurements import make_laplace
from opendp.metrics import absolute_distance, l1_distance
from opendp.mod import Measurement, enable_features

# OpenDP keeps its mechanisms behind this flag until their proofs are reviewed; the integer
# (discrete) Laplace used here needs nothing else (no floating-point feature).
enable_features("contrib")

# A source of noise: (exact value, scale) -> released value.
NoiseSource = Callable[[int, float], int]


def noise_scale(*, epsilon: float, sensitivity: int = 1) -> float:
    """The discrete Laplace scale that makes one figure `epsilon`-differentially private when one
    person changes it by at most `sensitivity`."""
    if not (epsilon > 0 and math.isfinite(epsilon)):
        raise ValueError(f"epsilon must be a positive number, not {epsilon!r}")
    if sensitivity < 1:
        raise ValueError(f"sensitivity must be at least 1, not {sensitivity!r}")
    return sensitivity / epsilon


@lru_cache(maxsize=64)
def _measurement(scale: float) -> Measurement:
    return make_laplace(atom_domain(T=int), absolute_distance(T=int), scale=scale)


@lru_cache(maxsize=64)
def _vector_measurement(scale: float) -> Measurement:
    # The same noise on every coordinate, drawn in one call (ten times faster per figure).
    return make_laplace(vector_domain(atom_domain(T=int)), l1_distance(T=int), scale=scale)


def privacy_loss(*, scale: float, sensitivity: int = 1) -> float:
    """The epsilon OpenDP's own privacy map proves for `scale` and `sensitivity`."""
    return float(_measurement(scale).map(sensitivity))


def secure_noise(value: int, scale: float) -> int:
    """`value` plus discrete Laplace noise of `scale`, from OpenDP's secure sampler."""
    return int(_measurement(scale)(int(value)))


_source: ContextVar[NoiseSource] = ContextVar("disclosure_noise_source", default=secure_noise)


def noisy(value: int, *, epsilon: float, sensitivity: int = 1) -> int:
    """One figure released: `value` with noise enough for `epsilon` at `sensitivity`."""
    return _source.get()(int(value), noise_scale(epsilon=epsilon, sensitivity=sensitivity))


def noisy_many(values: list[int], *, epsilon: float, sensitivity: int = 1) -> list[int]:
    """Several figures released at once, each as `noisy` would release it."""
    scale = noise_scale(epsilon=epsilon, sensitivity=sensitivity)
    source = _source.get()
    if source is secure_noise and values:
        return [int(value) for value in _vector_measurement(scale)([int(value) for value in values])]
    return [source(int(value), scale) for value in values]


@contextmanager
def noise_source(source: NoiseSource) -> Iterator[None]:
    """For tests only: draw from `source` (a seeded sampler of the same distribution) meanwhile."""
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)
