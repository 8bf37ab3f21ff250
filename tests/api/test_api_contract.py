"""What the schema says and what the API does agree: sorting names its choices, DRF's
`ordering` is refused rather than ignored, empty optional filters are no filter, a PATCH
without changes changes nothing, and refusals made before the API's views (a NUL byte, an
address too long) come in the API's error shape and are documented."""

from decimal import Decimal

import pytest
from django.conf import settings

from config.middleware import NUL_REFUSED
from shop.catalog.selectors import SEARCH_SORT_OPTIONS, SORT_OPTIONS
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lanterns():
    ProductFactory(title="Tin Lantern", slug="tin-lantern", price=Decimal("3.00"))
    ProductFactory(title="Brass Lantern", slug="brass-lantern", price=Decimal("40.00"))


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [product["title"] for product in response.json()["results"]]


@pytest.mark.parametrize("path, options", [("/api/v1/products/", SORT_OPTIONS),
                                           ("/api/v1/products/search/", SEARCH_SORT_OPTIONS)])
def test_a_bad_sort_is_refused_with_the_choices_there_are(api, lanterns, path, options):
    response = api.get(path, {"sort": "cheapest", "q": "lantern"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"sort": [f"Sort by one of: {', '.join(options)}."]}


@pytest.mark.parametrize("name", ["ordering", "order_by"])
def test_drf_style_ordering_is_refused_with_the_sort_choices_not_silently_ignored(api, lanterns, name):
    response = api.get("/api/v1/products/", {name: "-price"})

    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        f"ordering: This API sorts with `sort`, one of: {', '.join(SORT_OPTIONS)}.")
    assert titles(api.get("/api/v1/products/", {"sort": "price-desc"})) == ["Brass Lantern", "Tin Lantern"]


def test_the_schema_lists_the_sort_choices(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    listing = {p["name"]: p for p in schema["paths"]["/api/v1/products/"]["get"]["parameters"]}
    search = {p["name"]: p for p in schema["paths"]["/api/v1/products/search/"]["get"]["parameters"]}

    assert listing["sort"]["schema"]["enum"] == list(SORT_OPTIONS)
    assert search["sort"]["schema"]["enum"] == list(SEARCH_SORT_OPTIONS)
    assert "`price-desc`: Price: high to low" in listing["sort"]["description"]


@pytest.mark.parametrize("page_size", ["false", "0", "101", "1.5", ""])
def test_a_page_size_that_is_not_1_to_100_is_refused(api, lanterns, page_size):
    response = api.get(f"/api/v1/products/?page_size={page_size}")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"page_size": ["Give a whole number from 1 to 100."]}


def test_empty_price_filters_are_no_filter(api, lanterns):
    assert titles(api.get("/api/v1/products/?min_price=&max_price=&sort=price-asc")) == [
        "Tin Lantern", "Brass Lantern"]
    assert api.get("/api/v1/products/?min_price=cheap").status_code == 400


def test_a_lowest_price_above_the_highest_is_an_empty_list_not_a_refusal(api, lanterns):
    response = api.get("/api/v1/products/?min_price=30&max_price=5")

    assert response.status_code == 200 and response.json()["count"] == 0


def test_a_patch_without_quantity_leaves_the_line_as_it_is(alice_api):
    variant = ProductFactory(title="Lamp", variant__stock=5).variants.get()
    alice_api.post("/api/v1/cart/lines/", {"variant_id": variant.pk, "quantity": 2}, format="json")

    unchanged = alice_api.patch(f"/api/v1/cart/lines/{variant.pk}/", {}, format="json")
    absent = alice_api.patch(f"/api/v1/cart/lines/{variant.pk + 1000}/", {}, format="json")

    assert unchanged.status_code == 200 and [line["quantity"] for line in unchanged.json()["lines"]] == [2]
    assert absent.status_code == 404 and absent.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("url", ["/api/v1/products/?q=lamp%00", "/api/v1/products/lamp%00shade/",
                                 "/api/v1/products/search/?q=%00"])
def test_a_nul_byte_in_an_api_address_is_a_400_in_the_api_shape(api, url):
    response = api.get(url)

    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json() == {"error": {"status": 400, "code": "invalid", "message": NUL_REFUSED}}


def test_a_nul_byte_outside_the_api_is_still_the_plain_400(client):
    response = client.get("/search/?q=lamp%00")

    assert response.status_code == 400 and response.content.decode() == NUL_REFUSED


def test_an_api_address_over_the_limit_is_a_414_in_the_api_shape(api):
    limit = settings.API_MAX_ADDRESS_LENGTH
    path = "/api/v1/products/"
    at_limit = path + "?q=" + "a" * (limit - len(path) - len("q="))
    over_limit = at_limit + "a"

    assert api.get(at_limit).status_code == 200
    response = api.get(over_limit)
    assert response.status_code == 414
    assert response.json() == {"error": {"status": 414, "code": "address_too_long", "message": (
        f"The address is longer than the {limit} characters the API reads.")}}


def test_the_address_limit_is_below_gunicorns_request_line_limit():
    """gunicorn answers a request line over 4094 bytes itself, in plain text: ours must come first."""
    from config.settings import base

    gunicorn_request_line_limit = 4094
    longest_method_and_version = len("OPTIONS  HTTP/1.1")
    assert base.API_MAX_ADDRESS_LENGTH + longest_method_and_version < gunicorn_request_line_limit


def test_the_schema_documents_the_body_and_address_refusals(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    for path in schema["paths"].values():
        for method, operation in path.items():
            assert {"400", "413", "414"} <= set(operation["responses"]), (method, operation["operationId"])
