"""Consent, download my data and delete my account, for the signed-in person only.

Everything goes through the privacy app's own services (privacy.services, privacy.data_requests);
asking for an export or an erasure needs the account's password again, as the pages ask
for a recent login: an API token alone must not be enough to delete an account.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from primitives.subjects import request_subject
from privacy import data_requests, request_links
from privacy.data_requests import DataRequestRefused
from privacy.models import ConsentSource, DataRequest, DataRequestKind
from privacy.purposes import CONSENT_PURPOSES
from privacy.selectors import account_data_requests, consent_state
from privacy.services import consent_decide
from shop.accounts import login_limits
from shop.api.errors import ServiceRefusal
from shop.api.fields import StrictCharField
from shop.api.parameters import CART_TOKEN

STATUS_CODES = {404: "not_found", 409: "conflict", 410: "gone", 429: "throttled"}


def _refused(refusal: DataRequestRefused) -> ServiceRefusal:
    return ServiceRefusal(refusal.message, status_code=refusal.status,
                          code=STATUS_CODES.get(refusal.status, "refused"))


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class ConsentSerializer(serializers.Serializer):
    notice_version = serializers.CharField(read_only=True)
    decided = serializers.BooleanField(read_only=True)
    purposes = serializers.DictField(child=serializers.BooleanField(), read_only=True,
                                     help_text="Each purpose that needs consent: granted or not.")


@extend_schema_field({"type": "object", "minProperties": 1, "additionalProperties": False,
                     "properties": {purpose: {"type": "boolean"} for purpose in CONSENT_PURPOSES}})
class PurposeChoicesField(serializers.DictField):
    """Purposes by name, each true or false; the schema names them and refuses others, as the API does."""


class ConsentChangeSerializer(serializers.Serializer):
    purposes = PurposeChoicesField(child=StrictBooleanField(), allow_empty=False,
                                     help_text=f"Some of {', '.join(CONSENT_PURPOSES)}: true or false.")

    def validate_purposes(self, value):
        unknown = sorted(set(value) - set(CONSENT_PURPOSES))
        if unknown:
            raise serializers.ValidationError(f"Unknown purposes: {', '.join(unknown)[:200]}. "
                                              f"Choose among {', '.join(CONSENT_PURPOSES)}.")
        return value


def _consent_body(state) -> dict:
    return {"notice_version": state.notice_version, "decided": state.decided,
            "purposes": {purpose: state.granted(purpose) for purpose in CONSENT_PURPOSES}}


class ConsentDetail(APIView):
    """The requester's own consent: the account's; else the cart token's visitor (clients without
    cookies); else the browser session's visitor, exactly as the banner records it (with its cookie)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[CART_TOKEN], responses={200: ConsentSerializer}, summary="Your consent, per purpose")
    def get(self, request):
        # A browser session's visitor is None here: their consent is the banner's (with its cookie).
        subject = request_subject(request, cart_token=True, session_visitor=False)
        state = consent_state(subject=subject) if subject else request._request.privacy_consent.state
        return Response(_consent_body(state))

    @extend_schema(parameters=[CART_TOKEN], request=ConsentChangeSerializer, responses={200: ConsentSerializer},
                   summary="Grant or withdraw consent for some purposes",
                   description="Withdrawing personalization stops it at once and deletes its behavioural data.")
    def put(self, request):
        data = ConsentChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        choices = data.validated_data["purposes"]
        subject = request_subject(request, cart_token=True, session_visitor=False)
        if subject is not None:
            return Response(_consent_body(consent_decide(subject=subject, choices=choices, source=ConsentSource.API)))
        browser = request._request.privacy_consent
        consent_decide(subject=browser.subject_for_decision(), choices=choices, source=ConsentSource.API)
        browser.refresh()
        return Response(_consent_body(browser.state))


class PasswordSerializer(serializers.Serializer):
    password = StrictCharField(max_length=200, trim_whitespace=False,
                               help_text="Your account's password, asked again for this.")


class DataRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=DataRequestKind.values)
    status = serializers.CharField()
    progress = serializers.IntegerField(help_text="Percent done, for an export being built.")
    created_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True, help_text="Erasure: when it is carried out.")
    blocked_reason = serializers.CharField(help_text="Erasure: what it waits for (orders being fulfilled).")
    file_expires_at = serializers.DateTimeField(allow_null=True)
    download_url = serializers.CharField(allow_null=True, help_text="Export: the ZIP, while it can be fetched.")


def _request_body(request, data_request: DataRequest, *, download_token: str | None = None) -> dict:
    return {
        "id": data_request.pk, "kind": data_request.kind, "status": data_request.status,
        "progress": data_request.progress, "created_at": data_request.created_at, "due_at": data_request.due_at,
        "blocked_reason": data_request.blocked_reason, "file_expires_at": data_request.file_expires_at,
        "download_url": request.build_absolute_uri(reverse("api:privacy-export-download",
                                                           kwargs={"token": download_token}))
        if download_token else None,
    }


def _password_check(request) -> None:
    data = PasswordSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        # Counted with every other password attempt on the account (shop/accounts/login_limits.py).
        confirmed = login_limits.password_confirm(request, user=request.user, password=data.validated_data["password"])
    except login_limits.TooManyFailedLogins as locked:
        raise ServiceRefusal(str(locked), status_code=429, code="too_many_failed_logins") from None
    if not confirmed:
        raise ServiceRefusal("password: That is not your account's password.", status_code=403,
                             code="wrong_password")


class WriteThrottledView(APIView):
    """Only the writes count against the view's scope."""

    permission_classes = [permissions.IsAuthenticated]

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.request.method == "GET":
            throttles = [t for t in throttles if not isinstance(t, ScopedRateThrottle)]
        return throttles


class ExportDetail(WriteThrottledView):
    throttle_scope = "export"

    @extend_schema(responses={200: DataRequestSerializer},
                   summary="Your latest request for a copy of your data (404: none)")
    def get(self, request):
        found = account_data_requests(user_id=request.user.pk)
        if found.latest_export is None:
            raise ServiceRefusal("You have not asked for a copy of your data.", status_code=404, code="not_found")
        return Response(_request_body(request, found.latest_export, download_token=found.download_token))

    @extend_schema(request=PasswordSerializer, responses={202: DataRequestSerializer},
                   summary="Ask for a copy of your data (built in the background)")
    def post(self, request):
        _password_check(request)
        try:
            export = data_requests.export_request(user_id=request.user.pk)
        except DataRequestRefused as refusal:
            raise _refused(refusal) from None
        return Response(_request_body(request, export), status=status.HTTP_202_ACCEPTED)


class ExportDownload(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={(200, "application/zip"): OpenApiResponse(response=bytes, description="The ZIP."),
                              410: OpenApiResponse(description="The file has expired and is deleted.")},
                   summary="Download the copy of your data", operation_id="privacy_export_download")
    def get(self, request, token: str):
        try:
            _, archive = data_requests.export_file_for_download(token=token, user=request.user)
        except DataRequestRefused as refusal:
            raise _refused(refusal) from None
        response = HttpResponse(archive, content_type="application/zip")
        filename = f"{settings.SHOP_NAME.lower()}-data.zip"
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["Cache-Control"] = "private, no-store"
        return response


class ErasureDetail(WriteThrottledView):
    throttle_scope = "erasure"

    @extend_schema(responses={200: DataRequestSerializer}, summary="Your scheduled account deletion (404: none)")
    def get(self, request):
        open_erasure = account_data_requests(user_id=request.user.pk).open_erasure
        if open_erasure is None:
            raise ServiceRefusal("You have no account deletion scheduled.", status_code=404, code="not_found")
        return Response(_request_body(request, open_erasure))

    @extend_schema(request=PasswordSerializer, responses={
        202: DataRequestSerializer,
        409: OpenApiResponse(description="A copy of your data is being prepared: ask again once it is ready.")},
                   summary="Delete your account after the grace period",
                   description="Personalization and marketing stop at once; cancel before `due_at`.")
    def post(self, request):
        _password_check(request)
        try:
            erasure = data_requests.erasure_request(user_id=request.user.pk)
        except DataRequestRefused as refusal:
            raise _refused(refusal) from None
        return Response(_request_body(request, erasure), status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={
        200: DataRequestSerializer, 409: OpenApiResponse(description="The deletion was already cancelled."),
        410: OpenApiResponse(description="The deletion has been carried out.")},
                   summary="Cancel your scheduled account deletion")
    def delete(self, request):
        open_erasure = account_data_requests(user_id=request.user.pk).open_erasure
        if open_erasure is None:
            raise ServiceRefusal("You have no account deletion scheduled.", status_code=404, code="not_found")
        try:
            cancelled = data_requests.erasure_cancel(token=request_links.cancel_token(open_erasure))
        except DataRequestRefused as refusal:
            raise _refused(refusal) from None
        return Response(_request_body(request, cancelled))
