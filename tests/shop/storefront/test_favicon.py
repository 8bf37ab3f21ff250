"""The favicon: every page names it, and browsers that ask for /favicon.ico on their own get it
(the browser suite fetches both through a live server: tests/browser/test_favicon.py)."""

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static


@pytest.mark.django_db
def test_pages_link_the_favicon_and_favicon_ico_leads_to_the_static_file(client):
    home = client.get("/").content.decode()
    asked = client.get("/favicon.ico")

    assert f'<link rel="icon" href="{static("favicon.ico")}"' in home
    assert f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in home
    assert asked.status_code == 301 and asked["Location"] == static("favicon.ico")
    with open(finders.find(asked["Location"].removeprefix(settings.STATIC_URL)), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an icon file
    with open(finders.find("favicon.svg")) as svg:
        assert svg.read().startswith("<svg ")
