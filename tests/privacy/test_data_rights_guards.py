"""Guards at the place where the irreversible thing happens, each proven on its own.

- Deleting an account needs the password typed again, even seconds after logging in, and
  a re-authentication older than the allowed window counts for nothing.
- An erasure run directly (a redelivered task, a second caller) is refused until it is due,
  whatever its caller checked.
"""

from datetime import timedelta

import pytest
from allauth.account import app_settings as allauth_settings
from django.urls import reverse
from django.utils import timezone

from privacy import data_requests
from privacy.models import DataRequest, DataRequestKind, DataRequestStatus
from shop.accounts.models import User
from tests.factories import PASSWORD, verified_user
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)

AUTHENTICATION_RECORDS = "account_authentication_methods"  # where allauth keeps when a password was typed


def log_in(client, user) -> None:
    assert client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}).status_code == 302


def reauthenticate(client) -> None:
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302


def age_authentications(client, seconds: float) -> None:
    session = client.session
    session[AUTHENTICATION_RECORDS] = [{**record, "at": record["at"] - seconds}
                                       for record in session[AUTHENTICATION_RECORDS]]
    session.save()


@pytest.mark.django_db
def test_deleting_an_account_right_after_logging_in_asks_for_the_password_again(client):
    user = verified_user()
    log_in(client, user)

    for response in (client.get(reverse("privacy:account_delete")), client.post(reverse("privacy:account_delete"))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not DataRequest.objects.exists()

    reauthenticate(client)
    assert client.post(reverse("privacy:account_delete")).status_code == 200
    assert DataRequest.objects.get().kind == DataRequestKind.ERASURE


@pytest.mark.django_db
def test_a_re_authentication_older_than_the_window_counts_for_nothing(client):
    user = verified_user()
    log_in(client, user)
    reauthenticate(client)
    age_authentications(client, allauth_settings.REAUTHENTICATION_TIMEOUT + 1)

    response = client.post(reverse("privacy:account_delete"))

    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not DataRequest.objects.exists()
    assert User.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_an_erasure_run_directly_before_it_is_due_erases_nothing(settings):
    settings.ERASURE_GRACE_DAYS = 14
    user = verified_user()
    erasure = data_requests.erasure_request(user_id=user.pk)

    assert data_requests.erasure_run(request_id=erasure.pk) == "not due"
    DataRequest.objects.filter(pk=erasure.pk).update(due_at=timezone.now() + timedelta(seconds=5))
    assert data_requests.erasure_run(request_id=erasure.pk) == "not due"  # five seconds early is early

    assert User.objects.filter(pk=user.pk).exists()
    assert DataRequest.objects.get(pk=erasure.pk).status == DataRequestStatus.SCHEDULED
    DataRequest.objects.filter(pk=erasure.pk).update(due_at=timezone.now() - timedelta(seconds=1))
    assert data_requests.erasure_run(request_id=erasure.pk) == "erased"
    assert not User.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_an_erasure_run_directly_before_it_is_confirmed_erases_nothing(settings):
    settings.ERASURE_GRACE_DAYS = 0
    user = verified_user()
    erasure = data_requests.erasure_request(user_id=user.pk)
    DataRequest.objects.filter(pk=erasure.pk).update(confirmed_at=None, status=DataRequestStatus.SCHEDULED)

    assert data_requests.erasure_run(request_id=erasure.pk) == "not due"
    assert User.objects.filter(pk=user.pk).exists()

