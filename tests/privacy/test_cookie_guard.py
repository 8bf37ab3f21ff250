"""No response sets a cookie that is undeclared or whose purpose lacks consent."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from privacy.cookies import cookie_table
from privacy.middleware import ConsentMiddleware, CookieConsentGuardMiddleware


def view_setting(*names: str):
    def view(request):
        response = HttpResponse("ok")
        for name in names:
            response.set_cookie(name, "value")
        response.delete_cookie("old_tracker")
        return response

    return view


@pytest.mark.django_db
def test_undeclared_cookies_are_dropped_and_necessary_ones_kept(settings):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.session = {}
    stack = CookieConsentGuardMiddleware(ConsentMiddleware(view_setting("sessionid", "csrftoken", "_ga", "fbp")))

    response = stack(request)

    assert sorted(response.cookies) == ["csrftoken", "old_tracker", "sessionid"]
    assert response.cookies["old_tracker"]["max-age"] == 0  # deleting is always allowed


def test_the_cookie_table_declares_every_cookie_the_shop_sets_with_a_purpose_and_lifetime(settings):
    table = {cookie.name: cookie for cookie in cookie_table()}

    assert set(table) >= {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "messages",
                          settings.PRIVACY_CONSENT_COOKIE_NAME}
    assert table[settings.PRIVACY_CONSENT_COOKIE_NAME].duration == "365 days at most"
    assert all(cookie.purpose and cookie.duration and cookie.description for cookie in table.values())


@pytest.mark.django_db
def test_the_cookie_page_lists_the_table(client):
    html = client.get("/privacy/cookies/").content.decode()

    assert "<code>attuned_consent</code>" in html and "<code>sessionid</code>" in html
    assert "365 days at most" in html


@pytest.mark.django_db
def test_the_privacy_notice_is_versioned_and_lists_what_is_kept_from_the_registry(client, settings):
    html = client.get("/privacy/").content.decode()

    assert f"Version {settings.PRIVACY_NOTICE_VERSION}." in html
    assert "Fulfil and account for orders" in html and "Legal obligation (Art. 6(1)(c))" in html
    assert "Global Privacy Control" in html and 'id="cookies"' in html
