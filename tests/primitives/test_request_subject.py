"""One function says who a request is: web pages, API token, API session, a cart token."""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request

from primitives.subjects import CART_TOKEN_HEADER, SESSION_KEY, Subject, request_subject
from shop.accounts.api.authentication import ApiTokenAuthentication
from shop.accounts.api.tokens import api_token_create
from tests.factories import verified_user

VISITOR = uuid.UUID("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
TOKEN_VISITOR = uuid.UUID("11111111-2222-3333-4444-555555555555")


def web_request(*, user=None, visitor: uuid.UUID | None = None, headers: dict | None = None):
    request = RequestFactory().get("/", headers=headers or {})
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    if visitor is not None:
        request.session[SESSION_KEY] = visitor.hex
    return request


def api_request(django_request):
    return Request(django_request, authenticators=[ApiTokenAuthentication(), SessionAuthentication()])


@pytest.mark.django_db
def test_web_request_is_the_signed_in_account_even_with_a_visitor_id_in_its_session():
    user = verified_user(email="web@example.com")

    assert request_subject(web_request(user=user, visitor=VISITOR)) == Subject(user_id=user.pk)


def test_web_request_of_a_visitor_is_the_session_visitor():
    assert request_subject(web_request(visitor=VISITOR)) == Subject(visitor_id=VISITOR)


def test_web_request_without_a_visitor_id_is_nobody_and_creates_none():
    request = web_request()

    assert request_subject(request) is None
    assert SESSION_KEY not in request.session and not request.session.modified


def test_web_request_ignores_a_cart_token_header():
    request = web_request(visitor=VISITOR, headers={CART_TOKEN_HEADER: TOKEN_VISITOR.hex})

    assert request_subject(request) == Subject(visitor_id=VISITOR)


@pytest.mark.django_db
def test_api_token_request_is_the_token_account_though_the_session_has_no_user():
    user = verified_user(email="token@example.com")
    key = api_token_create(user_id=user.pk, name="test").key
    request = api_request(web_request(visitor=VISITOR, headers={"Authorization": f"Bearer {key}",
                                                                CART_TOKEN_HEADER: TOKEN_VISITOR.hex}))

    assert request_subject(request, cart_token=True) == Subject(user_id=user.pk)


@pytest.mark.django_db
def test_api_session_request_is_the_session_account():
    user = verified_user(email="session@example.com")
    request = api_request(web_request(user=user, visitor=VISITOR))

    assert request_subject(request, cart_token=True) == Subject(user_id=user.pk)


@pytest.mark.django_db
def test_api_request_of_a_visitor_prefers_the_cart_token_to_the_session():
    request = api_request(web_request(visitor=VISITOR, headers={CART_TOKEN_HEADER: f" {TOKEN_VISITOR.hex.upper()} "}))

    assert request_subject(request, cart_token=True) == Subject(visitor_id=TOKEN_VISITOR)


@pytest.mark.django_db
def test_api_request_with_a_malformed_cart_token_falls_back_to_the_session_visitor():
    request = api_request(web_request(visitor=VISITOR, headers={CART_TOKEN_HEADER: "not-a-token"}))

    assert request_subject(request, cart_token=True) == Subject(visitor_id=VISITOR)


@pytest.mark.django_db
def test_api_request_without_the_session_visitor_is_nobody_for_a_session_visitor_only():
    session_only = api_request(web_request(visitor=VISITOR))
    with_token = api_request(web_request(visitor=VISITOR, headers={CART_TOKEN_HEADER: TOKEN_VISITOR.hex}))

    assert request_subject(session_only, cart_token=True, session_visitor=False) is None
    assert request_subject(with_token, cart_token=True, session_visitor=False) == Subject(visitor_id=TOKEN_VISITOR)
