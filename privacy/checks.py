"""System checks of the privacy machinery: the registry, the keys, and who may see customers.

The key rules are plain functions: production's settings refuse to load when they find a
problem (so `runserver`, gunicorn, workers and `check --deploy` all stop), and the deployment
check runs them again on whatever settings module is in use.
"""

from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core import checks

from .registry import registry_problems

# A random key of 32 characters from a 16-letter alphabet (hex) shows fewer than 10 distinct
# characters about once in 10,000 draws; from `secrets.token_urlsafe` practically never.
MINIMUM_DISTINCT_CHARACTERS = 10


def shortest_period(value: str) -> int:
    """The length of the shortest part whose repetition (the last one perhaps cut short) is `value`."""
    # Knuth-Morris-Pratt failure function: the longest proper prefix that is also a suffix.
    border = [0] * len(value)
    for index in range(1, len(value)):
        length = border[index - 1]
        while length and value[index] != value[length]:
            length = border[length - 1]
        if value[index] == value[length]:
            length += 1
        border[index] = length
    return len(value) - border[-1] if value else 0


def key_variety_problem(value: str) -> str | None:
    """Why `value` is too regular to be a key: too few distinct characters, or one short part repeated."""
    distinct = len(set(value))
    if distinct < MINIMUM_DISTINCT_CHARACTERS:
        return f"it has {distinct} distinct characters (at least {MINIMUM_DISTINCT_CHARACTERS} are needed)"
    period = shortest_period(value)
    if period * 2 <= len(value):
        return f"it repeats a part of {period} characters"
    return None


def keys_are_related(one: str, other: str) -> bool:
    """Whether either key contains the other, ignoring case (equal keys included)."""
    one, other = one.casefold(), other.casefold()
    return bool(one) and bool(other) and (one in other or other in one)


def related_key_problems(*, current: Mapping[str, str], old: Iterable[tuple[str, str]] = ()) -> list[str]:
    """Every pair of keys of different purposes where one contains the other, ignoring case.

    `current` maps each purpose's setting name to its key; `old` holds (purpose, key) pairs of
    keys still read during a rotation, each compared with the current keys of the other purposes.
    """
    problems = []
    names = list(current)
    for position, later in enumerate(names):
        for earlier in names[:position]:
            if keys_are_related(current[later], current[earlier]):
                problems.append(f"{later} must be different from {earlier} (neither may contain "
                                "the other, in any case): each purpose needs its own random key.")
    for purpose, old_key in old:
        for name, key in current.items():
            if name != purpose and keys_are_related(old_key, key):
                problems.append(f"An old key of {purpose} in FIELD_ENCRYPTION_OLD_KEYS must be different "
                                f"from {name} (neither may contain the other, in any case).")
    return problems


def old_field_keys(entries: Iterable[str]) -> list[tuple[str, str]]:
    """FIELD_ENCRYPTION_OLD_KEYS as (purpose, key): `encryption` or `encryption|signing` (primitives.encrypted_fields)."""
    keys = []
    for entry in entries:
        encryption, _, signing = entry.partition("|")
        keys.append(("FIELD_ENCRYPTION_KEY", encryption))
        if signing:
            keys.append(("FIELD_SIGNING_KEY", signing))
    return keys


def configured_keys() -> dict[str, str]:
    """The current key of each purpose, as the loaded settings hold them."""
    keys = {
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEY": settings.FIELD_ENCRYPTION_KEY,
        "FIELD_SIGNING_KEY": settings.FIELD_SIGNING_KEY,
        "BLIND_INDEX_KEY": settings.BLIND_INDEX_KEY,
    }
    if getattr(settings, "SHOP_PAYMENT_PROVIDER", None) == "test":
        keys["SHOP_TEST_PROVIDER_WEBHOOK_SECRET"] = settings.SHOP_TEST_PROVIDER_WEBHOOK_SECRET
    return keys


def registry_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn (in `manage.py check`, makemigrations, runserver) about every unclassified field.

    A warning, not an error, so that a model being written can still be migrated; the
    test suite (tests/privacy/test_registry.py) is the gate that fails.
    """

    return [checks.Warning(problem, id="privacy.W001") for problem in registry_problems()]


@checks.register(checks.Tags.security, deploy=True)
def keys_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """`check --deploy`: no key too regular, none related to another purpose's key (old keys too)."""
    current = configured_keys()
    messages = [checks.Error(f"{name} is too regular to be a key: {problem}.", id="privacy.E001")
                for name, value in current.items() if (problem := key_variety_problem(value))]
    old = old_field_keys(getattr(settings, "FIELD_ENCRYPTION_OLD_KEYS", []))
    messages += [checks.Error(problem, id="privacy.E002")
                 for problem in related_key_problems(current=current, old=old)]
    return messages


@checks.register(checks.Tags.security, deploy=True)
def staff_second_factor_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """`check --deploy` warns while staff who reach customers' data may sign in with a password alone."""
    if getattr(settings, "STAFF_SECOND_FACTOR_REQUIRED", True):
        return []
    return [checks.Warning(
        "STAFF_SECOND_FACTOR_REQUIRED is off: staff who can see customers' details or refund "
        "sign in with a password alone.", hint="Set STAFF_SECOND_FACTOR_REQUIRED=true.",
        id="privacy.W002")]
