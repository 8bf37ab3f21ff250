"""Who may set prices: catalog managers set demand rules, only owners set personalized (segment) prices."""

import pytest
from django.urls import reverse

from tests.shop.test_admin import staff

pytestmark = pytest.mark.django_db


def test_only_an_owner_opens_the_segment_discounts(client, settings):
    settings.STAFF_SECOND_FACTOR_REQUIRED = False  # the owner's second factor is tested with staff login
    url = reverse("admin:segments_segmentdiscount_changelist")
    staff(client, "Catalog manager")
    assert client.get(url).status_code == 403
    assert client.get(reverse("admin:pricing_demandrule_changelist")).status_code == 200
    client.logout()

    staff(client, "Owner")
    page = client.get(url)

    assert page.status_code == 200
    assert "segment discount" in page.content.decode().lower()


def test_an_order_manager_sees_which_rule_priced_each_line(client, settings):
    from shop.orders.models import OrderLine
    from tests.factories import OrderFactory, ProductFactory, order_line_create

    settings.STAFF_SECOND_FACTOR_REQUIRED = False
    order = OrderFactory()
    line = order_line_create(order=order, product=ProductFactory(title="Harbour Lamp"))
    OrderLine.objects.filter(pk=line.pk).update(price_rule="demand:7")
    staff(client, "Order manager")

    html = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()

    assert "Harbour Lamp" in html and "demand:7" in html
