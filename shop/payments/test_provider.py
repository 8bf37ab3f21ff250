"""The built-in test provider: behaves like a card processor, keeps its own ledger, sends signed webhooks.

Test cards (tokens, as a provider's card form would produce them):
    tok_success          4242 4242 4242 4242  succeeds
    tok_decline          4000 0000 0000 0002  declined by the bank
    tok_error            4000 0000 0000 0119  the provider fails (nothing charged)
    tok_requires_action  4000 0027 6000 3184  asks for authentication (strong customer authentication)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from .models import TestProviderCharge
from .providers import (
    ChargeRequest,
    ChargeResult,
    ChargeStatus,
    RefundResult,
    WebhookEvent,
    WebhookVerificationError,
)

SIGNATURE_HEADER = "Attuned-Test-Signature"
WEBHOOK_TOLERANCE_SECONDS = 300


@dataclass(frozen=True)
class TestCard:
    token: str
    number: str
    label: str


TEST_CARDS = (
    TestCard("tok_success", "4242 4242 4242 4242", "Test card that succeeds"),
    TestCard("tok_requires_action", "4000 0027 6000 3184", "Test card that asks for authentication"),
    TestCard("tok_decline", "4000 0000 0000 0002", "Test card that is declined"),
    TestCard("tok_error", "4000 0000 0000 0119", "Test card that makes the provider fail"),
)


def _secret() -> bytes:
    return settings.SHOP_TEST_PROVIDER_WEBHOOK_SECRET.encode()


def sign_webhook(payload: dict, *, timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
    """A webhook body and its headers, signed the way the test provider signs them."""
    body = json.dumps(payload, sort_keys=True).encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(_secret(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {SIGNATURE_HEADER: f"t={timestamp},v1={signature}"}


def _result(charge: TestProviderCharge) -> ChargeResult:
    status = ChargeStatus(charge.status) if charge.status != "refunded" else ChargeStatus.SUCCEEDED
    action_url = (reverse("payments:test_authenticate", kwargs={"reference": charge.reference})
                  if status == ChargeStatus.REQUIRES_ACTION else None)
    return ChargeResult(status=status, reference=charge.reference, message=charge.message, action_url=action_url)


class TestProvider:
    name = "test"

    def charge(self, request: ChargeRequest) -> ChargeResult:
        existing = TestProviderCharge.objects.filter(idempotency_key=request.idempotency_key).first()
        if existing:  # like a real provider: the same key never charges twice
            return _result(existing)
        outcome = {
            "tok_success": (ChargeStatus.SUCCEEDED, ""),
            "tok_requires_action": (ChargeStatus.REQUIRES_ACTION, "Your bank asks you to confirm this payment."),
            "tok_decline": (ChargeStatus.DECLINED, "Your card was declined."),
            "tok_error": (ChargeStatus.ERROR, "The payment provider had a problem; nothing was charged."),
        }.get(request.token, (ChargeStatus.DECLINED, "That card is not valid."))
        try:
            with transaction.atomic():
                charge = TestProviderCharge.objects.create(
                    reference=f"tp_{secrets.token_hex(12)}", idempotency_key=request.idempotency_key,
                    token=request.token, amount=request.amount, currency=request.currency, status=outcome[0],
                    message=outcome[1], return_url=request.return_url,
                )
        except IntegrityError:
            return _result(TestProviderCharge.objects.get(idempotency_key=request.idempotency_key))
        return _result(charge)

    def retrieve(self, reference: str) -> ChargeResult:
        charge = TestProviderCharge.objects.filter(reference=reference).first()
        if charge is None:
            return ChargeResult(status=ChargeStatus.ERROR, reference=reference, message="Unknown payment.")
        return _result(charge)

    def refund(self, *, reference: str, amount: Decimal, currency: str, idempotency_key: str) -> RefundResult:
        with transaction.atomic():
            charge = TestProviderCharge.objects.select_for_update().filter(reference=reference).first()
            if charge is None or charge.status not in ("succeeded", "refunded"):
                return RefundResult(succeeded=False, reference=None, message="Nothing was charged to refund.")
            if idempotency_key in charge.refund_keys:
                return RefundResult(succeeded=True, reference=f"re_{reference}_{charge.refund_keys.index(idempotency_key)}")
            if charge.refunded_amount + amount > charge.amount or currency != charge.currency:
                return RefundResult(succeeded=False, reference=None, message="The refund exceeds the payment.")
            charge.refunded_amount += amount
            charge.refund_keys = [*charge.refund_keys, idempotency_key]
            if charge.refunded_amount == charge.amount:
                charge.status = "refunded"
            charge.save()
            return RefundResult(succeeded=True, reference=f"re_{reference}_{len(charge.refund_keys) - 1}")

    def verify_webhook(self, *, body: bytes, headers: dict[str, str]) -> WebhookEvent:
        header = headers.get(SIGNATURE_HEADER, "")
        parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        try:
            timestamp = int(parts["t"])
            signature = parts["v1"]
        except (KeyError, ValueError) as error:
            raise WebhookVerificationError("The webhook is not signed.") from error
        expected = hmac.new(_secret(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise WebhookVerificationError("The webhook signature does not match.")
        if abs(time.time() - timestamp) > WEBHOOK_TOLERANCE_SECONDS:
            raise WebhookVerificationError("The webhook is too old (or from the future).")
        try:
            payload = json.loads(body)
            return WebhookEvent(id=str(payload["id"]), type=str(payload["type"]), reference=str(payload["reference"]))
        except (ValueError, KeyError, TypeError) as error:
            raise WebhookVerificationError("The webhook body is not an event.") from error

    # --- the provider's side of strong customer authentication -------------------------

    def authenticate(self, *, reference: str, approve: bool) -> TestProviderCharge | None:
        with transaction.atomic():
            charge = TestProviderCharge.objects.select_for_update().filter(reference=reference).first()
            if charge is None or charge.status != ChargeStatus.REQUIRES_ACTION:
                return charge
            charge.status = ChargeStatus.SUCCEEDED if approve else ChargeStatus.DECLINED
            charge.message = "" if approve else "You did not confirm the payment with your bank."
            charge.save(update_fields=["status", "message"])
            return charge
