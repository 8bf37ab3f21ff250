"""The stock holds version changes when a checkout's hold on stock is made, given back or taken for an
order, once the change commits; a refused hold and a release of nothing leave it as it was."""

import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from shop.catalog.fragments import catalog_version, stock_holds_version
from shop.catalog.stock import OutOfStock, stock_release, stock_reserve, stock_take
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lamp():
    variant = ProductFactory(title="Lamp").variants.get()
    variant.stock_quantity = 5
    variant.save()
    return variant


def later():
    return timezone.now() + timedelta(minutes=15)


def test_a_hold_made_changes_the_version_when_it_commits_and_not_the_catalog_version(
        lamp, django_capture_on_commit_callbacks):
    before, catalog = stock_holds_version(), catalog_version()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        stock_reserve(holder=uuid.uuid4(), quantities={lamp.pk: 2}, until=later())
        assert stock_holds_version() == before  # not yet: the transaction has not committed
    for callback in callbacks:
        callback()

    assert stock_holds_version() != before
    assert catalog_version() == catalog  # shared fragments stay: they show no holds


def test_a_refused_hold_leaves_the_version(lamp, django_capture_on_commit_callbacks):
    before = stock_holds_version()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(OutOfStock):
        stock_reserve(holder=uuid.uuid4(), quantities={lamp.pk: 6}, until=later())

    assert stock_holds_version() == before


def test_a_hold_given_back_changes_the_version_and_giving_back_nothing_does_not(
        lamp, django_capture_on_commit_callbacks):
    holder = uuid.uuid4()
    stock_reserve(holder=holder, quantities={lamp.pk: 2}, until=later())
    before = stock_holds_version()

    with django_capture_on_commit_callbacks(execute=True):
        stock_release(holder=uuid.uuid4())
    assert stock_holds_version() == before

    with django_capture_on_commit_callbacks(execute=True):
        stock_release(holder=holder)
    assert stock_holds_version() != before


def test_a_hold_taken_for_an_order_changes_the_version(lamp, django_capture_on_commit_callbacks):
    holder = uuid.uuid4()
    stock_reserve(holder=holder, quantities={lamp.pk: 2}, until=later())
    before = stock_holds_version()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        stock_take(holder=holder, quantities={lamp.pk: 2})

    assert stock_holds_version() != before
