"""A browser's first visit: the icons the page names and /favicon.ico are served, never a 404."""

import pytest


@pytest.mark.django_db(transaction=True)
def test_the_favicon_the_page_names_and_favicon_ico_are_served(journey):
    page = journey.page

    journey.goto("/")
    icons = page.locator('link[rel="icon"]').evaluate_all("links => links.map(link => link.href)")
    fetched = {url: page.request.get(url) for url in [*icons, journey.base_url + "/favicon.ico"]}

    assert len(icons) == 2
    assert {url: response.status for url, response in fetched.items()} == {url: 200 for url in fetched}
    assert fetched[journey.base_url + "/favicon.ico"].body()[:4] == b"\x00\x00\x01\x00"
    assert sorted(fetched[url].headers["content-type"].split(";")[0] for url in icons) == [
        "image/svg+xml", "image/vnd.microsoft.icon"]
    assert journey.csp_violations() == []
