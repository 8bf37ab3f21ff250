"""API tokens: create (with e-mail and password, or from a signed-in session), list, revoke."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from drf_spectacular.utils import OpenApiResponse, extend_schema
from shop.api.fields import StrictCharField, StrictEmailField
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from shop.api.errors import ServiceRefusal

from .. import login_limits
from . import tokens


class TokenSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    prefix = serializers.CharField(read_only=True, help_text="The key's first characters, to tell keys apart.")
    created_at = serializers.DateTimeField(read_only=True)
    last_used_at = serializers.DateTimeField(read_only=True, allow_null=True)


class NewTokenSerializer(TokenSerializer):
    key = serializers.CharField(read_only=True, help_text="Shown this once: only a hash of it is kept.")


class TokenCreateSerializer(serializers.Serializer):
    email = StrictEmailField(required=False, max_length=254,
                                   help_text="Not needed when signed in with a session.")
    password = StrictCharField(required=False, max_length=200, trim_whitespace=False,
                                     style={"input_type": "password"})
    name = StrictCharField(required=False, default="", allow_blank=True, max_length=100)


class TokenListCreate(APIView):
    """Your API tokens. Creating one with an e-mail and password is a login: throttled."""

    permission_classes = [permissions.AllowAny]
    throttle_scope = "login"

    def get_throttles(self):
        # Only logins (creating a token) count against the login rate.
        throttles = super().get_throttles()
        if self.request.method != "POST":
            throttles = [t for t in throttles if not isinstance(t, ScopedRateThrottle)]
        return throttles

    @extend_schema(responses={200: TokenSerializer(many=True)}, summary="List your API tokens")
    def get(self, request):
        if not request.user.is_authenticated:
            raise ServiceRefusal("Sign in, or send an API token, to see your tokens.", status_code=401,
                                 code="not_authenticated")
        return Response(TokenSerializer(tokens.api_tokens_for_user(user_id=request.user.pk), many=True).data)

    @extend_schema(request=TokenCreateSerializer, responses={
        201: NewTokenSerializer, 409: OpenApiResponse(description="Too many tokens: revoke one first."),
        429: OpenApiResponse(description="Too many failed logins for this account or network (counted with the "
                                         "site's login), or too many requests: wait and retry.")},
                   summary="Create an API token (its key is shown once)")
    def post(self, request):
        data = TokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user if request.user.is_authenticated else self._login(request, data.validated_data)
        try:
            new = tokens.api_token_create(user_id=user.pk, name=data.validated_data["name"])
        except tokens.TokenLimitReached as error:
            raise ServiceRefusal(str(error), status_code=409, code="too_many_tokens") from None
        body = TokenSerializer(new.token).data | {"key": new.key}
        return Response(body, status=status.HTTP_201_CREATED)

    @staticmethod
    def _login(request, data):
        if not data.get("email") or not data.get("password"):
            raise ServiceRefusal("Give your e-mail address and password (or sign in first).", status_code=400,
                                 code="invalid")
        try:
            # The same count of failed attempts as the site's login (per account and per network).
            user = login_limits.authenticate_by_password(request, email=data["email"], password=data["password"])
        except login_limits.TooManyFailedLogins as locked:
            raise ServiceRefusal(str(locked), status_code=429, code="too_many_failed_logins") from None
        if user is None:
            raise ServiceRefusal("That e-mail address and password do not match an account.", status_code=401,
                                 code="authentication_failed")
        if not EmailAddress.objects.filter(user=user, verified=True).exists():
            raise ServiceRefusal("Confirm your e-mail address first (see the link we sent you).",
                                 status_code=403, code="email_unverified")
        if Authenticator.objects.filter(user=user).exists():
            # A password alone must not get round the second factor: sign in on the site, then create it.
            raise ServiceRefusal("Your account uses a second factor: sign in on the site and create the token "
                                 "there.", status_code=403, code="second_factor_required")
        return user


class TokenDetail(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, summary="Revoke one of your API tokens")
    def delete(self, request, token_id: int):
        if not tokens.api_token_revoke(user_id=request.user.pk, token_id=token_id):
            raise ServiceRefusal("You have no API token with that id.", status_code=404, code="not_found")
        return Response(status=status.HTTP_204_NO_CONTENT)
