"""Account writes: saved addresses. Each function checks the address belongs to the account."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from .models import SavedAddress

ADDRESS_FIELDS = ("full_name", "line1", "line2", "city", "postcode", "country", "phone")
MAX_SAVED_ADDRESSES = 20


class AddressError(Exception):
    """A change to a saved address the shop refuses, with a message for the shopper."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _fill(address: SavedAddress, *, full_name: str, line1: str, line2: str, city: str, postcode: str,
          country: str, phone: str) -> None:
    if country not in settings.SHOP_SHIPPING_COUNTRIES:
        raise AddressError("Sorry, we do not ship to that country.")
    for name, value in (("full_name", full_name), ("line1", line1), ("line2", line2), ("city", city),
                        ("postcode", postcode), ("country", country), ("phone", phone)):
        setattr(address, name, value.strip())


@transaction.atomic
def saved_address_create(*, user_id: int, full_name: str, line1: str, line2: str, city: str, postcode: str,
                         country: str, phone: str) -> SavedAddress:
    """Keep a new address in the account (at most MAX_SAVED_ADDRESSES of them)."""
    if SavedAddress.objects.filter(user_id=user_id).count() >= MAX_SAVED_ADDRESSES:
        raise AddressError(f"You can keep up to {MAX_SAVED_ADDRESSES} addresses; delete one first.")
    address = SavedAddress(user_id=user_id)
    _fill(address, full_name=full_name, line1=line1, line2=line2, city=city, postcode=postcode,
          country=country, phone=phone)
    address.save()
    return address


@transaction.atomic
def saved_address_update(*, user_id: int, address_id: int, full_name: str, line1: str, line2: str, city: str,
                         postcode: str, country: str, phone: str) -> SavedAddress:
    address = SavedAddress.objects.select_for_update().filter(user_id=user_id, pk=address_id).first()
    if address is None:
        raise AddressError("That address is not in your account.")
    _fill(address, full_name=full_name, line1=line1, line2=line2, city=city, postcode=postcode,
          country=country, phone=phone)
    address.save()
    return address


def saved_address_delete(*, user_id: int, address_id: int) -> bool:
    """Delete the address; orders already shipped to it keep their own copy. False when not found."""
    deleted, _ = SavedAddress.objects.filter(user_id=user_id, pk=address_id).delete()
    return bool(deleted)
