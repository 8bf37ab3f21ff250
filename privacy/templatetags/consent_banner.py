"""`{% consent_banner %}`: the consent banner, each of its few variants rendered once per process.

What the banner shows depends only on the notice version and on the visitor's choices so far
(nothing decided, or what a Global Privacy Control signal recorded): a handful of variants. Each is
rendered from `privacy/_banner.html` the first time it is needed, with markers where the CSRF token
and the address to come back to go; every request then puts its own in. Neither is ever kept, and
nothing else in the banner is about the person. In DEBUG the banner is rendered afresh every time,
so an edited template shows at once.
"""

from __future__ import annotations

import secrets
import threading

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from privacy.notice import notice_version

register = template.Library()

TEMPLATE = "privacy/_banner.html"
# Markers that no text of the banner can contain: random for each process.
_CSRF_MARKER = f"consent-banner-csrf-{secrets.token_hex(16)}"
_NEXT_MARKER = f"consent-banner-next-{secrets.token_hex(16)}"
# Variants are few (the notice version, GPC, the purposes' states); the bound only guards memory.
_MAX_VARIANTS = 64
_variants: dict[tuple, str] = {}
_lock = threading.Lock()


def _render(context: template.Context, *, csrf_token: str, next_path: str) -> str:
    return render_to_string(TEMPLATE, {"privacy_consent": context["privacy_consent"],
                                       "privacy_banner": context.get("privacy_banner"),
                                       "privacy_banner_csrf_token": csrf_token, "privacy_banner_next": next_path})


@register.simple_tag(takes_context=True)
def consent_banner(context: template.Context) -> SafeString:
    consent = context.get("privacy_consent")
    if consent is None or context.get("hide_consent_banner") or not consent.show_banner:
        return mark_safe("")
    request = context.get("request")
    csrf_token = str(context.get("csrf_token", ""))
    next_path = request.get_full_path() if request is not None else "/"
    if settings.DEBUG:
        return mark_safe(_render(context, csrf_token=csrf_token, next_path=next_path))
    state = consent.state
    key = (notice_version(), state.gpc_recorded, tuple(granted for _, granted in consent.purpose_choices))
    markup = _variants.get(key)
    if markup is None:
        markup = _render(context, csrf_token=_CSRF_MARKER, next_path=_NEXT_MARKER)
        with _lock:
            if len(_variants) >= _MAX_VARIANTS:
                _variants.clear()
            _variants[key] = markup
    return mark_safe(markup.replace(_CSRF_MARKER, escape(csrf_token)).replace(_NEXT_MARKER, escape(next_path)))
