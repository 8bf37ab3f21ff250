"""Download my data and delete my account: a person who leaves nothing behind.

A person with a distinctive name, e-mail, phone and address consents, browses, orders
as a guest, then signs up and orders again, downloads their data and deletes the
account. Afterwards none of those strings is in any column of any table (encrypted
columns read decrypted, blind indexes recomputed and searched, JSON included), in the
cache or in the logs, while both orders remain with their amounts.
"""

import hashlib
import io
import json
import logging
import re
import zipfile
from decimal import Decimal
from html import unescape

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from primitives.encrypted_fields import blind_index
from privacy.models import AuditEntry, ConsentRecord, DataRequest, DataRequestStatus
from shop.accounts.models import User
from shop.orders.models import Order, OrderStatus
from shop.orders.services import guest_order_links_request, order_status_change
from shop.payments.models import Payment
from tests.factories import PASSWORD, ProductFactory, UserFactory, verified_user
from tests.fixtures import log_in
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)
from tests.privacy.traces import cache_holding, rows_holding
from tests.shop.checkout_helpers import checkout_to_review, pay

NAME = "Zephyrine Quillfeather"
EMAIL = "zephyrine.quillfeather@example.org"
PHONE = "+44 7700 912345"
LINE1 = "17 Marigold Wharf"
CITY = "Thistlebury"
POSTCODE = "QX9 8ZZ"
PERSON = {"email": EMAIL, "full_name": NAME, "phone": PHONE, "line1": LINE1, "city": CITY, "postcode": POSTCODE}
STRINGS = [NAME, EMAIL, PHONE, LINE1, CITY, POSTCODE, "Quillfeather", "zephyrine"]


def traces_of_the_person() -> list[str]:
    """Every form the person's data could take at rest: plain, blind-indexed or hashed."""
    traces = [s.lower() for s in STRINGS]
    traces += [blind_index(EMAIL), blind_index(PHONE, normaliser="phone"), blind_index(NAME, normaliser="text"),
               hashlib.sha256(EMAIL.encode()).hexdigest()]
    return traces


def rows_naming_the_person() -> list[str]:
    return rows_holding(traces_of_the_person())


def cache_naming_the_person() -> list[str]:
    return cache_holding(traces_of_the_person())


def reauthenticate(client) -> None:
    # Downloading or deleting needs the password typed again (allauth's reauthentication).
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


@pytest.fixture
def person_with_history(client, django_capture_on_commit_callbacks):
    """Consents, browses and orders as a guest; then has an account and orders again."""
    lamp = ProductFactory(title="Brass lamp", price=Decimal("30.00"), variant__stock=10)
    kettle = ProductFactory(title="Copper kettle", price=Decimal("45.00"), variant__stock=10)
    client.post(reverse("privacy:consent"), {"action": "accept_all", "source": "banner"})
    client.get(reverse("storefront:product", kwargs={"slug": lamp.slug}))
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, checkout_to_review(client, lamp, address=PERSON))
    guest_order = Order.objects.get(user__isnull=True)

    user = verified_user(email=EMAIL)
    log_in(client, EMAIL)
    client.get(reverse("storefront:product", kwargs={"slug": kettle.slug}))
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, checkout_to_review(client, kettle, address=PERSON))
    account_order = Order.objects.get(user=user)
    # Traces left elsewhere: a staff member edited the account in the admin (the log copies its
    # name, the e-mail), the person asked for links to their guest orders, and a mistyped password
    # left a login-throttle entry keyed by a hash of the address.
    staff = UserFactory(is_staff=True)
    LogEntry.objects.create(user=staff, content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk),
                            object_repr=str(user), action_flag=CHANGE, change_message="[]")
    with django_capture_on_commit_callbacks(execute=True):
        guest_order_links_request(email=EMAIL)
    cache.set(f"allauth:rl:account:login_failed:10/5m/key:{hashlib.sha256(EMAIL.encode()).hexdigest()}", [1.0], 300)
    return user, guest_order, account_order


def ship(order: Order) -> None:
    order_status_change(order_id=order.pk, to_status=OrderStatus.SHIPPED, note=f"By {EMAIL} in the admin")


@pytest.mark.django_db
def test_the_export_holds_both_orders_the_consent_history_and_the_events(
        client, person_with_history, django_capture_on_commit_callbacks):
    user, guest_order, account_order = person_with_history
    someone_else = Order.objects.create(number="OTHER-1", currency="GBP", total=Decimal("9.99"),
                                        placed_at=guest_order.placed_at, email="other@example.org")

    assert client.post(reverse("privacy:account_export"))["Location"].startswith(reverse("account_reauthenticate"))
    assert not DataRequest.objects.exists()
    reauthenticate(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:account_export"))
    assert response.status_code == 302 and response["Location"] == reverse("privacy:account")
    page = unescape(client.get(reverse("privacy:account")).content.decode())
    link = re.search(r'href="(/privacy/download/[^"]+)"', page).group(1)
    download = client.get(link)

    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    document = json.loads(archive.read("data.json"))
    assert document["schema_version"] == 3
    sections = document["sections"]
    numbers = {row["number"] for row in sections["orders.Order"]["rows"]}
    assert numbers == {guest_order.number, account_order.number}  # nobody else's
    assert someone_else.number not in archive.read("data.json").decode()
    assert {row["full_name"] for row in sections["checkout.Address"]["rows"]} == {NAME}
    assert {row["order"] for row in sections["payments.Payment"]["rows"]} == {guest_order.pk, account_order.pk}
    assert sections["accounts.User"]["rows"][0]["password"] == "(set, not exported)"
    purposes = {(row["purpose"], row["granted"]) for row in sections["privacy.ConsentRecord"]["rows"]}
    assert ("personalization", True) in purposes
    if apps.is_installed("personalization"):
        assert sections["recommendations.BehaviourEvent"]["rows"], "the browsing is in the export"
    html = archive.read("index.html").decode()
    assert NAME in html and account_order.number in html and "<script" not in html
    assert AuditEntry.objects.filter(action="export_downloaded").count() == 1


@pytest.mark.django_db
def test_after_deletion_nothing_names_the_person_and_the_orders_keep_their_amounts(
        client, person_with_history, django_capture_on_commit_callbacks, settings, caplog):
    caplog.set_level(logging.DEBUG)
    settings.ERASURE_GRACE_DAYS = 0
    user, guest_order, account_order = person_with_history
    totals = {guest_order.number: guest_order.total, account_order.number: account_order.total}
    assert rows_naming_the_person(), "the scan finds the person before the deletion"
    assert cache_naming_the_person(), "and in the cache"
    browsers = set(ConsentRecord.objects.filter(visitor_id__isnull=False).values_list("visitor_id", flat=True))
    reauthenticate(client)

    with django_capture_on_commit_callbacks(execute=True):
        confirm = unescape(client.get(reverse("privacy:account_delete")).content.decode())
        assert f"Order {guest_order.number} is still being fulfilled" in confirm  # said before, not hidden
        assert f"Order {account_order.number} is still being fulfilled" in confirm
        scheduled = client.post(reverse("privacy:account_delete"))
    assert scheduled.status_code == 200 and "cancel the deletion" in scheduled.content.decode()
    assert not client.get(reverse("privacy:consent")).context["privacy_consent"].state.granted("personalization")

    call_command("process_privacy_requests")  # both orders are still paid: the erasure waits
    erasure = DataRequest.objects.get(kind="erasure")
    assert erasure.status == DataRequestStatus.SCHEDULED and "still being fulfilled" in erasure.blocked_reason
    assert User.objects.filter(pk=user.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        ship(guest_order)
        ship(account_order)
        call_command("process_privacy_requests")
        call_command("process_privacy_requests")  # a second run finds nothing more to do

    assert not User.objects.filter(pk=user.pk).exists()
    erasure.refresh_from_db()
    assert erasure.status == DataRequestStatus.DONE and erasure.user_id is None
    orders = {order.number: order for order in Order.objects.filter(number__in=totals)}
    assert {number: order.total for number, order in orders.items()} == totals
    assert all(order.shipping_country == "GB" and order.invoice_number and order.lines.exists()
               for order in orders.values())
    for snapshot in Payment.objects.filter(order__number__in=totals).values_list("snapshot", flat=True):
        assert (snapshot["user_id"], snapshot["address_id"], snapshot["subject"]) == (
            None, None, {"user_id": None, "visitor_key": None})
        assert snapshot["total"] in {str(total) for total in totals.values()}
    assert not ConsentRecord.objects.filter(visitor_id__in=browsers).exists()  # the browser they asked from
    assert rows_naming_the_person() == []
    assert cache_naming_the_person() == []
    assert not [trace for trace in traces_of_the_person() if trace in caplog.text.lower()]
    assert LogEntry.objects.filter(object_id=str(user.pk)).get().object_repr == "[erased]"  # the change stays
    actions = list(AuditEntry.objects.filter(request=erasure).order_by("at", "id").values_list("action", flat=True))
    assert actions == ["erasure_requested", "erasure_delayed", "erasure_done"]
