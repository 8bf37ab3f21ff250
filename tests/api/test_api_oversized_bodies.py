"""Bodies the API cannot read: nested deeper than Python's JSON parser goes, or larger than
DATA_UPLOAD_MAX_MEMORY_SIZE. Each is the client's mistake: a 400 or a 413 in the API's error
shape, one WARNING line (django.request's), no traceback and nothing at ERROR."""

import logging

import pytest
from django.conf import settings

from tests.hardening.log_capture import ConfiguredHandlersCaptured

pytestmark = pytest.mark.django_db

# (method, path): anonymous clients may call each of these with a body.
BODY_READERS = [("post", "/api/v1/cart/lines/"), ("post", "/api/v1/auth/tokens/"),
                ("put", "/api/v1/privacy/consent/")]
CART_TOKEN = {"HTTP_X_CART_TOKEN": "0123456789abcdef0123456789abcdef"}


def send(api, method: str, path: str, body: bytes):
    return getattr(api, method)(path, body, content_type="application/json", **CART_TOKEN)


def assert_one_warning_and_no_error(caplog, written: str) -> None:
    records = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert [record.levelname for record in records] == ["WARNING"]
    assert not any(record.exc_info for record in caplog.records)
    assert "Traceback" not in written and "ERROR" not in written


@pytest.mark.parametrize(("method", "path"), BODY_READERS)
def test_json_nested_fifty_thousand_deep_is_a_400_in_the_api_shape(api, caplog, method, path):
    with ConfiguredHandlersCaptured() as written:
        response = send(api, method, path, b"[" * 50_000)

    assert response.status_code == 400
    assert response.json() == {"error": {"status": 400, "code": "parse_error",
                                         "message": "The JSON body is nested too deeply to read."}}
    assert_one_warning_and_no_error(caplog, written.getvalue())


@pytest.mark.parametrize(("method", "path"), BODY_READERS)
def test_a_ten_megabyte_body_is_a_413_in_the_api_shape(api, caplog, method, path):
    body = b'{"name": "' + b"x" * (10 * 1024 * 1024) + b'"}'

    with ConfiguredHandlersCaptured() as written:
        response = send(api, method, path, body)

    assert response.status_code == 413
    assert response.json() == {"error": {
        "status": 413, "code": "too_large",
        "message": f"The request body is larger than the {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes the API reads."}}
    assert_one_warning_and_no_error(caplog, written.getvalue())


def test_a_body_at_the_size_limit_is_read(api):
    """The limit is Django's DATA_UPLOAD_MAX_MEMORY_SIZE: a body of exactly that size is parsed
    (and refused for what it says, not for its size)."""
    padding = settings.DATA_UPLOAD_MAX_MEMORY_SIZE - len(b'{"email": "", "password": "x"}')
    body = b'{"email": "' + b"a" * padding + b'", "password": "x"}'
    assert len(body) == settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    at_limit = send(api, "post", "/api/v1/auth/tokens/", body)
    over_limit = send(api, "post", "/api/v1/auth/tokens/", body + b" ")

    assert at_limit.status_code == 400 and at_limit.json()["error"]["fields"]["email"]
    assert over_limit.status_code == 413
