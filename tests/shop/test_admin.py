"""The merchant admin: roles with the permissions their job needs, actions through the services."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shop.accounts.roles import staff_roles_sync
from shop.catalog.models import Product, ProductVariant
from shop.orders.models import Order, OrderStatus
from tests.factories import CategoryFactory, ProductFactory, UserFactory
from tests.shop.checkout_helpers import checkout_to_review, pay


def staff(client, *roles: str, permissions=()):
    staff_roles_sync()
    user = UserFactory(is_staff=True)
    user.groups.set(Group.objects.filter(name__in=roles))
    for dotted in permissions:
        from shop.accounts.roles import _permission
        user.user_permissions.add(_permission(dotted))
    client.force_login(user)
    return user


@pytest.fixture
def guest_order(django_capture_on_commit_callbacks):
    from django.test import Client

    shopper = Client()
    lamp = ProductFactory(title="Lamp", price=Decimal("10.00"), variant__stock=4)
    with django_capture_on_commit_callbacks(execute=True):
        pay(shopper, checkout_to_review(shopper, lamp, quantity=2))
    return Order.objects.get()


@pytest.mark.django_db
def test_a_catalog_manager_edits_products_but_cannot_see_orders(client, guest_order):
    staff(client, "Catalog manager")

    assert client.get(reverse("admin:catalog_product_changelist")).status_code == 200
    assert client.get(reverse("admin:orders_order_changelist")).status_code == 403
    assert client.get(reverse("admin:orders_order_change", args=[guest_order.pk])).status_code == 403


@pytest.mark.django_db
def test_customer_details_are_decrypted_only_for_roles_that_need_them(client, guest_order):
    url = reverse("admin:orders_order_change", args=[guest_order.pk])
    staff(client, "Order manager")
    shown = client.get(url).content.decode()
    client.logout()
    staff(client, permissions=["orders.view_order"])
    hidden = client.get(url).content.decode()

    assert "Grace Hopper" in shown and "grace@example.com" in shown
    assert "Grace Hopper" not in hidden and "grace@example.com" not in hidden
    assert "your role does not include customer details" in hidden


@pytest.mark.django_db
def test_an_order_manager_refunds_through_an_admin_action_once(client, guest_order):
    staff(client, "Order manager")
    changelist = reverse("admin:orders_order_changelist")
    action = {"action": "refund_orders", "_selected_action": [guest_order.pk]}

    first = client.post(changelist, action, follow=True).content.decode()
    second = client.post(changelist, action, follow=True).content.decode()

    assert "1 order refunded." in first
    assert "is already refunded" in second
    assert Order.objects.get().status == OrderStatus.REFUNDED
    assert ProductVariant.objects.get().stock_quantity == 4


@pytest.mark.django_db
def test_a_viewer_without_the_refund_permission_is_not_offered_the_action(client, guest_order):
    staff(client, permissions=["orders.view_order"])

    page = client.get(reverse("admin:orders_order_changelist")).content.decode()

    assert "refund_orders" not in page and "mark_shipped" not in page


@pytest.mark.django_db
def test_a_product_is_added_with_a_variant_and_a_picture_inline(client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    staff(client, "Catalog manager")
    category = CategoryFactory()
    picture = io.BytesIO()
    Image.new("RGB", (900, 900), (10, 90, 60)).save(picture, format="PNG")
    data = {
        "title": "Green Lantern", "slug": "green-lantern", "category": category.pk, "description": "",
        "is_published": "on", "created_at_0": "2026-01-01", "created_at_1": "10:00:00",
        "variants-TOTAL_FORMS": "2", "variants-INITIAL_FORMS": "0", "variants-MIN_NUM_FORMS": "1",
        "variants-MAX_NUM_FORMS": "1000",
        "variants-0-sku": "GL-S", "variants-0-name": "Small", "variants-0-base_price": "8.50",
        "variants-0-stock_quantity": "4", "variants-0-position": "0",
        "variants-1-sku": "GL-L", "variants-1-name": "Large", "variants-1-base_price": "12.00",
        "variants-1-stock_quantity": "2", "variants-1-position": "1",
        "images-TOTAL_FORMS": "1", "images-INITIAL_FORMS": "0", "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
        "images-0-image": SimpleUploadedFile("lantern.png", picture.getvalue(), content_type="image/png"),
        "images-0-alt_text": "A green lantern", "images-0-position": "0",
    }

    response = client.post(reverse("admin:catalog_product_add"), data)

    assert response.status_code == 302, response.content.decode()[-3000:]
    product = Product.objects.get(slug="green-lantern")
    assert product.price == Decimal("8.50")  # the lowest variant price, kept for listings
    assert sorted(product.variants.values_list("sku", "stock_quantity")) == [("GL-L", 2), ("GL-S", 4)]
    assert product.images.get().thumbnail.name.endswith("-thumb.jpg")
