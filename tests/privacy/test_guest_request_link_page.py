"""The page a guest's e-mailed link opens: it says what pressing Confirm starts, or that the link can
no longer start anything, and opening it changes nothing (mail scanners open links)."""

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from primitives.encrypted_fields import blind_index
from privacy import guest_requests
from privacy.data_requests import (
    DataRequestRefused,
    data_request_new,
)
from privacy.models import DataRequest, DataRequestKind, DataRequestStatus
from privacy.request_links import CONFIRM_SALT, GUEST_LINK_MAX_AGE, confirm_token

ADDRESS = "perpetua.lindqvist@example.org"


def awaiting(kind: str) -> DataRequest:
    return data_request_new(kind=kind, status=DataRequestStatus.AWAITING_CONFIRMATION,
                            email_index=blind_index(ADDRESS))


def signed_seconds_ago(request: DataRequest, seconds: int) -> str:
    class Then(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(timezone.now().timestamp()) - seconds)

    return Then(salt=CONFIRM_SALT).sign_object({"r": request.pk, "p": request.pseudonym.hex}, compress=True)


def page(client, token: str):
    response = client.get(reverse("privacy:guest_confirm", args=[token]))
    return response, response.content.decode()


@pytest.mark.django_db
def test_an_export_link_says_a_copy_is_prepared_and_opening_it_starts_nothing(client):
    request = awaiting(DataRequestKind.EXPORT)

    response, html = page(client, confirm_token(request))

    assert response.status_code == 200
    assert "You asked for a copy of the data" in html and "delete" not in html.split("<main", 1)[1]
    assert '<button type="submit" class="button">Confirm</button>' in html
    assert DataRequest.objects.get(pk=request.pk).status == DataRequestStatus.AWAITING_CONFIRMATION


@pytest.mark.django_db
def test_a_deletion_link_says_what_is_deleted_and_when(client, settings):
    settings.ERASURE_GRACE_DAYS = 14
    request = awaiting(DataRequestKind.ERASURE)

    response, html = page(client, confirm_token(request))

    assert response.status_code == 200
    assert "You asked us to delete the data" in html and "after 14 days" in html
    assert DataRequest.objects.get(pk=request.pk).status == DataRequestStatus.AWAITING_CONFIRMATION


@pytest.mark.django_db
def test_a_used_link_says_so_before_anything_is_pressed(client):
    request = awaiting(DataRequestKind.EXPORT)
    DataRequest.objects.filter(pk=request.pk).update(status=DataRequestStatus.DONE)

    response, html = page(client, confirm_token(request))

    assert response.status_code == 410 and "already been used" in html and "<form method=\"post\">" not in html


@pytest.mark.django_db
def test_a_forged_link_is_refused_on_opening(client):
    response, html = page(client, signing.dumps({"r": 1, "p": "0" * 32}, salt="elsewhere"))

    assert response.status_code == 404 and "not valid or has expired" in html


@pytest.mark.django_db
def test_a_link_works_until_a_day_has_passed_and_not_after(client):
    request = awaiting(DataRequestKind.EXPORT)

    just_in_time, _ = page(client, signed_seconds_ago(request, GUEST_LINK_MAX_AGE - 5))
    too_late, html = page(client, signed_seconds_ago(request, GUEST_LINK_MAX_AGE + 5))

    assert just_in_time.status_code == 200
    assert too_late.status_code == 404 and "expired" in html


@pytest.mark.django_db
def test_the_read_refuses_a_used_link_whoever_calls_it():
    request = awaiting(DataRequestKind.ERASURE)
    DataRequest.objects.filter(pk=request.pk).update(status=DataRequestStatus.SCHEDULED)

    with pytest.raises(DataRequestRefused) as refused:
        guest_requests.guest_request_awaiting(token=confirm_token(request))

    assert refused.value.status == 410
