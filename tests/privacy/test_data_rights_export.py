"""The export's shape and cost: queries that do not grow with the person's rows, escaped HTML, progress."""

import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from privacy import data_requests
from privacy.export import export_archive, export_document
from privacy.models import DataRequest, DataRequestStatus
from privacy.reach import identity_for_user
from shop.checkout.models import Address
from tests.factories import OrderFactory, ProductFactory, order_line_create, verified_user
from tests.privacy.tasks_in_process import tasks_run_in_process  # noqa: F401  (autouse)


def customer_with_orders(count: int):
    user = verified_user()
    product = ProductFactory()
    for _ in range(count):
        address = Address.objects.create(user=user, full_name="A Person", line1="1 Road", city="Town",
                                         postcode="T1", country="GB")
        order_line_create(order=OrderFactory(user=user, shipping_address=address), product=product)
    return user


def export_queries(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        export_document(identity=identity_for_user(user_id=user.pk), pseudonym="x")
    return len(queries)


@pytest.mark.django_db
def test_the_export_costs_the_same_queries_for_one_order_or_thirty():
    export_queries(verified_user())  # warms the content-type cache
    assert export_queries(customer_with_orders(1)) == export_queries(customer_with_orders(30))


@pytest.mark.django_db
def test_the_readable_page_escapes_what_people_typed():
    user = verified_user()
    Address.objects.create(user=user, full_name="<script>alert(1)</script>", line1="1 <b>Road</b>", city="Town",
                           postcode="T1", country="GB")
    archive = zipfile.ZipFile(io.BytesIO(export_archive(export_document(
        identity=identity_for_user(user_id=user.pk), pseudonym="x"))))
    html = archive.read("index.html").decode()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert json.loads(archive.read("data.json"))["sections"]["checkout.Address"]["rows"][0]["full_name"] == (
        "<script>alert(1)</script>")


@pytest.mark.django_db
def test_nobody_else_is_in_an_export():
    mine, theirs = customer_with_orders(2), customer_with_orders(2)
    Address.objects.filter(user=theirs).update(user=None)  # their guest-like addresses still are not mine
    document = export_document(identity=identity_for_user(user_id=mine.pk), pseudonym="x")
    sections = document["sections"]
    assert {row["user"] for row in sections["orders.Order"]["rows"]} == {mine.pk}
    assert {row["user"] for row in sections["checkout.Address"]["rows"]} == {mine.pk}
    assert [row["id"] for row in sections["accounts.User"]["rows"]] == [mine.pk]
    assert theirs.email not in json.dumps(document, default=str)


@pytest.mark.django_db
def test_the_privacy_page_shows_progress_and_stays_within_its_query_budget(client, django_assert_max_num_queries):
    user = customer_with_orders(3)
    client.force_login(user)
    request = data_requests.export_request(user_id=user.pk)  # never built here: it stays queued
    DataRequest.objects.filter(pk=request.pk).update(status=DataRequestStatus.RUNNING, progress=40)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("privacy:account")).content.decode()

    assert "Preparing your copy (40%)" in page
    assert "Download your data (ZIP)" not in page


@pytest.mark.django_db
def test_an_export_of_an_account_with_nothing_else_still_says_so():
    user = verified_user()
    document = export_document(identity=identity_for_user(user_id=user.pk), pseudonym="x")
    assert set(document["sections"]) == {"accounts.User", "account.EmailAddress"}
    assert document["sections"]["accounts.User"]["rows"][0]["email"] == user.email


@pytest.mark.django_db
def test_the_staff_member_who_changed_an_order_is_not_named_in_the_customers_export():
    from shop.orders.models import OrderStatusChange

    customer = customer_with_orders(1)
    clerk = verified_user(is_staff=True)
    OrderStatusChange.objects.create(order=customer.orders.get(), from_status="paid", to_status="shipped",
                                     changed_by=clerk, note="Shipped")

    document = export_document(identity=identity_for_user(user_id=customer.pk), pseudonym="x")

    [change] = document["sections"]["orders.OrderStatusChange"]["rows"]
    assert (change["changed_by"], change["note"]) == (None, "Shipped")
    assert {row["user"] for row in document["sections"]["orders.Order"]["rows"]} == {customer.pk}
