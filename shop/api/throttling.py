"""Throttles: every client has an overall rate; the expensive and sensitive operations each
have their own scope (rates in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]).

A rate is "N/period" with period s, min, hour or day, optionally with a count: "10/5min"."""

import re

from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE = re.compile(r"^(\d+)/(\d*)([smhd])[a-z]*$")


def rate_parse(rate: str | None) -> tuple[int | None, int | None]:
    if rate is None:
        return None, None
    match = RATE.match(rate.strip())
    if match is None:
        raise ValueError(f"Not a throttle rate: {rate!r} (write it like 60/min or 10/5min).")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * UNITS[unit]


class _RatesFromSettings:
    # Read at each request (DRF copies them once at import), so that changed settings apply.
    @property
    def THROTTLE_RATES(self):
        return api_settings.DEFAULT_THROTTLE_RATES


class ClientRateThrottle(_RatesFromSettings, SimpleRateThrottle):
    """Requests per account, or per address for anonymous clients (scope "client")."""

    scope = "client"

    def parse_rate(self, rate):
        return rate_parse(rate)

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class SensitiveRateThrottle(_RatesFromSettings, ScopedRateThrottle):
    """The view's `throttle_scope` ("search", "place_order", "login", "export", "erasure")."""

    def parse_rate(self, rate):
        return rate_parse(rate)
