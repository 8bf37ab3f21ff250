"""One error shape for every API response that is not a success.

    {"error": {"status": 400, "code": "invalid", "message": "...", "fields": {"quantity": ["..."]}}}

`message` is one sentence a person can read; `fields` (validation errors only) names each
field that was refused, with its messages. Services' own refusals (CartError, CheckoutError)
become the same shape with their status and message.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class ServiceRefusal(exceptions.APIException):
    """A refusal with its own status and message (a service said no)."""

    def __init__(self, message: str, *, status_code: int = status.HTTP_400_BAD_REQUEST, code: str = "refused"):
        self.status_code = status_code
        super().__init__(detail=message, code=code)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self) -> None:
        super().__init__(detail=f"The request body is larger than the {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} "
                                "bytes the API reads.")


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _flatten(value)]
    return [str(detail)]


def _field_messages(detail: Any) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for name, value in detail.items():
            fields[str(name)] = _flatten(value)
    elif detail:
        fields["non_field_errors"] = _flatten(detail)
    return fields


def error_body(*, status_code: int, code: str, message: str, fields: dict | None = None) -> dict:
    error: dict[str, Any] = {"status": status_code, "code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, then our shape; anything else is a bug: a 500 in the same shape, logged."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE: the client's mistake, not
        # a bug (django.request logs the 413 once, at WARNING).
        exc = PayloadTooLarge()
    response = drf_exception_handler(exc, context)
    if response is None:
        # A bug: logged with its traceback (through the redaction filter), answered in the API's shape.
        logger.exception("Unhandled error in the API view %s", type(context.get("view")).__name__)
        return Response(error_body(status_code=500, code="server_error",
                                   message="Something went wrong on our side. Please try again later."),
                        status=500)
    if isinstance(exc, exceptions.ValidationError):
        fields = _field_messages(exc.detail)
        first_field, messages = next(iter(fields.items()))
        label = "" if first_field == "non_field_errors" else f"{first_field}: "
        body = error_body(status_code=response.status_code, code="invalid",
                          message=f"{label}{messages[0]}", fields=fields)
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
        body = error_body(status_code=response.status_code, code=code, message=" ".join(_flatten(response.data)))
    response.data = body
    return response


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Any address under /api/ that names no resource: a 404 in the API's shape, not a page."""
    return JsonResponse(error_body(status_code=404, code="not_found",
                                   message="There is no API resource at this address."), status=404)
