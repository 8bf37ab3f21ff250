"""The API's foundations: schema, docs page under the CSP, tokens, the error shape."""

import json

import pytest
from django.urls import reverse

from shop.accounts.models import ApiToken
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_schema_is_openapi_3_and_lists_every_resource(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/products/", "/api/v1/products/search/", "/api/v1/cart/lines/", "/api/v1/checkout/place/",
                 "/api/v1/orders/", "/api/v1/auth/tokens/"):
        assert path in schema["paths"], path
    place = schema["paths"]["/api/v1/checkout/place/"]["post"]
    assert {"Idempotency-Key"} <= {p["name"] for p in place["parameters"]}
    assert {"201", "402", "409", "422", "429"} <= set(place["responses"])
    # Every refusal a service can give is documented where it can happen.
    documented = {(path, method): set(operation["responses"]) for path, item in schema["paths"].items()
                  for method, operation in item.items()}
    assert "409" in documented[("/api/v1/cart/lines/", "post")]
    assert "409" in documented[("/api/v1/cart/lines/{variant_id}/", "patch")]
    assert "409" in documented[("/api/v1/checkout/shipping-methods/", "get")]
    assert "409" in documented[("/api/v1/auth/tokens/", "post")]
    assert {"409", "410"} <= documented[("/api/v1/privacy/erasure/", "delete")]
    assert "410" in documented[("/api/v1/privacy/export/{token}/", "get")]
    assert all("500" not in codes for codes in documented.values())


def test_docs_page_loads_its_assets_from_this_shop_only(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "script-src 'self'" in policy
    assert "<script>" not in html and "<style>" not in html  # nothing inline at all


def test_token_is_shown_once_stored_as_a_hash_and_revocable(api, alice):
    response = api.post("/api/v1/auth/tokens/", {"email": "alice@example.com", "password": PASSWORD,
                                                 "name": "My app"}, format="json")
    assert response.status_code == 201, response.content
    key = response.json()["key"]
    stored = ApiToken.objects.get(user=alice)
    assert key not in {stored.key_hash, stored.prefix} and len(stored.key_hash) == 64

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    listed = api.get("/api/v1/auth/tokens/").json()
    assert [(t["name"], t["prefix"]) for t in listed] == [("My app", key[:8])]
    assert "key" not in listed[0]

    assert api.delete(f"/api/v1/auth/tokens/{stored.pk}/").status_code == 204
    refused = api.get("/api/v1/auth/tokens/")
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "That API token is not valid, or it was revoked."


def test_wrong_password_is_a_clear_401_and_makes_no_token(api, alice):
    response = api.post("/api/v1/auth/tokens/", {"email": "alice@example.com", "password": "nope"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "That e-mail address and password do not match an account."
    assert not ApiToken.objects.exists()


def test_token_logins_are_throttled(api, alice, throttle_rates):
    throttle_rates(login="3/min")
    codes = [api.post("/api/v1/auth/tokens/", {"email": "alice@example.com", "password": "nope"},
                      format="json").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    assert api.get("/api/v1/products/").status_code == 200  # only logins are held back


def test_another_users_token_cannot_be_revoked(alice_api, bob):
    from shop.accounts.api.tokens import api_token_create

    bobs = api_token_create(user_id=bob.pk, name="bob's").token
    response = alice_api.delete(f"/api/v1/auth/tokens/{bobs.pk}/")
    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=bobs.pk).exists()


@pytest.mark.parametrize("body, content_type, message", [
    ('{"variant_id": ', "application/json", "JSON parse error"),
    ('{"variant_id": "seven"}', "application/json", "variant_id: A valid integer is required."),
    ('{"variant_id": 1e400}', "application/json", "variant_id: A valid integer is required."),
    ('{"variant_id": 99999999999999999999999}', "application/json",
     "variant_id: Ensure this value is less than or equal to 9223372036854775807."),
    ("variant_id=1", "application/x-www-form-urlencoded", 'Unsupported media type'),
])
def test_bad_input_gets_one_error_shape_naming_the_field(api, body, content_type, message):
    response = api.generic("POST", "/api/v1/cart/lines/", body, content_type=content_type)
    assert 400 <= response.status_code < 500
    error = response.json()["error"]
    assert error["status"] == response.status_code
    assert error["message"].startswith(message), error
    if ":" in message and not message.startswith("JSON"):
        assert list(error["fields"]) == ["variant_id"]


def test_unknown_api_address_is_a_404_not_a_page(api):
    response = api.get(reverse("api:product-detail", kwargs={"slug": "no-such-thing"}))
    assert response.json()["error"]["status"] == 404


def test_search_and_placing_orders_are_throttled_per_client(api, alice_api, throttle_rates):
    throttle_rates(search="2/min", place_order="1/hour")
    searches = [api.get("/api/v1/products/search/", {"q": "lamp"}).status_code for _ in range(3)]
    assert searches == [200, 200, 429]
    assert api.get("/api/v1/products/search/", {"q": "lamp"}).json()["error"]["code"] == "throttled"
    assert alice_api.get("/api/v1/products/search/", {"q": "lamp"}).status_code == 200  # another client

    places = [alice_api.post("/api/v1/checkout/place/", {}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 20)
              .status_code for _ in range(2)]
    assert places == [400, 429]


def test_personal_resources_are_never_cached_the_catalog_may_be(alice_api):
    for path in ("/api/v1/orders/", "/api/v1/cart/", "/api/v1/privacy/consent/", "/api/v1/auth/tokens/",
                 "/api/v1/recommendations/"):
        assert "no-store" in alice_api.get(path)["Cache-Control"], path
    assert "no-store" not in alice_api.get("/api/v1/products/").get("Cache-Control", "")


def test_nul_bytes_and_out_of_range_ids_are_4xx_never_500(alice_api):
    from tests.factories import ProductFactory

    variant_id = ProductFactory().variants.first().pk
    alice_api.post("/api/v1/cart/lines/", {"variant_id": variant_id}, format="json")
    huge = 10**30
    assert alice_api.patch(f"/api/v1/cart/lines/{huge}/", {"quantity": 1}, format="json").status_code == 404
    assert alice_api.delete(f"/api/v1/cart/lines/{huge}/").status_code == 404
    assert alice_api.delete(f"/api/v1/auth/tokens/{huge}/").status_code == 404
    assert alice_api.get(f"/api/v1/orders/{'9' * 500}/").status_code == 404
    assert alice_api.get(f"/api/v1/products/{'a' * 500}/").status_code == 404
    nul = alice_api.post("/api/v1/auth/tokens/", {"name": "my\x00app"}, format="json")
    assert nul.status_code == 400 and nul.json()["error"]["fields"] == {"name": ["Null characters are not allowed."]}
    assert alice_api.get("/api/v1/products/search/?q=lamp%00").status_code == 400
    assert alice_api.get("/api/v1/cart/").json()["item_count"] == 1


def test_a_forged_forwarded_address_does_not_escape_the_search_throttle(api, throttle_rates, settings):
    """Behind a trusted proxy the client's own X-Forwarded-For entries are ignored: only the address
    the proxy appended counts."""
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    throttle_rates(search="2/min")
    codes = [api.get("/api/v1/products/search/", {"q": "lamp"},
                     HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7").status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_an_unexpected_error_is_a_500_in_the_api_shape_and_logged(api, settings, caplog):
    settings.ROOT_URLCONF = "tests.api.urls_failing"
    response = api.get("/api/v1/broken/")
    assert response.status_code == 500
    assert response.json()["error"] == {"status": 500, "code": "server_error",
                                        "message": "Something went wrong on our side. Please try again later."}
    assert "simulated failure" not in response.content.decode()
    assert any(record.exc_info and "simulated failure" in str(record.exc_info[1]) for record in caplog.records)
