"""The privacy audit log: staff looks at customer details, and the admin's list of requests with deadlines."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from privacy import data_requests
from privacy.models import AuditEntry, DataRequest
from tests.factories import OrderFactory, UserFactory, verified_user
from tests.shop.test_admin import staff
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)


@pytest.mark.django_db
def test_staff_seeing_a_customers_decrypted_details_is_recorded_and_others_are_not(client):
    order = OrderFactory(user=None, email="looked-at@example.org")
    url = reverse("admin:orders_order_change", args=[order.pk])

    viewer = staff(client, "Order manager")
    assert "looked-at@example.org" in client.get(url).content.decode()
    client.logout()
    staff(client, permissions=["orders.view_order"])
    assert "looked-at@example.org" not in client.get(url).content.decode()

    [entry] = AuditEntry.objects.all()
    assert (entry.action, entry.actor_id, entry.detail) == ("customer_details_viewed", viewer.pk,
                                                            {"order_id": order.pk})


@pytest.mark.django_db
def test_the_admin_lists_requests_with_their_deadline_and_no_personal_data(admin_client):
    person = verified_user(email="requester@example.org")
    late = data_requests.erasure_request(user_id=person.pk)
    DataRequest.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(days=1))
    data_requests.export_request(user_id=verified_user().pk)

    page = admin_client.get(reverse("admin:privacy_datarequest_changelist")).content.decode()
    log = admin_client.get(reverse("admin:privacy_auditentry_changelist")).content.decode()

    assert "OVERDUE" in page and str(late.pseudonym) in page
    assert "requester@example.org" not in page and "requester@example.org" not in log
    assert "erasure_requested" in log and "export_requested" in log
    assert admin_client.get(reverse("admin:privacy_datarequest_change", args=[late.pk])).status_code == 200
    assert admin_client.post(reverse("admin:privacy_datarequest_delete", args=[late.pk])).status_code == 403


@pytest.mark.django_db
def test_every_step_of_a_request_is_audited_under_its_pseudonym():
    user = UserFactory()
    request = data_requests.export_request(user_id=user.pk)
    data_requests.export_build(request_id=request.pk)

    steps = list(AuditEntry.objects.order_by("at", "id").values_list("action", "pseudonym"))

    assert steps == [("export_requested", request.pseudonym), ("export_started", request.pseudonym),
                     ("export_ready", request.pseudonym)]
