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


@pytest.fixture
def app_declaring_a_preferences_cookie(settings):
    """An installed app whose personal_data.py declares `list_sort` for the preferences purpose."""
    from privacy.registry import declared_cookies

    declared_cookies.cache_clear()
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "tests.privacy.cookie_declaring_app"]
    yield "list_sort"
    settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS
                               if app != "tests.privacy.cookie_declaring_app"]
    declared_cookies.cache_clear()


def response_for(user, view):
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    return CookieConsentGuardMiddleware(ConsentMiddleware(view))(request)


@pytest.mark.django_db
@pytest.mark.parametrize(("choices", "kept"), [
    (None, False),                                            # never asked
    ({"preferences": False, "analytics": True}, False),       # refused (another purpose granted)
    ({"preferences": True}, True),                            # granted
])
def test_a_cookie_declared_for_a_purpose_is_set_only_with_that_consent(app_declaring_a_preferences_cookie,
                                                                       choices, kept):
    from primitives.subjects import Subject
    from privacy.services import consent_decide
    from tests.factories import UserFactory

    user = UserFactory()
    if choices is not None:
        consent_decide(subject=Subject.for_user(user), choices=choices, source="settings")
    assert cookie_table()[-1].name == "list_sort"  # declared, so not dropped as unknown

    response = response_for(user, view_setting("sessionid", "list_sort"))

    assert ("list_sort" in response.cookies) is kept
    assert "sessionid" in response.cookies
