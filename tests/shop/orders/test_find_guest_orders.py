"""'Find your order': a guest asks for fresh links to the orders placed under their e-mail address."""

import re
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from shop.orders.models import Order
from shop.orders.services import GUEST_LINK_REQUESTS_PER_HOUR
from shop.orders.tasks import send_guest_order_links
from shop.orders.views import GUEST_LINKS_SENT_MESSAGE
from tests.factories import OrderFactory, verified_user

FIND = reverse("orders:find_guest")


def unique_address() -> str:
    # Throttling is kept in the cache, which outlives a test on Redis: one address per test.
    return f"grace-{uuid.uuid4().hex[:10]}@example.com"


def guest_order(email: str, days_ago: int = 0) -> Order:
    return OrderFactory(user=None, email=email, placed_at=timezone.now() - timedelta(days=days_ago))


def links_in(message) -> list[str]:
    return re.findall(r"https?://\S+/orders/\S+/", message.body)


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """Post the form as a browser would, running what waits for the commit (the e-mail task)."""
    def post(email: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(FIND, {"email": email}, follow=True)
    return post


@pytest.mark.django_db
def test_a_guest_gets_one_e_mail_with_a_working_link_to_each_of_their_orders(client, ask):
    address = unique_address()
    older, newer = guest_order(address, days_ago=40), guest_order(address, days_ago=2)
    guest_order(unique_address())  # someone else's
    OrderFactory(user=verified_user(email=address))  # placed while signed in: in the account, not here

    response = ask(address.upper())

    assert GUEST_LINKS_SENT_MESSAGE in response.content.decode()
    [message] = mail.outbox
    assert message.to == [address]
    assert message.extra_headers["X-Attuned-Category"] == "transactional"
    links = links_in(message)
    assert len(links) == 2
    assert message.body.index(newer.number) < message.body.index(older.number)  # newest first
    for link, order in zip(links, (newer, older)):
        page = client.get(urlsplit(link).path)
        assert page.status_code == 200
        assert f"Order {order.number}" in page.content.decode()


@pytest.mark.django_db
def test_orders_under_the_same_address_typed_differently_come_in_one_e_mail(ask):
    address = unique_address()
    guest_order(address.upper(), days_ago=30)
    guest_order(address)

    ask(address)

    [message] = mail.outbox
    assert message.to == [address]  # as typed on the newest order
    assert len(links_in(message)) == 2


@pytest.mark.django_db
def test_an_address_without_orders_gets_the_same_answer_and_no_e_mail(ask):
    guest_order(unique_address())

    response = ask(unique_address())

    assert response.status_code == 200
    assert GUEST_LINKS_SENT_MESSAGE in response.content.decode()
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "error"), [
    ("", "Enter the e-mail address you gave at checkout."),
    ("grace at example", "Enter an e-mail address like name@example.com."),
])
def test_a_bad_address_gets_a_form_error_and_keeps_what_was_typed(client, typed, error):
    response = client.post(FIND, {"email": typed})

    html = response.content.decode()
    assert response.status_code == 400
    assert error in html
    assert f'value="{typed}"' in html or not typed
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_address_gets_at_most_three_e_mails_an_hour(ask):
    address = unique_address()
    guest_order(address)

    for _ in range(GUEST_LINK_REQUESTS_PER_HOUR + 2):
        response = ask(address)
        assert GUEST_LINKS_SENT_MESSAGE in response.content.decode()  # the answer never changes

    assert len(mail.outbox) == GUEST_LINK_REQUESTS_PER_HOUR


@pytest.mark.django_db
def test_the_task_takes_ids_and_sends_once_per_request():
    address = unique_address()
    order = guest_order(address)
    request_id = uuid.uuid4().hex

    assert send_guest_order_links(order_ids=[order.pk], request_id=request_id) is True
    assert send_guest_order_links(order_ids=[order.pk], request_id=request_id) is False  # redelivered

    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_finding_orders_costs_the_same_queries_for_one_order_or_many(
        client, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    few, many = unique_address(), unique_address()
    guest_order(few)
    for days in range(15):
        guest_order(many, days_ago=days)

    counts = []
    for address in (few, many):
        with django_assert_max_num_queries(6) as captured, django_capture_on_commit_callbacks(execute=True):
            client.post(FIND, {"email": address})
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]
    assert len(mail.outbox) == 2 and len(links_in(mail.outbox[1])) == 15


@pytest.mark.django_db
def test_a_broken_or_expired_order_link_offers_a_fresh_one(client):
    order = guest_order(unique_address())
    from shop.orders.selectors import order_guest_path

    good = order_guest_path(order)
    response = client.get(good[:-6] + "xxxxx/")

    assert response.status_code == 404
    assert response["Referrer-Policy"] == "same-origin"
    html = response.content.decode()
    assert order.number not in html
    assert f'href="{FIND}"' in html
