"""The payment-provider interface. The shop talks to a provider only through this.

A provider charges a token its own card form produced (card data never reaches
the shop), may ask for a second step (strong customer authentication) by
returning an action URL, refunds, and signs the webhooks it sends. A real
provider is a class with these methods, named in the SHOP_PAYMENT_PROVIDER setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class ChargeStatus(StrEnum):
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    ERROR = "error"
    REQUIRES_ACTION = "requires_action"


@dataclass(frozen=True, kw_only=True)
class ChargeRequest:
    amount: Decimal
    currency: str
    token: str
    idempotency_key: str
    return_url: str
    description: str = ""


@dataclass(frozen=True, kw_only=True)
class ChargeResult:
    status: ChargeStatus
    reference: str | None
    message: str = ""
    action_url: str | None = None


@dataclass(frozen=True, kw_only=True)
class RefundResult:
    succeeded: bool
    reference: str | None
    message: str = ""


@dataclass(frozen=True, kw_only=True)
class WebhookEvent:
    id: str
    type: str          # payment.succeeded | payment.failed | refund.succeeded
    reference: str     # the charge's reference


class WebhookVerificationError(Exception):
    """A webhook whose signature, age or body does not check out."""


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered nonsense: nothing is known to have happened."""


class PaymentProvider(Protocol):
    name: str

    def charge(self, request: ChargeRequest) -> ChargeResult: ...

    def retrieve(self, reference: str) -> ChargeResult: ...

    def refund(self, *, reference: str, amount: Decimal, currency: str, idempotency_key: str) -> RefundResult: ...

    def verify_webhook(self, *, body: bytes, headers: dict[str, str]) -> WebhookEvent: ...


def payment_provider(name: str | None = None) -> PaymentProvider:
    """The configured provider (or the one named, for a webhook or a refund of an older payment)."""
    providers = getattr(settings, "SHOP_PAYMENT_PROVIDERS", {"test": "shop.payments.test_provider.TestProvider"})
    name = name or settings.SHOP_PAYMENT_PROVIDER
    if name not in providers:
        raise LookupError(f"No payment provider named {name!r}.")
    return import_string(providers[name])()
