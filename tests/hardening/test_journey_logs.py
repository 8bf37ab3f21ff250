"""The log of a whole shopper journey, web and worker, holds none of the shopper's data.

A distinctive guest orders, opens their order link, asks for their order links again, signs
up and resets their password. The web side runs here through the configured LOGGING
handlers; the e-mails go through a real `celery -A config worker` process, whose own output
is the worker's log. Neither may contain the shopper's name, address, e-mail, phone number,
or any link or key they were sent."""

import logging
import re
import secrets
import time
from decimal import Decimal
from email import message_from_bytes
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from shop.orders.models import Order, OrderEmail
from tests.factories import ProductFactory
from tests.hardening.log_capture import ConfiguredHandlersCaptured
from tests.hardening.worker_processes import WorkerProcess, broker_forget_everything
from tests.shop.checkout_helpers import checkout_to_review, pay
from tests.waiting import wait_for

# A fresh address per run: "find your order" allows three e-mails an hour per address, counted in Redis.
SHOPPER = {
    "email": f"zephyrine.quillfeather.{secrets.token_hex(3)}@attuned.test", "full_name": "Zephyrine Quillfeather",
    "line1": "17 Marigold Terrace", "line2": "Flat Nine", "city": "Oddington", "postcode": "OX7 9QQ",
    "country": "GB", "phone": "+44 7700 900987",
}
DISTINCTIVE = ["zephyrine", "quillfeather", "Marigold", "Flat Nine", "Oddington", "OX7 9QQ", "OX79QQ",
               "900987", "7700 900987"]
PASSWORD = "a distinctive passphrase 4417"


def mails_in(outbox: Path) -> list:
    return [message_from_bytes(path.read_bytes()) for path in sorted(outbox.glob("*"))]


def body(message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    return "\n".join(part.get_payload(decode=True).decode() for part in parts
                     if part.get_content_type() == "text/plain")


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", text)


@pytest.mark.postgres
@pytest.mark.worker
def test_a_shopper_journey_leaves_no_trace_of_the_shopper_in_web_or_worker_logs(transactional_db, tmp_path):
    broker_forget_everything()
    outbox = tmp_path / "outbox"
    worker = WorkerProcess("journey", tmp_path / "worker.log", EMAIL_URL=f"filemail:///{outbox}")
    sent_links: list[str] = []
    try:
        worker.wait_until_ready()
        lantern = ProductFactory(title="Brass lantern", slug="brass-lantern-with-a-long-readable-slug-84029",
                                 price=Decimal("12.00"), variant__stock=5)
        shopper = Client()
        with ConfiguredHandlersCaptured() as web_log:
            logging.getLogger("attuned.journey").warning("journey starts at %s", "/p/brass-lantern/")
            # A guest orders.
            assert pay(shopper, checkout_to_review(shopper, lantern, address=SHOPPER)).status_code == 302
            order = Order.objects.get()
            wait_for(lambda: OrderEmail.objects.filter(order=order).exists() and mails_in(outbox))
            confirmation = mails_in(outbox)[0]
            sent_links += links_in(body(confirmation))
            order_link = next(link for link in sent_links if "/orders/" in link)
            page = shopper.get(order_link.split("8000", 1)[-1])
            assert page.status_code == 200 and "Zephyrine Quillfeather" in page.content.decode()
            # A tampered link, and a product page with a long slug.
            assert shopper.get(order_link.split("8000", 1)[-1][:-6] + "xxxxx/").status_code == 404
            assert shopper.get(lantern.get_absolute_url()).status_code == 200
            assert shopper.get("/p/white-hanging-heart-t-light-holder-85123a/").status_code == 404
            # They ask for their order links again: the worker e-mails them.
            find_request_id = shopper.post("/orders/find/", {"email": SHOPPER["email"]})["X-Request-ID"]
            wait_for(lambda: len(mails_in(outbox)) == 2)
            sent_links += links_in(body(mails_in(outbox)[1]))
            # They sign up, confirm their address, and reset their password.
            account = Client()
            account.post("/accounts/signup/", {"email": SHOPPER["email"], "password1": PASSWORD,
                                                "password2": PASSWORD})
            account.post("/accounts/login/", {"login": SHOPPER["email"], "password": "wrong " + PASSWORD})
            account.post("/accounts/password/reset/", {"email": SHOPPER["email"]})
            for message in mail.outbox:
                sent_links += links_in(message.body)
            for link in sent_links:
                account.get(link.split("8000", 1)[-1] if "8000" in link else link.split("testserver", 1)[-1])
            logging.getLogger("attuned.journey").warning("journey ends")
        worker.stop()
        worker_log = worker.output()
    finally:
        worker.stop()

    web = web_log.getvalue()
    # Both logs were really captured: the web's lines and the worker's task lines.
    assert "journey starts" in web and "journey ends" in web and "Not Found" in web
    assert "send_order_email" in worker_log and "succeeded" in worker_log
    assert "send_guest_order_links" in worker_log
    # The task that request queued logs under the request's id, in the worker too.
    assert any(f"[{find_request_id}]" in line and "send_guest_order_links" in line
               for line in worker_log.splitlines()), worker_log
    # Product pages stay readable.
    assert "Not Found: /p/white-hanging-heart-t-light-holder-85123a/" in web
    # Nothing of the shopper, nor any link or key they were sent.
    assert len(sent_links) >= 4
    secrets = DISTINCTIVE + [SHOPPER["email"]] + [link.rstrip("/").rsplit("/", 1)[-1] for link in sent_links
                                                 if len(link.rstrip("/").rsplit("/", 1)[-1]) >= 12]
    for name, text in {"web": web, "worker": worker_log}.items():
        for secret in secrets:
            assert secret.lower() not in text.lower(), f"{secret!r} in the {name} log"


@pytest.mark.postgres
@pytest.mark.worker
def test_the_workers_log_keeps_long_task_names_and_the_id_of_the_request_that_queued_them(transactional_db,
                                                                                        tmp_path):
    from config.logging import current_request_id
    from personalization.recommendations.tasks import retrain_recommenders_if_requested

    broker_forget_everything()
    worker = WorkerProcess("names", tmp_path / "worker.log")
    request_id = "5e0c7d4a9b2f4e6a8c1d3f5b7a9e0c2d"
    try:
        worker.wait_until_ready()
        queued_by = current_request_id.set(request_id)
        try:
            retrain_recommenders_if_requested.delay()
        finally:
            current_request_id.reset(queued_by)
        wait_for(lambda: "succeeded" in worker.output())
    finally:
        worker.stop()

    name = "personalization.recommendations.tasks.retrain_recommenders_if_requested"
    lines = [line for line in worker.output().splitlines() if f"Task {name}[" in line]
    assert any(line.endswith("received") for line in lines), worker.output()
    assert any(f"[{request_id}]" in line and " succeeded in " in line for line in lines), worker.output()
    assert "tasks.[redacted]" not in worker.output()


class RefusingMailServer:
    """A minimal SMTP server that refuses every recipient (the worker's send fails loudly)."""

    def __init__(self):
        import socket
        import threading

        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.port = self.socket.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        try:
            while True:
                connection, _ = self.socket.accept()
                with connection, connection.makefile("rwb") as stream:
                    stream.write(b"220 mail.attuned.test ready\r\n")
                    stream.flush()
                    for line in stream:
                        command = line[:4].upper()
                        reply = {b"EHLO": b"250 mail.attuned.test\r\n", b"HELO": b"250 ok\r\n",
                                 b"MAIL": b"250 ok\r\n", b"RSET": b"250 ok\r\n", b"NOOP": b"250 ok\r\n",
                                 b"RCPT": b"550 5.1.1 no such mailbox here\r\n",
                                 b"QUIT": b"221 bye\r\n"}.get(command, b"502 not implemented\r\n")
                        stream.write(reply)
                        stream.flush()
                        if command == b"QUIT":
                            break
        except OSError:
            return

    def close(self):
        self.socket.close()


@pytest.mark.postgres
@pytest.mark.worker
def test_a_failing_task_logs_its_error_in_the_worker_without_the_shoppers_address(transactional_db, tmp_path):
    from shop.orders.tasks import send_order_email
    from tests.factories import OrderFactory, UserFactory, order_line_create

    broker_forget_everything()
    server = RefusingMailServer()
    order = OrderFactory(user=UserFactory(email=SHOPPER["email"]))
    order_line_create(order=order, product=ProductFactory(title="Brass lantern"))
    worker = WorkerProcess("refused", tmp_path / "worker.log", EMAIL_URL=f"smtp://127.0.0.1:{server.port}")
    try:
        worker.wait_until_ready()
        send_order_email.delay(order.pk, "confirmation")
        wait_for(lambda: "SMTPRecipientsRefused" in worker.output())
        time.sleep(1)
    finally:
        worker.stop()
        server.close()

    log = worker.output()
    assert "Traceback" in log and "[redacted]" in log
    assert "zephyrine" not in log.lower() and "attuned.test" not in log
