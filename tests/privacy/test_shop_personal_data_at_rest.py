"""The shop's own tables: names, addresses, phones and guest e-mails are unreadable in the database."""

import pytest
from django.db import connection
from django.utils import timezone

from shop.checkout.models import Address
from shop.orders.models import Order

pytestmark = pytest.mark.django_db


def raw_columns(model, pk, *columns) -> dict[str, bytes]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {model._meta.db_table} WHERE id = %s", [pk])
        return {column: bytes(value) for column, value in zip(columns, cursor.fetchone())}


def test_an_address_is_encrypted_in_its_columns_but_the_country():
    plain = {"full_name": "Ada Lovelace", "line1": "12 St James's Square", "city": "London",
             "postcode": "SW1Y 4JH", "phone": "+44 20 7946 0958"}
    address = Address.objects.create(country="GB", **plain)

    raw = raw_columns(Address, address.pk, *plain)

    for column, value in plain.items():
        assert value.encode() not in raw[column], column
    assert Address.objects.get(pk=address.pk).lines()[:2] == ["Ada Lovelace", "12 St James's Square"]


def test_a_guest_order_s_email_is_encrypted_and_found_through_its_blind_index():
    order = Order.objects.create(number="G000001", currency="GBP", placed_at=timezone.now(),
                                 email="Guest.Shopper@Example.com")

    raw = raw_columns(Order, order.pk, "email")["email"]
    index = Order._meta.get_field("email_index").index_of("guest.shopper@example.com")

    assert b"Guest.Shopper" not in raw and b"example" not in raw.lower()
    assert Order.objects.get(email_index=index).pk == order.pk
