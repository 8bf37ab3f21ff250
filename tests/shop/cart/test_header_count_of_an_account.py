"""An account's header cart count is read in the one query that also checks its consent copy, and
follows every change of the cart: added, changed, removed, bought, or changed in another browser."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ProductFactory, UserFactory
from tests.shop.checkout_helpers import checkout_to_review, pay

pytestmark = pytest.mark.django_db


def header_count(client, path: str = "/") -> int:
    html = client.get(path).content.decode()
    return int(re.search(r'data-testid="cart-count">(\d+)<', html).group(1))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, name: str, variant, quantity: int | None = None) -> None:
    data = {"variant": variant.pk} if quantity is None else {"variant": variant.pk, "quantity": quantity}
    assert client.post(reverse(name), data).status_code == 302


def test_the_count_follows_adding_changing_and_removing():
    client = signed_in(UserFactory())
    lamp, vase = ProductFactory().variants.get(), ProductFactory().variants.get()
    assert header_count(client) == 0

    post(client, "cart:add", lamp, 2)
    assert header_count(client) == 2
    post(client, "cart:add", vase, 1)
    assert header_count(client) == 3
    post(client, "cart:update", lamp, 5)
    assert header_count(client, "/privacy/cookies/") == 6
    post(client, "cart:remove", lamp)
    assert header_count(client) == 1


def test_a_change_in_another_browser_of_the_account_shows_in_this_one():
    user = UserFactory()
    phone, laptop = signed_in(user), signed_in(user)
    lamp = ProductFactory().variants.get()
    post(laptop, "cart:add", lamp, 1)
    assert header_count(laptop) == 1

    post(phone, "cart:add", lamp, 3)

    assert header_count(laptop) == 4


def test_buying_the_cart_empties_the_count(django_capture_on_commit_callbacks):
    client = signed_in(UserFactory())
    lamp = ProductFactory(variant__stock=5)
    form = checkout_to_review(client, lamp, quantity=2)
    assert header_count(client) == 2

    with django_capture_on_commit_callbacks(execute=True):
        assert pay(client, form).status_code == 302

    assert header_count(client) == 0


def test_the_count_and_the_consent_check_are_one_query():
    client = signed_in(UserFactory())
    post(client, "cart:add", ProductFactory().variants.get(), 2)
    header_count(client)  # the consent decisions are now kept in the session

    with CaptureQueriesContext(connection) as captured:
        assert header_count(client, "/privacy/cookies/") == 2

    about_the_person = [query["sql"] for query in captured
                        if "cart_cartline" in query["sql"] or "privacy_consentrecord" in query["sql"]]
    assert len(about_the_person) == 1
    assert "cart_cartline" in about_the_person[0] and "privacy_consentrecord" in about_the_person[0]


def test_a_visitor_count_is_still_their_own_cart():
    visitor, other = Client(), Client()
    lamp = ProductFactory().variants.get()
    post(visitor, "cart:add", lamp, 2)
    post(other, "cart:add", lamp, 1)

    assert (header_count(visitor), header_count(other), header_count(Client())) == (2, 1, 0)


def test_accounts_read_one_after_another_each_see_their_own_count():
    ada, bea = signed_in(UserFactory()), signed_in(UserFactory())
    lamp = ProductFactory().variants.get()
    post(ada, "cart:add", lamp, 2)
    post(bea, "cart:add", lamp, 5)

    assert [header_count(ada), header_count(bea), header_count(ada)] == [2, 5, 2]
