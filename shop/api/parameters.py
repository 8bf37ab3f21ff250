"""Request parameters that several API views document alike."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter

from primitives.subjects import CART_TOKEN_HEADER

CART_TOKEN = OpenApiParameter(CART_TOKEN_HEADER, str, OpenApiParameter.HEADER, required=False,
                              description="An anonymous cart's token, for clients without a session cookie.")
