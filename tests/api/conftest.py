import uuid

import pytest
from rest_framework.test import APIClient

from tests.factories import verified_user
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)


@pytest.fixture(autouse=True)
def throttles_reset(monkeypatch):
    """Each test starts with no request counted against any throttle: its counts live under keys of
    its own (clearing the cache would also flush Redis's broker data when they share a database)."""
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "cache_format", f"throttle_{uuid.uuid4().hex}_%(scope)s_%(ident)s")


@pytest.fixture
def api():
    """An anonymous API client without a session (no cookies are kept unless a test sets them)."""
    return APIClient()


def token_client(user) -> APIClient:
    from shop.accounts.api.tokens import api_token_create

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user_id=user.pk, name='test').key}")
    return client


@pytest.fixture
def alice(db):
    return verified_user(email="alice@example.com")


@pytest.fixture
def bob(db):
    return verified_user(email="bob@example.com")


@pytest.fixture
def alice_api(alice):
    return token_client(alice)


@pytest.fixture
def bob_api(bob):
    return token_client(bob)


@pytest.fixture
def throttle_rates(settings):
    """Change some throttle rates for one test: throttle_rates(login="3/min")."""

    def change(**rates):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates}}

    return change
