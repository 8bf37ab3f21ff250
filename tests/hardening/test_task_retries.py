"""Every task retries transient failures with back-off, has a time limit, and is acknowledged
late, with Redis's visibility timeout longer than any task may run."""

import smtplib

import pytest
from django.conf import settings
from django.core import mail
from django.db import OperationalError
from django.test import override_settings
from kombu.exceptions import OperationalError as BrokerOperationalError

from config.celery import ShopTask, app
from shop.orders.models import OrderEmail
from shop.orders.tasks import send_order_email
from tests.factories import OrderFactory, ProductFactory, UserFactory, order_line_create
from tests.hardening.flaky_mail import FlakySMTPBackend


def project_tasks():
    app.loader.import_default_modules()
    return [task for name, task in sorted(app.tasks.items())
            if name.startswith(("shop.", "personalization.", "privacy."))]


def test_there_are_project_tasks_to_check():
    names = {task.name for task in project_tasks()}

    assert {"shop.orders.tasks.send_order_email", "shop.checkout.tasks.reconcile_payments"} <= names


@pytest.mark.parametrize("error", [OperationalError, BrokerOperationalError, smtplib.SMTPServerDisconnected,
                                   smtplib.SMTPConnectError, ConnectionError])
def test_every_task_retries_transient_errors_with_back_off(error):
    for task in project_tasks():
        assert isinstance(task, ShopTask), task.name
        assert issubclass(error, task.autoretry_for), (task.name, error)
        assert task.retry_backoff and task.retry_jitter and task.max_retries, task.name
        assert hasattr(task, "_orig_run"), f"{task.name} is not wrapped for retries"


def test_every_task_has_a_time_limit_shorter_than_the_redis_visibility_timeout():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]

    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    for task in project_tasks():
        limit = task.time_limit or app.conf.task_time_limit
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        assert limit and soft and soft < limit < visibility, task.name
        assert task.acks_late, task.name


@pytest.mark.worker
@override_settings(EMAIL_BACKEND="tests.hardening.flaky_mail.FlakySMTPBackend")
def test_an_order_email_survives_a_mail_server_that_drops_two_connections(celery_worker):
    order = OrderFactory(user=UserFactory(email="ada.lovelace@attuned.test"))
    order_line_create(order=order, product=ProductFactory(title="Brass lantern"))
    FlakySMTPBackend.failures_left, FlakySMTPBackend.attempts = 2, 0
    FlakySMTPBackend.error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    result = send_order_email.delay(order.pk, "confirmation")

    assert result.get(timeout=60) is True
    assert FlakySMTPBackend.attempts == 3
    assert [message.to for message in mail.outbox] == [["ada.lovelace@attuned.test"]]
    assert OrderEmail.objects.filter(order=order).count() == 1


@pytest.mark.worker
@override_settings(EMAIL_BACKEND="tests.hardening.flaky_mail.FlakySMTPBackend")
def test_a_permanent_refusal_from_the_mail_server_is_not_retried(celery_worker):
    order = OrderFactory(user=UserFactory(email="ada.lovelace@attuned.test"))
    FlakySMTPBackend.failures_left, FlakySMTPBackend.attempts = 5, 0
    FlakySMTPBackend.error = smtplib.SMTPDataError(554, b"5.7.1 message rejected")

    result = send_order_email.delay(order.pk, "confirmation")

    with pytest.raises(smtplib.SMTPDataError):
        result.get(timeout=60)
    assert FlakySMTPBackend.attempts == 1
    assert mail.outbox == [] and not OrderEmail.objects.filter(order=order).exists()
