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


@pytest.mark.parametrize("message,secret", [
    ("login attempt with password=hunter2 refused", "hunter2"),
    ('payload {"password": "hunter2 again", "user": 7}', "hunter2"),
    ("retrying with api_key=ak_live_51Hq8Z now", "ak_live"),
    ("header X-Api-Key: ak_live_51Hq8Z seen", "ak_live"),
    ("Authorization: Token 9944b09199c6 rejected", "9944b09199c6"),
    ("Authorization: Bearer eyJhbGci.short rejected", "eyJhbGci"),
    ("callback access_token=ya29.a0Af rejected", "ya29"),
])
def test_secrets_written_as_name_and_value_are_redacted(message, secret):
    redacted = redact(message)

    assert secret not in redacted
    assert "[redacted]" in redacted
    # What follows the secret is kept: the rule takes the value, not the rest of the line.
    assert redacted.split()[-1] == message.split()[-1]


def test_the_records_own_request_id_stays_in_the_message_and_other_long_hex_runs_do_not():
    request_id = "0afbbd7724c94dc38923eb0a18a7c3e0"
    session_key = "3f2a1b4c5d6e7f8091a2b3c4d5e6f708"
    access_line = f'"GET /search/?q=lantern" 200 8672 12ms {request_id} session {session_key}'

    redacted = redact(access_line, request_id=request_id)

    assert redacted == f'"GET /search/?[redacted]" 200 8672 12ms {request_id} session [redacted]'
    # Without the record's id, the same line keeps neither.
    assert request_id not in redact(access_line)
    # Inside a longer token the id is no shield for the token.
    assert "[redacted]" in redact(f"/orders/eyJvcmRlciI6:1xXls2:{request_id}x7btlaMvN3p2Q/", request_id=request_id)


def test_the_handler_keeps_the_request_id_the_record_carries():
    request_id = "0afbbd7724c94dc38923eb0a18a7c3e0"
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1,
                               '"GET %s" 200 %s', ("/p/?q=lantern", request_id), None)
    record.request_id = request_id

    RedactPersonalDataFilter().filter(record)

    assert record.getMessage() == f'"GET /p/?[redacted]" 200 {request_id}'


@pytest.mark.parametrize("name", [
    "personalization.tasks.retrain_recommenders_if_requested",
    "personalization.tasks.send_marketing_campaign_batch_to_segment",
    "privacy.tasks.purge_expired_behaviour_events_older_than_retention",
])
def test_task_names_stay_readable_in_a_workers_lines(name):
    line = f"Task {name}[3f2a1b4c-5d6e-7f80-91a2-b3c4d5e6f708] succeeded in 0.01s: None"

    assert redact(line) == f"Task {name}[[redacted]] succeeded in 0.01s: None"


@pytest.mark.parametrize("token", [
    "q7wz_lm2k_zkm7_w2ql_l9qw_2m7k_zx2w",  # lowercase, underscores, but no words
    "Retrain_Recommenders_If_Requested_Now",  # capitals: not a code name
    "api_3f2a1b4c5d6e7f8091a2b3c4d5e6f708",
])
def test_tokens_joined_by_underscores_are_still_redacted(token):
    assert token not in redact(f"value {token} seen")
