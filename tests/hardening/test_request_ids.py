"""Every log line carries the id of the request it belongs to, in the web and in the tasks that
request queued; production writes JSON lines."""

import json
import logging
import re

import pytest
from django.test import override_settings

from config.logging import JsonFormatter, RedactPersonalDataFilter, RequestIdFilter, current_request_id
from shop.orders.models import Order
from tests.factories import OrderFactory
from tests.hardening.log_capture import ConfiguredHandlersCaptured
from tests.waiting import wait_for


def test_a_json_line_has_time_level_logger_request_id_and_the_redacted_message():
    record = logging.LogRecord("shop.orders", logging.WARNING, __file__, 1, "refund failed for %s", ("a@b.example",),
                               None)
    token = current_request_id.set("4f1c2e")
    try:
        RequestIdFilter().filter(record)
    finally:
        current_request_id.reset(token)
    RedactPersonalDataFilter().filter(record)

    line = json.loads(JsonFormatter().format(record))

    assert line["level"] == "WARNING" and line["logger"] == "shop.orders" and line["request_id"] == "4f1c2e"
    assert line["message"] == "refund failed for [redacted]"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$", line["time"])


@pytest.mark.django_db
def test_the_web_answers_with_its_request_id_and_logs_with_it(client):
    with ConfiguredHandlersCaptured() as log:
        response = client.get("/p/no-such-product/")

    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert f"[{request_id}] Not Found: /p/no-such-product/" in log.getvalue()
    assert client.get("/robots.txt")["X-Request-ID"] != request_id


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_proxys_request_id_is_kept_anyone_elses_is_replaced(client):
    from_proxy = client.get("/robots.txt", HTTP_X_REQUEST_ID="edge-7f3a9c21", REMOTE_ADDR="10.0.0.5")
    from_anyone = client.get("/robots.txt", HTTP_X_REQUEST_ID="edge-7f3a9c21", REMOTE_ADDR="203.0.113.9")
    forged = client.get("/robots.txt", HTTP_X_REQUEST_ID="x\nINFO forged line", REMOTE_ADDR="10.0.0.5")

    assert from_proxy["X-Request-ID"] == "edge-7f3a9c21"
    assert from_anyone["X-Request-ID"] != "edge-7f3a9c21"
    assert "forged" not in forged["X-Request-ID"]


@pytest.mark.worker
def test_a_task_queued_by_a_request_logs_with_that_requests_id(celery_worker, client):
    from shop.orders.tasks import send_order_email

    order = OrderFactory()
    with ConfiguredHandlersCaptured() as log:
        token = current_request_id.set("req-0123456789")
        try:
            result = send_order_email.delay(order.pk, "confirmation")
        finally:
            current_request_id.reset(token)
        result.get(timeout=60)
        plain = send_order_email.delay(order.pk, "shipped")
        plain.get(timeout=60)
        # The worker stores a task's result before it logs "succeeded": wait for both lines.
        wait_for(lambda: any("[req-0123456789]" in line and "send_order_email" in line and "succeeded" in line
                             for line in log.getvalue().splitlines()),
                 timeout=30, what="the task queued under the request id to log that it succeeded")
        wait_for(lambda: any("[-]" in line and "succeeded" in line for line in log.getvalue().splitlines()),
                 timeout=30, what="the task queued outside any request to log that it succeeded")
    assert Order.objects.filter(pk=order.pk).exists()
