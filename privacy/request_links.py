"""The signed links of data requests: downloading an export, cancelling an erasure, confirming a
guest's request. A token names the request's id and random pseudonym, never the person."""

from __future__ import annotations

import uuid

from django.core import signing

from .models import DataRequest

DOWNLOAD_SALT = "privacy.export.download"
CANCEL_SALT = "privacy.erasure.cancel"
CONFIRM_SALT = "privacy.guest-request.confirm"
GUEST_LINK_MAX_AGE = 60 * 60 * 24  # a guest's confirmation link works for a day (privacy.guest_requests)


def _sign(request: DataRequest, salt: str) -> str:
    return signing.dumps({"r": request.pk, "p": request.pseudonym.hex}, salt=salt, compress=True)


def request_from_token(token: str, salt: str, max_age: int | None) -> DataRequest | None:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
        return DataRequest.objects.filter(pk=int(data["r"]), pseudonym=uuid.UUID(hex=data["p"])).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def download_token(request: DataRequest) -> str:
    return _sign(request, DOWNLOAD_SALT)


def cancel_token(request: DataRequest) -> str:
    return _sign(request, CANCEL_SALT)


def confirm_token(request: DataRequest) -> str:
    return _sign(request, CONFIRM_SALT)
