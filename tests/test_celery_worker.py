"""Scheduled jobs run through a real Celery worker on the real Redis broker."""

import pytest
from django.core.management import call_command

from shop.catalog.models import Product
from shop.orders.tasks import refresh_product_popularity
from tests.factories import OrderFactory, ProductFactory, UserFactory, order_line_create


def buy(product, *buyers):
    for buyer in buyers:
        order_line_create(order=OrderFactory(user=buyer), product=product)


@pytest.mark.worker
def test_popularity_refresh_runs_on_the_worker_and_ranks_by_distinct_buyers(celery_worker):
    lamp, mug = ProductFactory(), ProductFactory()
    alice, bob = UserFactory(), UserFactory()
    buy(lamp, alice, bob, bob)
    buy(mug, alice)

    updated = refresh_product_popularity.delay().get(timeout=60)

    assert updated == 2
    assert dict(Product.objects.values_list("pk", "popularity")) == {lamp.pk: 2, mug.pk: 1}


@pytest.mark.worker
def test_running_the_job_twice_gives_the_same_result(celery_worker):
    lamp = ProductFactory()
    buy(lamp, UserFactory())

    refresh_product_popularity.delay().get(timeout=60)
    refresh_product_popularity.delay().get(timeout=60)

    assert Product.objects.get().popularity == 1


@pytest.mark.django_db
def test_scheduled_jobs_run_without_beat_from_a_command(capsys):
    lamp = ProductFactory()
    buy(lamp, UserFactory(), UserFactory())

    call_command("run_scheduled_jobs")

    assert Product.objects.get().popularity == 2
    assert "refresh-product-popularity: done" in capsys.readouterr().out


@pytest.mark.django_db
def test_unknown_scheduled_job_is_a_clear_error():
    with pytest.raises(Exception, match="Unknown job"):
        call_command("run_scheduled_jobs", "no-such-job")
