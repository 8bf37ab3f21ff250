"""The merchant's order, customer and product screens: money with its currency, VAT as a
percentage, ship/cancel/refund as buttons with a confirmation step, a customer page that
hides contact details from roles without them, thumbnails and a low-stock list."""

import re
from decimal import Decimal

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from privacy.models import AuditEntry, DataRequest, DataRequestKind, DataRequestStatus

from shop.catalog.models import ProductImage, ProductVariant
from shop.orders.models import Order, OrderStatus
from tests.factories import OrderFactory, ProductFactory, UserFactory
from tests.shop.test_admin import guest_order, staff  # noqa: F401  (a fixture and a helper)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.django_db
def test_order_screens_show_money_with_currency_and_vat_as_a_percentage(client, guest_order):  # noqa: F811
    staff(client, "Order manager")

    listing = text(client.get(reverse("admin:orders_order_changelist")))
    page = text(client.get(reverse("admin:orders_order_change", args=[guest_order.pk])))

    assert "£23.95" in listing  # 2 × £10.00 + £3.95 shipping
    assert "£23.95" in page and "£20.00" in page and "£3.95" in page and "£10.00" in page
    readonly = dict(re.findall(r'<label>([^<]+?):?</label> <div class="readonly">(.*?)</div>', page))
    assert readonly["VAT rate"] == "20%" and readonly["VAT included"] == "£3.99", readonly
    assert "0.2000" not in page
    assert readonly["Payments"].startswith("test · ") and "£23.95" in readonly["Payments"], readonly


@pytest.mark.django_db
def test_shipping_from_the_order_page_asks_first_then_goes_through_the_service(client, guest_order,  # noqa: F811
                                                                                django_capture_on_commit_callbacks):
    staff(client, "Order manager")
    page = text(client.get(reverse("admin:orders_order_change", args=[guest_order.pk])))
    ship_url = reverse("admin:orders_order_status", args=[guest_order.pk, "shipped"])
    assert f'href="{ship_url}"' in page and "Mark as shipped" in page
    mail.outbox.clear()

    confirm = text(client.get(ship_url))
    assert "is <strong>paid</strong>" in confirm and "e-mailed that the order is on its way" in confirm
    assert Order.objects.get().status == OrderStatus.PAID  # asking changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(ship_url, follow=True)

    assert Order.objects.get().status == OrderStatus.SHIPPED
    assert f"Order {guest_order.number} marked as shipped." in text(done)
    assert [m.subject for m in mail.outbox] == [f"Attuned: Your order {guest_order.number} is on its way"]
    assert guest_order.status_changes.filter(to_status=OrderStatus.SHIPPED).count() == 1


@pytest.mark.django_db
def test_refund_button_refunds_and_restocks_once(client, guest_order):  # noqa: F811
    staff(client, "Order manager")
    url = reverse("admin:orders_order_status", args=[guest_order.pk, "refunded"])

    client.post(url)
    again = text(client.post(url, follow=True))

    assert Order.objects.get().status == OrderStatus.REFUNDED
    assert ProductVariant.objects.get().stock_quantity == 4
    assert "no longer possible" in again


@pytest.mark.django_db
def test_a_viewer_gets_no_buttons_and_cannot_post_a_refund(client, guest_order):  # noqa: F811
    staff(client, permissions=["orders.view_order"])

    page = text(client.get(reverse("admin:orders_order_change", args=[guest_order.pk])))
    response = client.post(reverse("admin:orders_order_status", args=[guest_order.pk, "refunded"]))

    assert "Refund in full" not in page and "Mark as shipped" not in page
    assert response.status_code == 403 and Order.objects.get().status == OrderStatus.PAID


@pytest.mark.django_db
def test_an_unknown_status_is_a_404(client, guest_order):  # noqa: F811
    staff(client, "Order manager")
    assert client.get(reverse("admin:orders_order_status", args=[guest_order.pk, "exploded"])).status_code == 404


@pytest.mark.django_db
def test_customer_page_shows_orders_spend_and_consent_with_details_only_for_roles_that_may(client):
    customer = UserFactory(email="ada@example.com")
    OrderFactory(user=customer, number="C1", total=Decimal("12.50"))
    OrderFactory(user=customer, number="C2", total=Decimal("7.25"))
    OrderFactory(user=customer, number="C3", total=Decimal("99.00"), status=OrderStatus.REFUNDED)
    url = reverse("merchant_customer", args=[customer.pk])
    DataRequest.objects.create(kind=DataRequestKind.EXPORT, status=DataRequestStatus.SCHEDULED, user=customer,
                               created_at=timezone.now(), deadline=timezone.now() + timedelta(days=30))

    staff(client, "Order manager")
    shown = text(client.get(url))
    client.logout()
    staff(client, permissions=["orders.view_order"])
    hidden = text(client.get(url))
    client.logout()
    staff(client, "Catalog manager")
    refused = client.get(url)

    assert "ada@example.com" in shown and "£19.75" in shown and "C3" in shown
    assert "Consent in force" in shown and "not decided under the current notice" in shown
    assert "Download my data" in shown  # the customer's data request
    assert "ada@example.com" not in hidden and "Contact details hidden" in hidden and "£19.75" in hidden
    assert refused.status_code == 403
    # Only the showing of contact details is audited, by ids.
    viewed = AuditEntry.objects.filter(action="customer_details_viewed", detail__user_id=customer.pk)
    assert viewed.count() == 1 and "ada" not in str(viewed.get().detail)


@pytest.mark.django_db
def test_customer_page_needs_staff(client):
    customer = UserFactory()
    client.force_login(UserFactory())
    response = client.get(reverse("merchant_customer", args=[customer.pk]))
    assert response.status_code == 302 and "/admin/login/" in response.url


@pytest.mark.django_db
def test_product_list_has_thumbnails_prices_with_currency_and_a_low_stock_filter(client):
    staff(client, "Catalog manager")
    pictured = ProductFactory(title="Pictured Lamp", price=Decimal("8.50"), variant__stock=40)
    ProductImage.objects.create(product=pictured, image="products/lamp.jpg", thumbnail="products/lamp-thumb.jpg",
                                alt_text="A lamp")
    ProductFactory(title="Nearly Gone", variant__stock=2)

    listing = text(client.get(reverse("admin:catalog_product_changelist")))
    low = text(client.get(reverse("admin:catalog_product_changelist") + "?stock=low"))

    assert 'class="product-thumb" src="/media/products/lamp-thumb.jpg"' in listing and "£8.50" in listing
    assert "Nearly Gone" in low and "Pictured Lamp" not in low


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
def test_customer_page_and_product_list_queries_do_not_grow(client, django_assert_max_num_queries, count):
    staff(client, "Owner")
    customer = UserFactory()
    for n in range(count):
        OrderFactory(user=customer)
        product = ProductFactory(variant__stock=n)
        ProductImage.objects.create(product=product, image="p.jpg", thumbnail="p-t.jpg", alt_text="x")

    for url in (reverse("merchant_customer", args=[customer.pk]), reverse("admin:catalog_product_changelist")):
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_shipping_methods_show_prices_with_currency(client):
    from tests.shop.checkout_helpers import shipping_methods_ensure

    shipping_methods_ensure()
    staff(client, "Owner")

    listing = text(client.get(reverse("admin:checkout_shippingmethod_changelist")))

    assert "£3.95" in listing and "Price (VAT included)" in listing
