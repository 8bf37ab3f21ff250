"""A worker killed with SIGKILL in the middle of a task leaves nothing half-written, and the
task completes on the next worker (acks_late, reject_on_worker_lost, Redis visibility timeout)."""

import socket
import threading
import time
from email import message_from_bytes

import pytest

from shop.orders.models import OrderEmail
from shop.orders.tasks import send_order_email
from tests.factories import OrderFactory, ProductFactory, UserFactory, order_line_create
from tests.hardening.worker_processes import WorkerProcess, broker_forget_everything

# Short enough for a test: Redis hands the killed worker's task on after this many seconds.
VISIBILITY = "3"


class SilentMailServer:
    """Accepts SMTP connections and never answers: a send hangs there until the worker dies."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.port = self.socket.getsockname()[1]
        self.connected = threading.Event()
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        try:
            while True:
                client, _ = self.socket.accept()
                self.held.append(client)
                self.connected.set()
        except OSError:
            return

    def close(self):
        for client in self.held:
            client.close()
        self.socket.close()


@pytest.mark.postgres
@pytest.mark.worker
def test_a_worker_killed_mid_send_leaves_no_record_and_the_next_worker_sends_once(transactional_db, tmp_path):
    broker_forget_everything()
    shopper = UserFactory(email="ada.lovelace@attuned.test")
    order = OrderFactory(user=shopper)
    order_line_create(order=order, product=ProductFactory(title="Brass lantern"))
    mail_server = SilentMailServer()
    outbox = tmp_path / "outbox"
    first = WorkerProcess("first", tmp_path / "first.log", EMAIL_URL=f"smtp://127.0.0.1:{mail_server.port}",
                          CELERY_VISIBILITY_TIMEOUT=VISIBILITY)
    second = None
    try:
        first.wait_until_ready()
        send_order_email.delay(order.pk, "confirmation")

        # The first worker has begun: its record of the e-mail is written, the send is in flight.
        assert mail_server.connected.wait(timeout=60), first.output()
        first.kill()
        assert not OrderEmail.objects.filter(order=order).exists()

        time.sleep(float(VISIBILITY) + 1)
        # django-environ drops the first slash of the path: "filemail:///" + "/tmp/..." is absolute.
        second = WorkerProcess("second", tmp_path / "second.log", EMAIL_URL=f"filemail:///{outbox}",
                               CELERY_VISIBILITY_TIMEOUT=VISIBILITY)
        deadline = time.monotonic() + 90
        while not OrderEmail.objects.filter(order=order).exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2)  # a second delivery, if there were one, would land now

        assert OrderEmail.objects.filter(order=order, kind="confirmation").count() == 1, second.output()
        sent = [message_from_bytes(path.read_bytes()) for path in outbox.iterdir()]
        assert len(sent) == 1
        assert sent[0]["To"] == "ada.lovelace@attuned.test"
        assert order.number in sent[0]["Subject"]
        assert "succeeded" in second.output()
    finally:
        first.stop()
        if second is not None:
            second.stop()
        mail_server.close()
