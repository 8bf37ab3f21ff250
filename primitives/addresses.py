"""Addresses of pages that take no arguments, reversed once per process (`page_url`)."""

from __future__ import annotations

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

# Addresses of pages that take no arguments, by URLconf and script prefix (see `page_url`).
_page_urls: dict[tuple[str, object, str], str] = {}


def page_url(name: str) -> str:
    """`reverse(name)` (`{% url name %}`) for a page that takes no arguments, reversed once per
    process: the layout names seven such addresses on every page, each reversal 25-30 µs. Kept
    per URLconf and script prefix (a request's own URLconf, an application mounted under a path),
    and forgotten when the URLconf setting changes."""
    key = (name, get_urlconf(), get_script_prefix())
    address = _page_urls.get(key)
    if address is None:
        address = _page_urls[key] = reverse(name)
    return address


@receiver(setting_changed)
def _page_urls_forget(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _page_urls.clear()
