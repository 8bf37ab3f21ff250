"""Download my data, then delete my account, in a real browser."""

import io
import json
import zipfile

import pytest
from django.core.management import call_command

from shop.accounts.models import User
from shop.orders.models import Order, OrderStatus
from tests.factories import PASSWORD, OrderFactory, ProductFactory, order_line_create, verified_user
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)

EMAIL = "ottoline.brackenridge@example.org"


@pytest.fixture
def customer(transactional_db, settings):
    settings.ERASURE_GRACE_DAYS = 0
    user = verified_user(email=EMAIL)
    order = OrderFactory(user=user, status=OrderStatus.SHIPPED, number="JOURNEY-1")
    order_line_create(order=order, product=ProductFactory(title="Enamel mug"))
    return user


def test_privacy_settings_download_then_delete_the_account(journey, customer):
    page = journey.page
    journey.goto("/accounts/login/")
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("form").filter(has=page.locator("input[name=password]")).locator(
            "button[type=submit]").click()

    journey.goto("/privacy/account/")
    assert page.get_by_role("heading", name="Your data").is_visible()
    journey.screenshot("privacy-settings")
    with page.expect_navigation():
        page.get_by_role("button", name="Download my data").click()
    # Downloading needs the password again.
    page.fill("input[name=password]", PASSWORD)
    journey.screenshot("reauthenticate")
    with page.expect_navigation():
        page.locator("form").filter(has=page.locator("input[name=password]")).locator(
            "button[type=submit]").click()
    journey.goto("/privacy/account/")  # the file is built by then (tasks run in-process here)
    journey.screenshot("download-ready")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your data (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(open(download_info.value.path(), "rb").read()))
    document = json.loads(archive.read("data.json"))
    assert [row["number"] for row in document["sections"]["orders.Order"]["rows"]] == ["JOURNEY-1"]
    assert "Enamel mug" in archive.read("index.html").decode()

    page.get_by_role("link", name="Delete my account").click()
    page.wait_for_url("**/privacy/account/delete/")
    journey.screenshot("delete-confirm")
    with page.expect_navigation():
        page.get_by_role("button", name="Delete my account").click()
    assert page.get_by_role("heading", name="Your account will be deleted").is_visible()
    journey.screenshot("delete-scheduled")

    call_command("process_privacy_requests")  # what the schedule runs every five minutes

    assert not User.objects.filter(email=EMAIL).exists()
    assert Order.objects.get(number="JOURNEY-1").user_id is None
    journey.goto("/privacy/account/")
    assert "/accounts/login/" in page.url  # the session went with the account
    assert journey.csp_violations() == []
