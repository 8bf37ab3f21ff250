"""Data requests under bad input: links replayed, forged, expired or someone else's; a cancelled
request processed again; an erasure while an export is built; too many requests. Each is
refused clearly and changes nothing. And guests: only through the e-mailed link."""

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from privacy import data_requests, guest_requests, request_links
from privacy.models import (
    AuditEntry,
    DataRequest,
    DataRequestKind,
    DataRequestStatus,
    ExportArchive,
)
from privacy.views import GUEST_REQUEST_SENT_MESSAGE
from shop.accounts.models import User
from shop.orders.models import Order, OrderStatus
from tests.factories import PASSWORD, OrderFactory, UserFactory, verified_user
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)


def signed_in(client, user) -> None:
    assert client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}).status_code == 302
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302


def export_ready(client, user, callbacks) -> str:
    """Ask for an export as the user and return the download path the page shows."""
    with callbacks(execute=True):
        client.post(reverse("privacy:account_export"))
    html = client.get(reverse("privacy:account")).content.decode()
    return re.search(r'href="(/privacy/download/[^"]+)"', html).group(1)


@pytest.mark.django_db
def test_a_download_link_works_only_for_its_owner_and_only_until_it_expires(
        client, django_capture_on_commit_callbacks):
    owner, other = verified_user(), verified_user()
    OrderFactory(user=owner, status=OrderStatus.SHIPPED)
    signed_in(client, owner)
    link = export_ready(client, owner, django_capture_on_commit_callbacks)
    assert client.get(link).status_code == 200

    intruder = client.__class__()
    signed_in(intruder, other)
    assert intruder.get(link).status_code == 404  # someone else's data: not even whether it exists
    assert client.__class__().get(link).status_code == 404  # logged out
    forged = link.replace("/download/", "/download/x")
    assert client.get(forged).status_code == 404
    token = link.split("/")[-2]
    payload = signing.loads(token, salt=request_links.DOWNLOAD_SALT)
    assert client.get(reverse("privacy:download", args=[signing.dumps({**payload, "r": payload["r"] + 1},
                                                                      salt="wrong-salt")])).status_code == 404

    request = DataRequest.objects.get(kind=DataRequestKind.EXPORT)
    assert request.file_expires_at - request.completed_at == timedelta(days=7)
    DataRequest.objects.filter(pk=request.pk).update(file_expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(link).status_code == 410
    call_command("process_privacy_requests")
    assert not ExportArchive.objects.exists()  # the file is gone once it expired
    request.refresh_from_db()
    assert request.status == DataRequestStatus.EXPIRED
    assert client.get(link).status_code == 410


@pytest.mark.django_db
def test_at_most_three_exports_a_day(client, django_capture_on_commit_callbacks):
    user = verified_user()
    signed_in(client, user)
    for _ in range(3):
        export_ready(client, user, django_capture_on_commit_callbacks)

    response = client.post(reverse("privacy:account_export"))

    assert response.status_code == 429 and "3 times a day" in response.content.decode()
    assert DataRequest.objects.filter(kind=DataRequestKind.EXPORT).count() == 3


@pytest.mark.django_db
def test_an_erasure_while_an_export_is_being_built_is_refused_and_changes_nothing(client):
    user = verified_user()
    signed_in(client, user)
    client.post(reverse("privacy:account_export"))  # queued after commit, never run here: still being built

    response = client.post(reverse("privacy:account_delete"))

    assert response.status_code == 409 and "being prepared" in response.content.decode()
    assert not DataRequest.objects.filter(kind=DataRequestKind.ERASURE).exists()


@pytest.mark.django_db
def test_a_cancelled_erasure_is_never_carried_out_and_its_link_cannot_be_used_again(client, settings):
    settings.ERASURE_GRACE_DAYS = 0
    user = verified_user()
    signed_in(client, user)
    page = client.post(reverse("privacy:account_delete")).content.decode()
    cancel = re.search(r'href="(/privacy/delete/cancel/[^"]+)"', page).group(1)

    assert client.post(cancel).status_code == 200
    call_command("process_privacy_requests")
    call_command("process_privacy_requests")

    assert User.objects.filter(pk=user.pk).exists()
    assert DataRequest.objects.get().status == DataRequestStatus.CANCELLED
    again = client.post(cancel)
    assert again.status_code == 409 and "already cancelled" in again.content.decode()
    assert client.post(cancel.replace("/cancel/", "/cancel/x")).status_code == 404


@pytest.mark.django_db
def test_a_deletion_link_used_after_the_erasure_says_so(client, settings, django_capture_on_commit_callbacks):
    settings.ERASURE_GRACE_DAYS = 0
    user = verified_user()
    signed_in(client, user)
    page = client.post(reverse("privacy:account_delete")).content.decode()
    cancel = re.search(r'href="(/privacy/delete/cancel/[^"]+)"', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("process_privacy_requests")

    response = client.__class__().post(cancel)

    assert response.status_code == 410 and "already been carried out" in response.content.decode()
    assert not User.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_the_grace_period_holds_the_erasure_back(client, settings):
    settings.ERASURE_GRACE_DAYS = 14
    user = verified_user()
    signed_in(client, user)
    client.post(reverse("privacy:account_delete"))

    call_command("process_privacy_requests")
    assert User.objects.filter(pk=user.pk).exists()
    erasure = DataRequest.objects.get()
    assert erasure.due_at - erasure.created_at == timedelta(days=14)
    DataRequest.objects.filter(pk=erasure.pk).update(due_at=timezone.now() - timedelta(seconds=1))  # 14 days on
    call_command("process_privacy_requests")
    assert not User.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_guest_orders_count_as_an_accounts_only_under_a_verified_address(client, django_capture_on_commit_callbacks):
    OrderFactory(user=None, email="someone@example.org", number="GUEST-1", status=OrderStatus.SHIPPED)
    squatter = UserFactory(email="someone@example.org")  # signed up with that address, never confirmed it
    squatter.save()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=squatter, email=squatter.email, verified=False, primary=True)
    request = data_requests.export_request(user_id=squatter.pk)
    data_requests.export_build(request_id=request.pk)

    import io
    import zipfile

    request.refresh_from_db()
    from primitives.encrypted_fields import decrypt_bytes

    archive = zipfile.ZipFile(io.BytesIO(decrypt_bytes(bytes(request.archive.data))))
    assert "GUEST-1" not in archive.read("data.json").decode()
    assert Order.objects.get(number="GUEST-1").user_id is None


# --- Guests ------------------------------------------------------------------------------

def fresh_address(name: str) -> str:
    # The hourly limit per address is kept in the cache, which outlives a test run on Redis.
    return f"{name}-{uuid.uuid4().hex[:10]}@example.org"


class TwoDaysAgoSigner(signing.TimestampSigner):
    def timestamp(self):
        return signing.b62_encode(int(timezone.now().timestamp()) - 2 * 24 * 60 * 60)


def confirm_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/privacy/requests/\S+/)", message.body).group(1)


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    def post(email: str, kind: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("privacy:guest_request"), {"email": email, "kind": kind}, follow=True)
    return post


@pytest.mark.django_db
def test_a_guest_gets_their_data_only_through_the_e_mailed_link(client, ask, django_capture_on_commit_callbacks):
    email = fresh_address("guest-export")
    mine = OrderFactory(user=None, email=email, number="G-MINE", status=OrderStatus.SHIPPED)
    OrderFactory(user=None, email="another@example.org", number="G-OTHER")

    answer = ask(email.upper(), "export")
    unknown = ask("nobody-here@example.org", "export")

    assert GUEST_REQUEST_SENT_MESSAGE in answer.content.decode()
    assert GUEST_REQUEST_SENT_MESSAGE in unknown.content.decode()  # the same words: nothing given away
    [message] = mail.outbox
    assert message.to == [email]
    request = DataRequest.objects.get()
    assert request.status == DataRequestStatus.AWAITING_CONFIRMATION and not ExportArchive.objects.exists()
    link = confirm_link(message)
    assert "Confirm" in client.get(link).content.decode()
    assert DataRequest.objects.get().status == DataRequestStatus.AWAITING_CONFIRMATION  # a GET starts nothing

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(link).status_code == 200
    replay = client.post(link)
    assert replay.status_code == 410 and "already been used" in replay.content.decode()

    ready = mail.outbox[1]
    assert ready.to == [email]
    download = re.search(r"https?://[^/\s]+(/privacy/download/\S+/)", ready.body).group(1)
    response = client.__class__().get(download)
    import io
    import zipfile

    data = zipfile.ZipFile(io.BytesIO(response.content)).read("data.json").decode()
    assert mine.number in data and "G-OTHER" not in data and "another@example.org" not in data


@pytest.mark.django_db
def test_a_guest_erasure_runs_only_after_the_link_and_keeps_the_order_amounts(
        client, ask, settings, django_capture_on_commit_callbacks):
    settings.ERASURE_GRACE_DAYS = 0
    email = fresh_address("guest-erase")
    order = OrderFactory(user=None, email=email, status=OrderStatus.DELIVERED, total=Decimal("12.34"))

    ask(email, "erasure")
    call_command("process_privacy_requests")
    assert Order.objects.get(pk=order.pk).email == email  # nothing erased before the link is used

    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm_link(mail.outbox[0]))
        call_command("process_privacy_requests")

    order.refresh_from_db()
    assert (order.email, order.email_index, order.total) == (None, None, Decimal("12.34"))
    assert AuditEntry.objects.filter(action="erasure_done").exists()


@pytest.mark.django_db
def test_a_forged_or_expired_guest_link_is_refused(client, ask):
    email = fresh_address("guest-late")
    OrderFactory(user=None, email=email)
    ask(email, "export")
    link = confirm_link(mail.outbox[0])

    assert client.post(link.replace("/requests/", "/requests/x")).status_code == 404
    request = DataRequest.objects.get()
    two_days_ago = TwoDaysAgoSigner(salt=request_links.CONFIRM_SALT).sign_object(
        {"r": request.pk, "p": request.pseudonym.hex}, compress=True)
    response = client.post(reverse("privacy:guest_confirm", args=[two_days_ago]))
    assert response.status_code == 404 and "expired" in response.content.decode()
    assert DataRequest.objects.get().status == DataRequestStatus.AWAITING_CONFIRMATION


@pytest.mark.django_db
def test_the_guest_form_is_throttled_per_address(ask):
    email = fresh_address("guest-throttled")
    OrderFactory(user=None, email=email)
    for _ in range(5):
        ask(email, "export")
    assert len(mail.outbox) == guest_requests.GUEST_REQUESTS_PER_HOUR


@pytest.mark.django_db
def test_bad_guest_input_gets_a_form_error(client):
    response = client.post(reverse("privacy:guest_request"), {"email": "not an address", "kind": "everything"})
    assert response.status_code == 400
    assert "like name@example.com" in response.content.decode()
    assert not DataRequest.objects.exists()


@pytest.mark.django_db
def test_subject_erased_is_sent_once_the_erasure_has_committed(settings, django_capture_on_commit_callbacks):
    from primitives.subjects import Subject
    from privacy.signals import subject_erased

    settings.ERASURE_GRACE_DAYS = 0
    user = verified_user()
    received = []
    subject_erased.connect(lambda sender, subject, **kw: received.append(subject), dispatch_uid="test-erased",
                           weak=False)
    try:
        data_requests.erasure_request(user_id=user.pk)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert data_requests.erasure_run(request_id=DataRequest.objects.get().pk) == "erased"
        assert received == []  # nothing before the commit
        for callback in callbacks:
            callback()
    finally:
        subject_erased.disconnect(dispatch_uid="test-erased")
    assert received == [Subject.for_user(user)]
    assert str(received[0]) == f"user:{user.pk}"


@pytest.mark.django_db
def test_the_person_is_e_mailed_the_cancel_link_and_it_keeps_the_account(
        client, settings, django_capture_on_commit_callbacks):
    settings.ERASURE_GRACE_DAYS = 14
    user = verified_user()
    signed_in(client, user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:account_delete"))

    [message] = mail.outbox
    assert message.to == [user.email] and "Cancel the deletion" in message.body
    link = re.search(r"https?://[^/\s]+(/privacy/delete/cancel/\S+/)", message.body).group(1)
    assert client.__class__().post(link).status_code == 200  # works logged out, from the e-mail
    DataRequest.objects.update(due_at=timezone.now() - timedelta(days=1))
    call_command("process_privacy_requests")
    assert User.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_a_guest_request_reaches_only_orders_placed_without_an_account(client, ask, django_capture_on_commit_callbacks):
    email = fresh_address("shared-mailbox")
    OrderFactory(user=None, email=email, number="G-GUEST", status=OrderStatus.SHIPPED)
    holder = verified_user(email=email)
    OrderFactory(user=holder, email=email, number="G-ACCOUNT", status=OrderStatus.SHIPPED)

    ask(email, "export")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm_link(mail.outbox[0]))
    download = re.search(r"https?://[^/\s]+(/privacy/download/\S+/)", mail.outbox[1].body).group(1)
    import io
    import zipfile

    data = zipfile.ZipFile(io.BytesIO(client.get(download).content)).read("data.json").decode()
    assert "G-GUEST" in data and "G-ACCOUNT" not in data  # the account's orders are for its holder to ask


@pytest.mark.django_db
def test_an_erasure_deletes_the_export_file_and_its_link_stops_working(client, settings,
                                                                        django_capture_on_commit_callbacks):
    settings.ERASURE_GRACE_DAYS = 0
    user = verified_user()
    signed_in(client, user)
    link = export_ready(client, user, django_capture_on_commit_callbacks)
    assert ExportArchive.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:account_delete"))
        call_command("process_privacy_requests")

    assert not ExportArchive.objects.exists()
    assert client.__class__().get(link).status_code == 410
    assert not DataRequest.objects.filter(user__isnull=False).exists()


def subscriber_declares_its_consent_key() -> bool:
    from privacy.registry import declarations

    declaration = declarations().get("marketing.Subscriber")
    return declaration is not None and declaration.visitor_keys == "consent_key"


@pytest.mark.django_db
@pytest.mark.skipif(not subscriber_declares_its_consent_key(),
                    reason='marketing.Subscriber does not declare "visitor_keys": "consent_key" yet')
def test_a_newsletter_only_person_is_erased_with_the_consent_recorded_under_their_key(
        client, ask, settings, django_capture_on_commit_callbacks):
    from personalization.marketing.models import Subscriber
    from privacy.models import ConsentRecord

    settings.ERASURE_GRACE_DAYS = 0
    email = fresh_address("newsletter")
    subscriber = Subscriber.objects.create(email=email, created_at=timezone.now())
    ConsentRecord.objects.create(visitor_id=subscriber.consent_key, purpose="marketing", granted=True,
                                 notice_version="x", text_hash="0" * 64, source="settings", created_at=timezone.now())

    ask(email, "erasure")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm_link(mail.outbox[0]))
        call_command("process_privacy_requests")

    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()
    assert not ConsentRecord.objects.filter(visitor_id=subscriber.consent_key).exists()
