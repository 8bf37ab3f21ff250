"""The database-specific functions, on the database they are written for."""

import threading

import pytest
from django.db import OperationalError, connection, connections, transaction

from shop.catalog.locking import variants_locked_for_update
from shop.catalog.models import Product, ProductVariant
from shop.catalog.search import product_search


def titles(query: str) -> list[str]:
    return list(product_search(Product.objects.all(), query).values_list("title", flat=True))


@pytest.mark.postgres
@pytest.mark.django_db
def test_full_text_search_ranks_lanterns_first(sample_catalog):
    found = titles("lantern")

    assert len(found) >= 5
    assert all("lantern" in title.lower() for title in found[:5])


@pytest.mark.postgres
@pytest.mark.django_db
def test_misspelt_search_still_finds_lanterns(sample_catalog):
    found = titles("lanturn")

    assert found, "trigram similarity should rescue a one-letter typo"
    assert "lantern" in found[0].lower()


@pytest.mark.postgres
@pytest.mark.django_db
def test_search_matches_word_stems(sample_catalog):
    assert any("lanterns" in title.lower() for title in titles("lantern"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_locked_variants_block_a_second_transaction_until_commit():
    from tests.factories import ProductFactory

    variant = ProductFactory().variants.get()
    outcome: dict[str, str] = {}
    locked = threading.Event()
    release = threading.Event()

    def holder():
        with transaction.atomic():
            variants_locked_for_update([variant.pk])
            locked.set()
            release.wait(10)
        connections.close_all()

    def contender():
        locked.wait(10)
        try:
            with transaction.atomic():
                list(ProductVariant.objects.select_for_update(nowait=True).filter(pk=variant.pk))
            outcome["contender"] = "acquired"
        except OperationalError:
            outcome["contender"] = "blocked"
        finally:
            release.set()
            connections.close_all()

    threads = [threading.Thread(target=holder), threading.Thread(target=contender)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert outcome == {"contender": "blocked"}
    assert connection.vendor == "postgresql"
