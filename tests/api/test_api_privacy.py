"""Consent, download my data and delete my account through the API: one's own only."""

import io
import zipfile

import pytest

from primitives.subjects import Subject
from privacy.models import DataRequest, DataRequestStatus
from privacy.purposes import MARKETING, PERSONALIZATION
from privacy.selectors import consent_state
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_consent_is_read_and_changed_for_oneself_only(alice_api, bob_api, alice, bob):
    before = alice_api.get("/api/v1/privacy/consent/").json()
    assert before["decided"] is False and before["purposes"][PERSONALIZATION] is False

    changed = alice_api.put("/api/v1/privacy/consent/", {"purposes": {PERSONALIZATION: True}}, format="json")
    assert changed.status_code == 200 and changed.json()["purposes"][PERSONALIZATION] is True
    assert consent_state(subject=Subject.for_user(alice)).granted(PERSONALIZATION)
    assert not consent_state(subject=Subject.for_user(bob)).granted(PERSONALIZATION)
    assert bob_api.get("/api/v1/privacy/consent/").json()["purposes"][PERSONALIZATION] is False


@pytest.mark.parametrize("payload, message", [
    ({"purposes": {"necessary": False}}, "Unknown purposes: necessary."),
    ({"purposes": {PERSONALIZATION: "yes"}}, "Must be a valid boolean."),
    ({"purposes": {}}, "This dictionary may not be empty."),
    ({"purposes": [PERSONALIZATION]}, 'Expected a dictionary of items but got type "list".'),
])
def test_bad_consent_changes_are_refused_and_change_nothing(alice_api, alice, payload, message):
    response = alice_api.put("/api/v1/privacy/consent/", payload, format="json")
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
    assert "purposes" in response.json()["error"]["fields"]
    assert not consent_state(subject=Subject.for_user(alice)).decided


def test_data_requests_need_authentication(api):
    for path in ("/api/v1/privacy/export/", "/api/v1/privacy/erasure/"):
        assert api.get(path).status_code == 401


def test_a_token_cart_visitor_consents_and_only_then_their_views_are_stored(api, django_capture_on_commit_callbacks):
    from personalization.recommendations.models import BehaviourEvent
    from tests.factories import ProductFactory

    lantern = ProductFactory()
    token = api.post("/api/v1/cart/").json()["cart_token"]
    other = api.post("/api/v1/cart/").json()["cart_token"]
    with django_capture_on_commit_callbacks(execute=True):
        api.get(f"/api/v1/products/{lantern.slug}/", HTTP_X_CART_TOKEN=token)
    assert not BehaviourEvent.objects.exists()

    changed = api.put("/api/v1/privacy/consent/", {"purposes": {PERSONALIZATION: True}}, format="json",
                      HTTP_X_CART_TOKEN=token)
    assert changed.json()["purposes"][PERSONALIZATION] is True
    assert api.get("/api/v1/privacy/consent/", HTTP_X_CART_TOKEN=other).json()["purposes"][PERSONALIZATION] is False
    with django_capture_on_commit_callbacks(execute=True):
        api.get(f"/api/v1/products/{lantern.slug}/", HTTP_X_CART_TOKEN=token)
        api.get(f"/api/v1/products/{lantern.slug}/", HTTP_X_CART_TOKEN=other)
    assert [event.visitor_id.hex for event in BehaviourEvent.objects.all()] == [token]


def test_a_browser_visitor_s_consent_is_the_banner_s(client):
    changed = client.put("/api/v1/privacy/consent/", {"purposes": {PERSONALIZATION: True}},
                         content_type="application/json")
    assert changed.status_code == 200 and changed.json()["purposes"][PERSONALIZATION] is True
    assert client.get("/api/v1/privacy/consent/").json()["purposes"][PERSONALIZATION] is True
    assert "attuned_consent" in changed.cookies  # the same cookie the banner sets


def test_export_needs_the_password_and_only_its_owner_downloads_it(alice_api, bob_api, alice,
                                                                   django_capture_on_commit_callbacks):
    wrong = alice_api.post("/api/v1/privacy/export/", {"password": "not it"}, format="json")
    assert wrong.status_code == 403 and not DataRequest.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        asked = alice_api.post("/api/v1/privacy/export/", {"password": PASSWORD}, format="json")
    assert asked.status_code == 202, asked.content
    status = alice_api.get("/api/v1/privacy/export/").json()
    assert status["status"] == DataRequestStatus.DONE and status["download_url"]

    download = alice_api.get(status["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    assert any("alice@example.com" in archive.read(name).decode("utf-8", "ignore") for name in archive.namelist())

    assert bob_api.get("/api/v1/privacy/export/").status_code == 404
    stolen = bob_api.get(status["download_url"])
    assert stolen.status_code == 404 and stolen.json()["error"]["message"].startswith("This download link is not")


def test_erasure_is_scheduled_and_cancelled_by_its_owner_only(alice_api, bob_api, alice,
                                                              django_capture_on_commit_callbacks):
    alice_api.put("/api/v1/privacy/consent/", {"purposes": {PERSONALIZATION: True, MARKETING: True}}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = alice_api.post("/api/v1/privacy/erasure/", {"password": PASSWORD}, format="json")
    assert scheduled.status_code == 202
    assert scheduled.json()["status"] == DataRequestStatus.SCHEDULED and scheduled.json()["due_at"]
    # Personalization and marketing stop at once.
    assert alice_api.get("/api/v1/privacy/consent/").json()["purposes"] == {
        purpose: False for purpose in alice_api.get("/api/v1/privacy/consent/").json()["purposes"]}

    assert bob_api.get("/api/v1/privacy/erasure/").status_code == 404
    assert bob_api.delete("/api/v1/privacy/erasure/").status_code == 404
    assert DataRequest.objects.get().status == DataRequestStatus.SCHEDULED

    cancelled = alice_api.delete("/api/v1/privacy/erasure/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == DataRequestStatus.CANCELLED
    assert alice_api.get("/api/v1/privacy/erasure/").status_code == 404


def test_erasure_without_the_password_changes_nothing(alice_api, alice):
    response = alice_api.post("/api/v1/privacy/erasure/", {}, format="json")
    assert response.status_code == 400 and response.json()["error"]["fields"] == {
        "password": ["This field is required."]}
    assert not DataRequest.objects.exists()


def test_exports_and_erasures_are_throttled(alice_api, throttle_rates):
    throttle_rates(export="2/day")
    codes = [alice_api.post("/api/v1/privacy/export/", {"password": "wrong"}, format="json").status_code
             for _ in range(3)]
    assert codes == [403, 403, 429]
    assert alice_api.get("/api/v1/privacy/export/").status_code == 404  # reading is not held back


def test_api_tokens_are_in_the_export_without_their_key_and_go_with_the_account(
        alice_api, alice, django_capture_on_commit_callbacks):
    from privacy import data_requests
    from shop.accounts.api.tokens import api_token_create
    from shop.accounts.models import ApiToken

    new = api_token_create(user_id=alice.pk, name="Kitchen tablet")
    with django_capture_on_commit_callbacks(execute=True):
        alice_api.post("/api/v1/privacy/export/", {"password": PASSWORD}, format="json")
    archive = zipfile.ZipFile(io.BytesIO(alice_api.get(alice_api.get("/api/v1/privacy/export/").json()
                                                       ["download_url"]).content))
    text = "".join(archive.read(name).decode("utf-8", "ignore") for name in archive.namelist())
    assert "Kitchen tablet" in text and new.token.prefix in text and new.key not in text

    erasure = data_requests.erasure_request(user_id=alice.pk)
    DataRequest.objects.filter(pk=erasure.pk).update(due_at=erasure.created_at)
    with django_capture_on_commit_callbacks(execute=True):
        data_requests.erasure_run(request_id=erasure.pk)
    assert not ApiToken.objects.exists()
