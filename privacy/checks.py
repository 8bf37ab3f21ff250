from django.core import checks


def registry_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn (in `manage.py check`, makemigrations, runserver) about every unclassified field.

    A warning, not an error, so that a model being written can still be migrated; the
    test suite (tests/privacy/test_registry.py) is the gate that fails.
    """
    from .registry import registry_problems

    return [checks.Warning(problem, id="privacy.W001") for problem in registry_problems()]
