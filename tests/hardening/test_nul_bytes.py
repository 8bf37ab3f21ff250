"""A NUL byte anywhere in the request is a 400 before any view runs, on SQLite and PostgreSQL.

PostgreSQL text cannot hold one: without the early refusal each of these was a 500.
"""

import pytest
from django.urls import reverse

from config.middleware import NUL_REFUSED
from tests.factories import ProductFactory, UserFactory

REFUSED_REQUESTS = {
    "search query": ("get", "/search/?q=lamp%00shade", None),
    "search query, raw": ("get", "/search/", {"q": "lamp\x00shade"}),
    "order number": ("get", "/account/orders/INV%00123/", None),
    "guest order link": ("get", "/orders/abc%00def/", None),
    "payment return path": ("get", "/checkout/payment/key%00x/return/", None),
    "test provider page": ("get", "/payments/test-provider/authenticate/ref%00x/", None),
    "product path": ("get", "/p/lamp\x00shade/", None),
    "query parameter name": ("get", "/?page%00=1", None),
    "form field": ("post", "/orders/find/", {"email": "guest\x00@example.com"}),
    "checkout address": ("post", "/checkout/details/", {"full_name": "Grace\x00Hopper", "country": "GB"}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(REFUSED_REQUESTS))
def test_a_nul_byte_is_refused_with_400_before_the_database(client, case, django_assert_num_queries):
    client.force_login(UserFactory())
    method, url, data = REFUSED_REQUESTS[case]

    with django_assert_num_queries(0):
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)

    assert response.status_code == 400
    assert response.content.decode() == NUL_REFUSED


@pytest.mark.django_db
def test_the_same_requests_without_the_nul_byte_are_served(client):
    ProductFactory(title="Lamp shade")

    assert client.get("/search/?q=lamp").status_code == 200
    assert "Lamp shade" in client.get("/search/", {"q": "lamp"}).content.decode()
    assert client.post("/orders/find/", {"email": "guest@example.com"}).status_code in {200, 302}


@pytest.mark.django_db
def test_an_uploaded_file_may_hold_nul_bytes_a_field_beside_it_may_not(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", content_type="image/png")

    binary = client.post(reverse("orders:find_guest"), {"email": "guest@example.com", "picture": upload})
    upload.seek(0)
    refused = client.post(reverse("orders:find_guest"), {"email": "guest\x00@example.com", "picture": upload})

    assert binary.content.decode() != NUL_REFUSED
    assert refused.status_code == 400 and refused.content.decode() == NUL_REFUSED
