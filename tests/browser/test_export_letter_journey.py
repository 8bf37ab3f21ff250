"""The letter in a person's download (index.html), opened from disk as they would open it from the ZIP:
readable on a desktop and a phone, nothing off the side of the page, accessible, nothing fetched."""

import io
import zipfile

import pytest

from privacy.export import export_archive, export_document
from privacy.reach import identity_for_user
from tests.browser.axe import axe_violations
from tests.browser.conftest import Journey
from tests.privacy.export_person import export_person_create

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def letter_file(tmp_path):
    person = export_person_create()
    archive = zipfile.ZipFile(io.BytesIO(export_archive(export_document(
        identity=identity_for_user(user_id=person.user.pk), pseudonym="journey"))))
    archive.extractall(tmp_path)
    return tmp_path / "index.html"


@pytest.mark.django_db
@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_the_export_letter_reads_well_on_a_desktop_and_a_phone(browser, letter_file, device, request):
    context = browser.new_context(viewport=VIEWPORTS[device], locale="en-GB")
    page = context.new_page()
    fetched = []
    page.on("request", lambda r: r.url.startswith("file://") or fetched.append(r.url))
    journey = Journey(page, "", request.node.name)
    try:
        page.goto(letter_file.as_uri())

        assert page.title() == "Your data at Attuned"
        for heading in ("Your account", "Your orders", "What we learned from your browsing",
                        "What we recommended to you, and why", "Your consent decisions", "E-mails we sent you",
                        "Your requests"):
            assert page.get_by_role("heading", level=2, name=heading).is_visible()
        order = page.locator("li.item", has=page.get_by_role("heading", name="Order W000417", exact=True))
        order.scroll_into_view_if_needed()
        assert order.get_by_text("£46.90").is_visible()
        assert order.get_by_text("2 × Linen Apron at £19.95 each").is_visible()
        assert page.get_by_text("Beeswax Candle — Because you bought Linen Apron").is_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= page.evaluate("innerWidth")
        assert axe_violations(page) == []
        assert fetched == []
        journey.screenshot(device)

        page.emulate_media(media="print")
        assert not page.get_by_role("navigation", name="Contents").is_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= page.evaluate("innerWidth")
        journey.screenshot(f"{device}-print")
    finally:
        context.close()
