"""No e-mail address, phone number, token or query string reaches a log line."""

import io
import logging
import re

import pytest
from django.conf import settings

from config import gunicorn as gunicorn_config
from config.logging import RedactPersonalDataFilter, redact

LEAKS = {
    "e-mail": ("Password reset sent to jane.doe+shop@example.co.uk", "jane.doe"),
    "query string": ('"GET /search/?q=pregnancy+test&email=a%40b.c HTTP/1.1" 200', "pregnancy"),
    "international phone": ("Customer called from +44 20 7946 0958 about order", "7946"),
    "national phone": ("Callback number 07700 900123 noted", "900123"),
    "token": ("Signed link token=eyJhbGciOiJIUzI1NiJ9.abc accepted", "eyJhbGci"),
    "reset key": ("/accounts/password/reset/key/3n-c5d2b1e0f9a8b7c6d5e4f3a2b1c0d9e8f7/", "c5d2b1e0f9a8b7c6"),
    "postcode": ("Shipping to SW1A 1AA tomorrow", "SW1A 1AA"),
}


@pytest.mark.parametrize("case", sorted(LEAKS))
def test_personal_data_is_redacted(case):
    message, secret = LEAKS[case]

    assert secret not in redact(message)
    assert "[redacted]" in redact(message)


def test_ordinary_operational_messages_are_kept():
    message = "Imported 16,206 orders in 41.2 s; order 536365 placed 2010-12-01 08:26:00"

    assert redact(message) == message


def test_the_configured_handler_redacts_arguments_of_a_real_log_call():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactPersonalDataFilter())
    logger = logging.getLogger("attuned.test.redaction")
    # Its own level: a Celery worker started by another test lowers the root logger's.
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        logger.warning("login failed for %s from %s", "shopper@example.com", "/accounts/login/?next=/cart/")
    finally:
        logger.removeHandler(handler)

    line = stream.getvalue()
    assert "shopper@example.com" not in line and "next=/cart" not in line
    assert line.startswith("login failed for [redacted]")


def test_every_configured_log_handler_passes_through_the_redaction_filter():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact_personal_data" in handler.get("filters", []), name
    for name, handler in gunicorn_config.logconfig_dict["handlers"].items():
        assert "redact_personal_data" in handler.get("filters", []), name


def test_gunicorn_access_log_has_neither_query_string_nor_client_address():
    log_format = gunicorn_config.access_log_format

    assert "%(U)s" in log_format
    for atom in ("%(q)s", "%(r)s", "%(h)s", "%(f)s", "%(a)s"):
        assert atom not in log_format
    # No request header (X-Forwarded-For, cookies...) nor environment value; response headers only.
    assert not re.search(r"%\(\{[^}]*\}[ie]\)s", log_format)


def test_long_product_slugs_stay_readable_and_tokens_of_the_same_length_do_not():
    slug_path = "GET /p/white-hanging-heart-t-light-holder-85123a/ 200"
    tokens = {
        "signed order link": "/orders/eyJvcmRlciI6MTIzNDUsIm51bWJlciI6IkExQjJDM0Q0In0:1xXls2:7btlaMvN3p2Q7nt"
                             "fwOKXh4bxEkn5fM3jZ_u0u-gVSok/",
        "e-mail confirmation key": "/accounts/confirm-email/MQ:1vAbcd:Xy_z0123456789abcdefghijklmnopqrstuv/",
        "session key": "session 3f2a1b4c5d6e7f8091a2b3c4d5e6f708 expired",
        "uuid": "visitor 123e4567-e89b-12d3-a456-426614174000 merged",
    }

    assert redact(slug_path) == slug_path
    assert redact("/p/set-of-3-cake-tins-pantry-design-22720/") == "/p/set-of-3-cake-tins-pantry-design-22720/"
    for name, text in tokens.items():
        assert "[redacted]" in redact(text), name
    assert "7btlaMvN" not in redact(tokens["signed order link"])
    assert "eyJvcmRlciI6" not in redact(tokens["signed order link"])
    assert "426614174000" not in redact(tokens["uuid"])


def test_a_traceback_quoting_an_address_is_redacted():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactPersonalDataFilter())
    logger = logging.getLogger("attuned.test.traceback")
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("no mailbox for shopper@example.com")
        except ValueError:
            logger.exception("sending failed")
    finally:
        logger.removeHandler(handler)

    assert "Traceback" in stream.getvalue() and "ValueError: no mailbox for [redacted]" in stream.getvalue()
    assert "shopper@example.com" not in stream.getvalue()
