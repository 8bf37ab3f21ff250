import re

import pytest
from django.test import Client

from privacy.signals import consent_withdrawn, subject_linked

CONSENT_COOKIE = "attuned_consent"


class Received:
    """A receiver that remembers what it was sent: how other apps plug into privacy's signals."""

    def __init__(self):
        self.calls: list[dict] = []

    def __call__(self, sender, **kwargs):
        self.calls.append(kwargs)


@pytest.fixture
def withdrawals():
    received = Received()
    consent_withdrawn.connect(received, dispatch_uid="test-withdrawals")
    yield received
    consent_withdrawn.disconnect(dispatch_uid="test-withdrawals")


@pytest.fixture
def links():
    received = Received()
    subject_linked.connect(received, dispatch_uid="test-links")
    yield received
    subject_linked.disconnect(dispatch_uid="test-links")


@pytest.fixture
def csrf_client() -> Client:
    """A browser-like client: CSRF is enforced, so forms must carry the token the page gave."""
    return Client(enforce_csrf_checks=True)


def csrf_token_in(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def session_visitor(client):
    """The visitor the client's session stands for (the subject of its decisions, cart and events)."""
    import uuid

    from primitives.subjects import SESSION_KEY, Subject

    return Subject.for_visitor(uuid.UUID(hex=client.session[SESSION_KEY]))
