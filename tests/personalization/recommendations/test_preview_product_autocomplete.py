"""The recommendations preview picks its product with the admin's autocomplete (by title or SKU),
not a raw product id; an unknown or malformed choice is a form error, never a 500."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

PREVIEW = "admin:recommendations_modelversion_preview"


def merchant(client, *permissions: str):
    user = UserFactory(is_staff=True, email="merchant@attuned.test")
    user.user_permissions.set([Permission.objects.get(content_type__app_label=dotted.split(".")[0],
                                                      codename=dotted.split(".")[1]) for dotted in permissions])
    client.force_login(user)
    return user


def test_the_preview_offers_the_admin_s_product_autocomplete_instead_of_an_id_box(client):
    merchant(client, "recommendations.view_modelversion")

    html = client.get(reverse(PREVIEW)).content.decode()

    assert "Product id" not in html
    assert 'class="admin-autocomplete' in html and 'name="product"' in html
    assert f'data-ajax--url="{reverse("admin:autocomplete")}"' in html
    assert "admin/js/autocomplete.js" in html and "select2" in html
    assert "Type part of the product&#x27;s title or SKU." in html or "Type part of the product's title or SKU." in html


def test_the_autocomplete_finds_products_by_part_of_their_title(client):
    lantern = ProductFactory(title="Brass lantern")
    ProductFactory(title="Enamel mug")
    merchant(client, "recommendations.view_modelversion", "catalog.view_product")

    found = client.get(reverse("admin:autocomplete"), {
        "app_label": "recommendations", "model_name": "behaviourevent", "field_name": "product", "term": "lant"})

    assert found.status_code == 200
    assert json.loads(found.content)["results"] == [{"id": str(lantern.pk), "text": str(lantern)}]


def test_the_chosen_product_is_shown_selected_when_the_form_comes_back(client):
    lantern = ProductFactory(title="Brass lantern")
    merchant(client, "recommendations.view_modelversion")

    html = client.post(reverse(PREVIEW), {"product": str(lantern.pk)}).content.decode()

    assert f'<option value="{lantern.pk}" selected>{lantern}</option>' in html
    assert "No stored lists for Brass lantern in the serving version." in html


@pytest.mark.parametrize("value", ["999999", "lantern", "-3"])
def test_an_unknown_or_malformed_product_is_a_form_error(client, value):
    merchant(client, "recommendations.view_modelversion")

    response = client.post(reverse(PREVIEW), {"product": value})

    assert response.status_code == 400
    assert "No such product: type part of its title and pick it from the list." in response.content.decode()


def test_neither_a_product_nor_a_customer_says_what_to_give(client):
    merchant(client, "recommendations.view_modelversion")

    response = client.post(reverse(PREVIEW), {"product": "", "customer": ""})

    assert response.status_code == 400
    assert "Choose a product or enter a customer&#x27;s e-mail address." in response.content.decode()
