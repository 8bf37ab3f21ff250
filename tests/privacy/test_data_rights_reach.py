"""A person is everything that points to them: every browser they used reaches their export and erasure.

One person, across two browsers: in the first, as an anonymous visitor, they accept the
banner, browse, and order as a guest; then they sign up there and order again. In a
second browser they refuse the banner, put something in a cart, and log in. They ask
from a third. Their export must hold both browsers' consent decisions, and their erasure must leave no
consent record, cart or session of either browser, and none of their strings or ids in
any table, the cache or the logs.

A guest who refused the banner and checked out, then asks from another browser to be
erased, likewise leaves nothing under the browser they ordered from.
"""

import io
import json
import logging
import re
import uuid
import zipfile
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from primitives.subjects import SESSION_KEY
from privacy.models import ConsentRecord, DataRequest, DataRequestStatus, VisitorLink
from shop.cart.models import Cart
from shop.checkout.models import Checkout
from shop.orders.models import Order, OrderStatus
from shop.orders.services import order_status_change
from tests.factories import PASSWORD, ProductFactory, verified_user
from tests.fixtures import log_in
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)
from tests.privacy.traces import cache_holding, rows_holding
from tests.shop.checkout_helpers import add_to_cart, checkout_to_review, pay

NAME = "Ottoline Brackenridge"
EMAIL = "ottoline.brackenridge@example.org"
ADDRESS = {"email": EMAIL, "full_name": NAME, "phone": "+44 7700 934561", "line1": "3 Juniper Staithe",
           "city": "Wendlecombe", "postcode": "WX4 7QT"}


def visitor_of(client: Client) -> uuid.UUID:
    """The visitor id the browser's session holds."""
    return uuid.UUID(hex=client.session[SESSION_KEY])


def id_traces(visitor_ids: set[uuid.UUID], session_keys: set[str]) -> list[str]:
    return [form for visitor_id in visitor_ids for form in (visitor_id.hex, str(visitor_id))] + \
        [key.lower() for key in session_keys]


def string_traces() -> list[str]:
    return [value.lower() for key, value in ADDRESS.items()] + ["brackenridge"]


def ship(order: Order) -> None:
    order_status_change(order_id=order.pk, to_status=OrderStatus.SHIPPED, note="Shipped")


@pytest.fixture
def person_in_two_browsers(django_capture_on_commit_callbacks):
    lamp = ProductFactory(title="Pewter lamp", price=Decimal("30.00"), variant__stock=10)
    kettle = ProductFactory(title="Enamel kettle", price=Decimal("45.00"), variant__stock=10)
    first, second = Client(), Client()

    first.post(reverse("privacy:consent"), {"action": "accept_all", "source": "banner"})
    first.get(reverse("storefront:product", kwargs={"slug": lamp.slug}))
    first_browser = visitor_of(first)
    with django_capture_on_commit_callbacks(execute=True):
        pay(first, checkout_to_review(first, lamp, address=ADDRESS))
    user = verified_user(email=EMAIL)
    log_in(first, EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        pay(first, checkout_to_review(first, kettle, address=ADDRESS))

    second.post(reverse("privacy:consent"), {"action": "reject_all", "source": "banner"})
    add_to_cart(second, lamp)
    second_browser = visitor_of(second)
    session_keys = {first.session.session_key, second.session.session_key}
    log_in(second, EMAIL)
    session_keys.add(second.session.session_key)
    # They ask from a third browser, which never did anything before logging in: only what
    # logging in recorded leads from the account to the second browser.
    third = Client()
    log_in(third, EMAIL)
    return user, third, (first_browser, second_browser), session_keys


@pytest.mark.django_db
def test_logging_in_links_the_browser_once(person_in_two_browsers):
    user, _, browsers, _ = person_in_two_browsers
    assert sorted(VisitorLink.objects.filter(user=user).values_list("visitor_id", flat=True)) == sorted(browsers)


@pytest.mark.django_db
def test_the_export_holds_the_consent_decisions_of_every_browser_the_person_used(
        person_in_two_browsers, django_capture_on_commit_callbacks):
    user, browser, browsers, _ = person_in_two_browsers
    stranger = Client()
    stranger.post(reverse("privacy:consent"), {"action": "accept_all", "source": "banner"})
    stranger.get("/")

    browser.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(reverse("privacy:account_export"))
    page = unescape(browser.get(reverse("privacy:account")).content.decode())
    link = re.search(r'href="(/privacy/download/[^"]+)"', page).group(1)
    document = json.loads(zipfile.ZipFile(io.BytesIO(browser.get(link).content)).read("data.json"))

    records = document["sections"]["privacy.ConsentRecord"]["rows"]
    exported = {(row["visitor_id"], row["source"], row["granted"]) for row in records if row["visitor_id"]}
    first_browser, second_browser = browsers
    assert (str(first_browser), "banner", True) in exported, "the proof of consent given in the banner"
    assert (str(second_browser), "banner", False) in exported, "the refusal in the second browser"
    assert {row["visitor_id"] for row in records if row["visitor_id"]} == {str(b) for b in browsers}
    assert {row["user"] for row in records if row["user"]} == {user.pk}


@pytest.mark.django_db
def test_after_erasure_no_browser_of_the_person_keeps_anything(
        person_in_two_browsers, django_capture_on_commit_callbacks, settings, caplog):
    caplog.set_level(logging.DEBUG)
    settings.ERASURE_GRACE_DAYS = 0
    user, browser, browsers, session_keys = person_in_two_browsers
    traces = string_traces() + id_traces(set(browsers), session_keys)
    assert ConsentRecord.objects.filter(visitor_id__in=browsers).count() >= 4
    assert rows_holding(traces), "the scan finds the person before the erasure"
    stranger = Client()
    stranger.post(reverse("privacy:consent"), {"action": "accept_all", "source": "banner"})
    add_to_cart(stranger, ProductFactory(variant__stock=3))

    browser.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(reverse("privacy:account_delete"))
        for order in Order.objects.filter(status=OrderStatus.PAID):
            ship(order)
        call_command("process_privacy_requests")

    assert DataRequest.objects.get(kind="erasure").status == DataRequestStatus.DONE
    assert not ConsentRecord.objects.filter(visitor_id__in=browsers).exists()
    assert not Cart.objects.filter(visitor_key__in=[b.hex for b in browsers]).exists()
    assert not Session.objects.filter(session_key__in=session_keys).exists()
    assert not VisitorLink.objects.exists()
    assert rows_holding(traces) == []
    assert cache_holding(traces) == []
    assert not [trace for trace in traces if trace in caplog.text.lower()]
    # Someone else's browser is untouched, and both orders keep their amounts.
    assert ConsentRecord.objects.filter(visitor_id=visitor_of(stranger)).exists()
    assert Cart.objects.filter(visitor_key=visitor_of(stranger).hex).exists()
    assert Session.objects.filter(session_key=stranger.session.session_key).exists()
    assert Order.objects.filter(total__gt=0).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("checkout_purged", [False, True], ids=["checkout kept", "checkout purged"])
def test_a_guest_who_refused_the_banner_and_ordered_is_erased_from_that_browser_too(
        django_capture_on_commit_callbacks, settings, checkout_purged):
    settings.ERASURE_GRACE_DAYS = 0
    lamp = ProductFactory(title="Tin lamp", price=Decimal("12.00"), variant__stock=5)
    shopping, asking = Client(), Client()
    shopping.post(reverse("privacy:consent"), {"action": "reject_all", "source": "banner"})
    with django_capture_on_commit_callbacks(execute=True):
        pay(shopping, checkout_to_review(shopping, lamp, address=ADDRESS))
    browser = visitor_of(shopping)
    traces = string_traces() + id_traces({browser}, {shopping.session.session_key})
    assert ConsentRecord.objects.filter(visitor_id=browser).exists()
    assert Cart.objects.filter(visitor_key=browser.hex).exists()
    assert Session.objects.filter(session_key=shopping.session.session_key).exists()
    if checkout_purged:  # checkouts go after 30 days; the order's payment still names the browser
        Checkout.objects.all().delete()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        asking.post(reverse("privacy:guest_request"), {"email": EMAIL, "kind": "erasure"})
    confirm = re.search(r"https?://[^/\s]+(/privacy/requests/[^\s]+/)", mail.outbox[-1].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        asking.post(confirm)
        ship(Order.objects.get())
        call_command("process_privacy_requests")

    assert DataRequest.objects.get(kind="erasure").status == DataRequestStatus.DONE
    assert not ConsentRecord.objects.filter(visitor_id=browser).exists()
    assert not Cart.objects.filter(visitor_key=browser.hex).exists()
    assert not Session.objects.filter(session_key=shopping.session.session_key).exists()
    assert rows_holding(traces) == []
    assert Order.objects.get().total == Decimal("12.00") + Order.objects.get().shipping_total
