"""Headers every page sends, pages that are never cached, proxies that are trusted only when
configured, and sessions that end after inactivity."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.utils import timezone

from shop.accounts.session_idle import SESSION_SEEN_KEY
from tests.factories import ProductFactory, UserFactory


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_every_page_switches_off_browser_features_the_shop_does_not_use(client):
    policy = client.get("/").headers["Permissions-Policy"]

    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "interest-cohort=()"):
        assert feature in policy


@pytest.mark.django_db
def test_pages_with_personal_data_are_never_stored_by_the_browser(client):
    product = ProductFactory()

    assert not no_store(client.get(product.get_absolute_url()))
    for path in ("/cart/", "/checkout/details/", "/orders/find/", "/privacy/consent/", "/accounts/login/"):
        assert no_store(client.get(path)), path

    client.force_login(UserFactory())
    for path in ("/account/orders/", "/privacy/account/", product.get_absolute_url(), "/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert no_store(response), path


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
                   TRUSTED_PROXIES=["10.0.0.0/8"])
def test_x_forwarded_proto_counts_only_from_a_configured_proxy(client):
    from_proxy = client.get("/robots.txt", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="10.1.2.3")
    from_anyone = client.get("/robots.txt", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="203.0.113.9")

    assert from_proxy.status_code == 200
    assert from_anyone.status_code == 301 and from_anyone["Location"].startswith("https://")


def test_without_a_configured_proxy_forwarded_headers_are_not_trusted():
    from django.conf import settings

    assert settings.TRUSTED_PROXIES == []
    assert settings.SECURE_PROXY_SSL_HEADER is None


def session_of(client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def expires_in(session: Session) -> float:
    return (session.expire_date - timezone.now()).total_seconds()


@pytest.mark.django_db
@override_settings(SESSION_IDLE_TIMEOUT=3600, SESSION_STAFF_IDLE_TIMEOUT=600)
def test_a_session_lasts_as_long_as_the_idle_timeout_and_activity_pushes_it_forward(client):
    client.force_login(UserFactory())
    assert 3500 < expires_in(session_of(client)) <= 3600

    # Ten minutes pass without a request.
    stored = session_of(client)
    data = stored.get_decoded()
    data[SESSION_SEEN_KEY] -= 600
    Session.objects.filter(pk=stored.pk).update(session_data=Session.objects.encode(data),
                                                expire_date=stored.expire_date - timedelta(minutes=10))
    assert expires_in(session_of(client)) < 3000

    response = client.get("/account/orders/")

    assert response.status_code == 200
    assert 3500 < expires_in(session_of(client)) <= 3600
    assert response.cookies["sessionid"]["max-age"] == 3600


@pytest.mark.django_db
@override_settings(SESSION_IDLE_TIMEOUT=3600, SESSION_STAFF_IDLE_TIMEOUT=600)
def test_an_idle_session_ends_and_staff_sessions_end_sooner(client):
    client.force_login(UserFactory(is_staff=True))
    assert 500 < expires_in(session_of(client)) <= 600

    # Eleven minutes without a request: the session is past its expiry and no longer signs in.
    Session.objects.filter(pk=session_of(client).pk).update(expire_date=timezone.now() - timedelta(minutes=1))
    response = client.get("/account/orders/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_a_visitor_without_a_session_gets_none_from_the_idle_timeout(client):
    response = client.get("/robots.txt")

    assert "sessionid" not in response.cookies
