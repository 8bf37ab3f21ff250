"""Every link the shop e-mails, opened as the person opens it: taken from the e-mail itself,
in a fresh Chromium context (no session, no cookies), and used for what it is for.

A browser sends what the test client does not: an Origin and a Referer shaped by the page's
Referrer-Policy. A page that sent "no-referrer" had its form posted with "Origin: null", and
Django's CSRF check refused it; only this suite would see that.

The e-mails, and where each link is used here:

- shop/emails/order_confirmation, order_shipped, order_cancelled, order_refunded (shop.orders.emails,
  one template for the link): a guest's signed order page; an account's order page, after logging in.
- shop/emails/guest_order_links ("Find your order"): each order's signed page.
- account/email/email_confirmation_message (allauth, at sign-up): confirm the address, then log in.
- allauth's password_reset_key_message: set a new password, then log in with it.
- allauth's account_already_exists_message (sign-up with a known address): the password reset link
  in it leads to the same reset form.
- allauth's unknown_account_message (a reset asked for an unknown address): its sign-up link opens
  the sign-up form.
- marketing/emails/newsletter_confirm: confirm the subscription.
- marketing/emails/digest and cart_reminder (personalization.marketing.mail.marketing_build): the page's
  Unsubscribe button, and the mail client's one-click POST (List-Unsubscribe-Post); the digest's
  product links open their products and the cart reminder's cart link opens the cart.
- privacy/emails/guest_request_link: confirm a guest's export or deletion.
- privacy/emails/export_ready (guests only): download the ZIP. An account is e-mailed no download
  link: its privacy page shows it (tests/browser/test_data_rights_journey.py); here that link,
  opened in another browser, shows no file until its owner logs in there.
- privacy/emails/erasure_scheduled (an account's deletion, which needs the password again rather
  than an e-mail, and a guest's confirmed one): cancel the deletion.

- account/email/second_factor_enrolment_message (a staff member's first authenticator app): opened
  in a browser of its own, logged in there, and used in tests/browser/test_staff_second_factor_journey.py.

allauth's other notices (password changed, e-mail changed, ...) are off (ACCOUNT_EMAIL_NOTIFICATIONS);
the second-factor change notices (account/email/base_notification) carry no link but the shop's address.
"""

import io
import json
import re
import uuid
import zipfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from personalization.marketing.models import Subscriber, SubscriberStatus
from personalization.recommendations.models import ModelVersion, ModelVersionStatus, Rail, RecommendationList
from personalization.marketing.links import confirm_token
from personalization.marketing.newsletter import subscriber_confirm, subscriber_sign_up
from personalization.marketing.tasks import send_cart_reminders
from privacy.models import DataRequest, DataRequestKind, DataRequestStatus
from shop.accounts.models import User
from shop.cart.models import Cart, CartLine
from shop.orders.models import Order, OrderStatus
from shop.orders.tasks import send_order_email
from tests.browser.axe import axe_violations
from tests.browser.conftest import CSP_LISTENER, Journey
from tests.browser.pages import dismiss_consent_banner
from tests.factories import PASSWORD, OrderFactory, ProductFactory, order_line_create, verified_user
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)

NEW_PASSWORD = "lantern quietly folds paper"
# A web mail's own address: where a one-click unsubscribe is posted from.
MAIL_CLIENT_ORIGIN = "https://mail.example.net"
ELSEWHERE = "http://elsewhere.example.org"


def fresh_address(name: str) -> str:
    # Hourly limits per address live in the cache, which outlives a run on Redis: one address per run.
    return f"{name}-{uuid.uuid4().hex[:10]}@example.org"


@pytest.fixture
def shop_links(transactional_db, settings, live_server):
    """Links in e-mails point at the live server, as SHOP_BASE_URL points at the shop."""
    settings.SHOP_BASE_URL = live_server.url
    mail.outbox = []
    return live_server.url


class LinkJourney(Journey):
    """A journey that also records the Origin of every form its page posts."""

    def __init__(self, page, base_url: str, name: str):
        super().__init__(page, base_url, name)
        self.form_origins: list[str | None] = []
        page.on("request", lambda request: request.method == "POST" and self.form_origins.append(
            request.headers.get("origin")))


@pytest.fixture
def fresh(browser, shop_links, request):
    """Opens a link in a new browser context each time: no session, no cookies, as from a mail client."""
    contexts = []

    def open_link(link: str, label: str, *, navigate: bool = True) -> LinkJourney:
        assert link.startswith(shop_links + "/"), link  # the e-mail names the shop's address
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        journey = LinkJourney(page, shop_links, f"{request.node.name}-{label}")
        if navigate:
            page.goto(link)
        return journey

    yield open_link
    for context in contexts:
        context.close()


def link_in(message, path_prefix: str) -> str:
    """The one absolute link under path_prefix in the e-mail's text; the HTML part must carry the same."""
    links = set(re.findall(rf"https?://[^/\s]+{re.escape(path_prefix)}[^\s\"<>]*", message.body))
    assert len(links) == 1, (path_prefix, message.body)
    [link] = links
    for html, _ in getattr(message, "alternatives", []):
        assert link in html.replace("&amp;", "&")
    return link


def mails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def assert_posted_with_our_origin(journey) -> None:
    assert journey.form_origins, "no form was posted"
    assert set(journey.form_origins) == {journey.base_url}  # never "null": the CSRF check needs it


def log_in(page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Log in").click()


def reauthenticate(page) -> None:
    """Deleting or downloading needs the password again, even just after logging in."""
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form").get_by_role("button").click()


def download(journey, link: str) -> zipfile.ZipFile:
    with journey.page.expect_download() as info:
        try:
            journey.page.goto(link)
        except PlaywrightError as error:  # a download is no page: the navigation itself is "aborted"
            assert "Download is starting" in str(error) or "ERR_ABORTED" in str(error), error
    return zipfile.ZipFile(io.BytesIO(open(info.value.path(), "rb").read()))


def test_every_e_mail_the_shop_sends_is_listed_here(settings):
    """A new e-mail template fails this until its links have a journey in this module."""
    templates = Path(settings.BASE_DIR) / "templates"
    names = {path.stem for path in templates.glob("*/emails/*.txt")} | {
        path.stem for path in (templates / "account" / "email").glob("*_message.txt")}
    names -= {"_receipt", "base_message"}  # parts of e-mails, not e-mails

    assert names and sorted(name for name in names if name not in __doc__) == []


# --- Orders ------------------------------------------------------------------------------------

def test_the_receipt_link_opens_a_guest_order_and_its_token_goes_to_no_other_site(fresh):
    address = fresh_address("guest-receipt")
    order = OrderFactory(user=None, email=address, number="MAIL-0001", total=Decimal("12.50"))
    order_line_create(order=order, product=ProductFactory(title="Enamel mug"))
    send_order_email.delay(order.pk, "confirmation")

    [receipt] = mails_to(address)
    journey = fresh(link_in(receipt, "/orders/"), "receipt")
    page = journey.page
    assert page.locator("h1").inner_text() == "Order MAIL-0001"
    assert "Enamel mug" in page.locator(".cart-table").inner_text()
    journey.screenshot("guest-order")

    # A link from this page to another site would carry no Referer, so not the token either.
    seen = []
    page.route(f"{ELSEWHERE}/**", lambda route: (seen.append(route.request.headers),
                                                 route.fulfill(body="elsewhere", content_type="text/plain")))
    page.evaluate("""(href) => { const a = document.createElement('a'); a.href = href;
                                 a.textContent = 'elsewhere'; document.body.append(a); a.click(); }""",
                  f"{ELSEWHERE}/landing")
    page.wait_for_url(f"{ELSEWHERE}/landing")
    [headers] = seen
    assert "referer" not in headers
    assert journey.csp_violations() == []


def test_an_accounts_order_link_asks_to_log_in_then_opens_the_order(fresh):
    owner = verified_user(email=fresh_address("account-receipt"))
    order = OrderFactory(user=owner, email=owner.email, number="MAIL-0002", status=OrderStatus.SHIPPED)
    send_order_email.delay(order.pk, "shipped")

    [shipped] = mails_to(owner.email)
    journey = fresh(link_in(shipped, "/account/orders/"), "account-order")
    page = journey.page
    assert "/accounts/login/" in page.url
    log_in(page, owner.email, PASSWORD)
    assert page.url.endswith("/account/orders/MAIL-0002/")
    assert page.locator("h1").inner_text() == "Order MAIL-0002"
    assert_posted_with_our_origin(journey)


def test_find_your_order_e_mails_links_that_open_each_order(fresh, shop_links):
    address = fresh_address("guest-find")
    older = OrderFactory(user=None, email=address, number="MAIL-0003", placed_at=timezone.now() - timedelta(days=9))
    newer = OrderFactory(user=None, email=address, number="MAIL-0004")
    asking = fresh(shop_links + "/", "find-form")
    dismiss_consent_banner(asking.page)
    asking.page.get_by_role("link", name="Find your order").click()
    asking.page.get_by_label("E-mail address you ordered with").fill(address)
    with asking.page.expect_navigation():
        asking.page.get_by_role("button", name="E-mail me my order links").click()
    assert "we have e-mailed it a link to each" in asking.page.locator(".messages").inner_text()
    assert_posted_with_our_origin(asking)

    [message] = mails_to(address)
    links = re.findall(r"https?://\S+/orders/\S+/", message.body)
    assert len(links) == 2
    seen = [fresh(link, f"found-{n}").page.locator("h1").inner_text() for n, link in enumerate(links)]
    assert sorted(seen) == [f"Order {older.number}", f"Order {newer.number}"]


# --- Accounts (allauth) ------------------------------------------------------------------------

def test_the_sign_up_e_mail_confirms_the_address_in_another_browser(fresh, shop_links):
    address = fresh_address("sign-up")
    signing_up = fresh(shop_links + "/accounts/signup/", "sign-up")
    page = signing_up.page
    page.get_by_label("Email").fill(address)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Create account").click()
    assert_posted_with_our_origin(signing_up)
    assert not EmailAddress.objects.get(email=address).verified
    # Messages travel in a cookie: they carry no address (what is shown is what the cookie holds).
    assert page.locator(".messages").inner_text() == "We have e-mailed you a link to confirm the address."

    [message] = mails_to(address)
    journey = fresh(link_in(message, "/accounts/confirm-email/"), "confirm-email")
    page = journey.page
    journey.screenshot("confirm-email")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    assert_posted_with_our_origin(journey)
    assert EmailAddress.objects.get(email=address).verified
    journey.screenshot("confirmed")
    # This browser never had the sign-up's session, so it is asked to log in, with the news on top.
    assert "/accounts/login/" in page.url
    assert page.locator(".messages").inner_text() == "Your e-mail address is confirmed."
    log_in(page, address, PASSWORD)
    assert "/accounts/login/" not in page.url
    assert page.get_by_role("navigation", name="Account").count() == 1
    assert journey.csp_violations() == []


def test_the_password_reset_e_mail_sets_a_new_password_that_logs_in(fresh, shop_links):
    person = verified_user(email=fresh_address("reset"))
    asking = fresh(shop_links + "/accounts/password/reset/", "reset-form")
    asking.page.get_by_label("Email").fill(person.email)
    with asking.page.expect_navigation():
        asking.page.locator("main form").get_by_role("button").click()
    assert_posted_with_our_origin(asking)

    [message] = mails_to(person.email)
    journey = fresh(link_in(message, "/accounts/password/reset/key/"), "reset-key")
    page = journey.page
    journey.screenshot("set-password")
    page.get_by_label(re.compile(r"^New password$", re.IGNORECASE)).fill(NEW_PASSWORD)
    page.get_by_label(re.compile(r"^New password \(again\)$", re.IGNORECASE)).fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Change password$", re.IGNORECASE)).click()
    assert_posted_with_our_origin(journey)
    journey.screenshot("password-set")
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert page.locator("h1").inner_text() == "Password changed"
    assert journey.csp_violations() == [] and axe_violations(page) == []

    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Log in with it").click()
    log_in(page, person.email, NEW_PASSWORD)
    assert "/accounts/login/" not in page.url
    assert page.get_by_role("navigation", name="Account").count() == 1


def test_the_links_in_the_e_mails_that_tell_nobody_whether_an_account_exists_open_their_forms(fresh, shop_links):
    known, unknown = verified_user(email=fresh_address("known")), fresh_address("unknown")
    signing_up = fresh(shop_links + "/accounts/signup/", "sign-up-again")
    page = signing_up.page
    page.get_by_label("Email").fill(known.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Create account").click()
    resetting = fresh(shop_links + "/accounts/password/reset/", "reset-unknown")
    resetting.page.get_by_label("Email").fill(unknown)
    with resetting.page.expect_navigation():
        resetting.page.locator("main form").get_by_role("button").click()

    [already] = mails_to(known.email)
    assert fresh(link_in(already, "/accounts/password/reset/"), "reset").page.get_by_label("Email").count() == 1
    [no_account] = mails_to(unknown)
    signup = fresh(link_in(no_account, "/accounts/signup/"), "signup").page
    assert signup.locator("h1").inner_text() == "Create an account"
    assert User.objects.filter(email=known.email).count() == 1 and not User.objects.filter(email=unknown).exists()


# --- Newsletter --------------------------------------------------------------------------------

@pytest.fixture
def trending(transactional_db):
    product = ProductFactory(title="Enamel Mug")
    now = timezone.now()
    version = ModelVersion.objects.create(status=ModelVersionStatus.ACTIVE, started_at=now, trained_until=now)
    RecommendationList.objects.create(version=version, rail=Rail.TRENDING,
                                      items=[{"product": product.pk, "reason": "trending", "customers": 9}])
    return product


def test_newsletter_confirm_and_unsubscribe_links_and_the_one_click_post(fresh, trending, shop_links):
    button, one_click = fresh_address("news-button"), fresh_address("news-one-click")
    for address in (button, one_click):
        subscriber_sign_up(email=address, user=None)
        journey = fresh(link_in(mails_to(address)[0], "/newsletter/confirm/"), "confirm")
        with journey.page.expect_navigation():
            journey.page.get_by_role("button", name="Yes, subscribe me").click()
        assert journey.page.get_by_role("heading", name="You are subscribed").is_visible()
        assert_posted_with_our_origin(journey)
    assert set(Subscriber.objects.values_list("status", flat=True)) == {SubscriberStatus.CONFIRMED}

    call_command("send_digest", "--campaign", f"links-{uuid.uuid4().hex[:6]}")
    [digest] = mails_to(button)[1:]
    product_link = link_in(digest, trending.get_absolute_url())
    assert fresh(product_link, "digest-product").page.locator("h1").inner_text() == "Enamel Mug"

    journey = fresh(link_in(digest, "/newsletter/unsubscribe/"), "unsubscribe")
    with journey.page.expect_navigation():
        journey.page.get_by_role("button", name="Unsubscribe").click()
    assert journey.page.get_by_role("heading", name="You are unsubscribed").is_visible()
    assert_posted_with_our_origin(journey)

    [other_digest] = mails_to(one_click)[1:]
    assert other_digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header_link = other_digest.extra_headers["List-Unsubscribe"].strip("<>")
    mail_client = fresh(header_link, "one-click", navigate=False)  # posts without ever loading a page of ours
    answer = mail_client.page.context.request.post(
        header_link, form={"List-Unsubscribe": "One-Click"}, headers={"Origin": MAIL_CLIENT_ORIGIN})
    assert answer.status == 200 and "You are unsubscribed" in answer.text()

    assert list(Subscriber.objects.values_list("status", flat=True)) == [SubscriberStatus.UNSUBSCRIBED] * 2


def test_the_cart_reminders_links_open_the_product_and_after_logging_in_the_cart(fresh, trending, settings):
    settings.MARKETING_CART_REMINDER_DELAY_HOURS = 24
    owner = verified_user(email=fresh_address("cart-reminder"))
    subscriber_sign_up(email=owner.email, user=owner)
    subscriber_confirm(token=confirm_token(Subscriber.objects.get(user=owner)))
    cart = Cart.objects.create(user=owner)
    CartLine.objects.create(cart=cart, variant=trending.variants.get(), quantity=2)
    then = timezone.now() - timedelta(hours=30)
    Cart.objects.filter(pk=cart.pk).update(updated_at=then)
    CartLine.objects.filter(cart=cart).update(added_at=then)
    mail.outbox = []

    send_cart_reminders.delay()

    [reminder] = mails_to(owner.email)
    assert fresh(link_in(reminder, trending.get_absolute_url()), "product").page.locator("h1").inner_text() == (
        "Enamel Mug")
    journey = fresh(link_in(reminder, "/cart/"), "cart")
    page = journey.page
    journey.screenshot("cart-logged-out")
    assert journey.csp_violations() == [] and axe_violations(page) == []
    # This browser is not logged in: the cart it shows is its own, empty one, and it says where the other is.
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Log in").click()
    log_in(page, owner.email, PASSWORD)
    assert page.url.endswith("/cart/")
    assert "Enamel Mug" in page.locator(".cart-table").inner_text()
    journey.screenshot("cart-logged-in")


# --- Data rights -------------------------------------------------------------------------------

def guest_asks(fresh, shop_links, *, address: str, kind_label: str) -> None:
    asking = fresh(shop_links + "/privacy/requests/", f"ask-{kind_label[:6]}")
    dismiss_consent_banner(asking.page)
    asking.page.get_by_label(re.compile("e-mail", re.IGNORECASE)).first.fill(address)
    asking.page.get_by_label(re.compile(kind_label, re.IGNORECASE)).check()
    with asking.page.expect_navigation():
        asking.page.locator("main form").get_by_role("button").click()
    assert "we have e-mailed it a link" in asking.page.locator(".messages").inner_text()
    assert_posted_with_our_origin(asking)


def test_a_guest_confirms_an_export_from_the_e_mail_and_downloads_it_from_the_next(fresh, shop_links):
    address = fresh_address("guest-export")
    OrderFactory(user=None, email=address, number="MAIL-0005", status=OrderStatus.SHIPPED)
    OrderFactory(user=None, email=fresh_address("someone-else"), number="MAIL-0006")
    guest_asks(fresh, shop_links, address=address, kind_label="copy")

    [request_link] = mails_to(address)
    journey = fresh(link_in(request_link, "/privacy/requests/"), "confirm-export")
    journey.screenshot("confirm")
    assert "You asked for a copy of the data" in journey.page.locator("main").inner_text()
    assert journey.csp_violations() == [] and axe_violations(journey.page) == []
    with journey.page.expect_navigation():
        journey.page.get_by_role("button", name="Confirm").click()
    assert_posted_with_our_origin(journey)
    assert journey.page.get_by_role("heading", name="Request confirmed").is_visible()
    assert "e-mail a download link" in journey.page.locator("main").inner_text()
    journey.screenshot("confirmed")
    assert DataRequest.objects.get(kind=DataRequestKind.EXPORT).status == DataRequestStatus.DONE
    again = fresh(link_in(request_link, "/privacy/requests/"), "used-link").page
    assert "already been used" in again.locator("main").inner_text()
    assert again.get_by_role("button", name="Confirm").count() == 0

    [ready] = mails_to(address)[1:]
    link = link_in(ready, "/privacy/download/")
    archive = download(fresh(link, "download", navigate=False), link)
    document = json.loads(archive.read("data.json"))
    assert [row["number"] for row in document["sections"]["orders.Order"]["rows"]] == ["MAIL-0005"]


def test_an_accounts_download_link_gives_the_file_only_to_its_owner_logged_in(fresh, shop_links):
    owner = verified_user(email=fresh_address("account-export"))
    OrderFactory(user=owner, number="MAIL-0008", status=OrderStatus.SHIPPED)
    exporting = fresh(shop_links + "/accounts/login/", "export")
    page = exporting.page
    log_in(page, owner.email, PASSWORD)
    exporting.goto("/privacy/account/")
    with page.expect_navigation():
        page.get_by_role("button", name="Download my data").click()
    reauthenticate(page)
    assert_posted_with_our_origin(exporting)
    exporting.goto("/privacy/account/")
    link = page.get_by_role("link", name="Download your data (ZIP)").get_attribute("href")
    assert not mails_to(owner.email)  # an account is e-mailed no download link

    elsewhere = fresh(shop_links + link, "logged-out")
    assert "This download link is not valid" in elsewhere.page.locator("main").inner_text()
    elsewhere.goto("/accounts/login/")
    log_in(elsewhere.page, owner.email, PASSWORD)
    archive = download(elsewhere, shop_links + link)
    document = json.loads(archive.read("data.json"))
    assert [row["number"] for row in document["sections"]["orders.Order"]["rows"]] == ["MAIL-0008"]


def test_an_accounts_deletion_is_cancelled_from_the_e_mail_in_another_browser(fresh, shop_links, settings):
    settings.ERASURE_GRACE_DAYS = 14
    owner = verified_user(email=fresh_address("account-delete"))
    deleting = fresh(shop_links + "/accounts/login/", "delete")
    page = deleting.page
    log_in(page, owner.email, PASSWORD)
    deleting.goto("/privacy/account/delete/")
    reauthenticate(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Delete my account").click()
    assert page.get_by_role("heading", name="Your account will be deleted").is_visible()
    assert not [m for m in mails_to(owner.email) if "/privacy/download/" in m.body]

    [scheduled] = mails_to(owner.email)
    journey = deletion_cancelled_from(scheduled, fresh)

    DataRequest.objects.update(due_at=timezone.now() - timedelta(days=1))
    call_command("process_privacy_requests")
    assert User.objects.filter(pk=owner.pk).exists()
    assert journey.csp_violations() == []


def deletion_cancelled_from(scheduled, fresh):
    """Open the cancel link of a "deletion scheduled" e-mail in a fresh browser and cancel there."""
    journey = fresh(link_in(scheduled, "/privacy/delete/cancel/"), "cancel")
    journey.screenshot("cancel")
    assert journey.page.locator("h1").inner_text() == "Keep your data?"  # words for guests too
    assert journey.csp_violations() == [] and axe_violations(journey.page) == []
    with journey.page.expect_navigation():
        journey.page.get_by_role("button", name="Cancel the deletion").click()
    assert_posted_with_our_origin(journey)
    journey.screenshot("cancelled")
    assert journey.page.locator("h1").inner_text() == "Deletion cancelled"
    assert DataRequest.objects.get(kind=DataRequestKind.ERASURE).status == DataRequestStatus.CANCELLED
    return journey


def test_a_guest_confirms_a_deletion_from_the_e_mail_and_cancels_it_from_the_next(fresh, shop_links, settings):
    settings.ERASURE_GRACE_DAYS = 14
    address = fresh_address("guest-delete")
    order = OrderFactory(user=None, email=address, number="MAIL-0007", status=OrderStatus.DELIVERED)
    guest_asks(fresh, shop_links, address=address, kind_label="delete")

    [request_link] = mails_to(address)
    journey = fresh(link_in(request_link, "/privacy/requests/"), "confirm-erasure")
    assert "You asked us to delete the data" in journey.page.locator("main").inner_text()
    with journey.page.expect_navigation():
        journey.page.get_by_role("button", name="Confirm").click()
    assert_posted_with_our_origin(journey)
    assert journey.page.get_by_role("heading", name="Request confirmed").is_visible()
    assert DataRequest.objects.get(kind=DataRequestKind.ERASURE).status == DataRequestStatus.SCHEDULED

    [scheduled] = mails_to(address)[1:]
    deletion_cancelled_from(scheduled, fresh)

    DataRequest.objects.update(due_at=timezone.now() - timedelta(days=1))
    call_command("process_privacy_requests")
    assert Order.objects.get(pk=order.pk).email == address
