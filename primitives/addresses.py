"""Addresses reversed once per process rather than for every link: a page without arguments
(`page_url`), and a page with one argument for any number of values (`address_for_each`)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS

_MARKER = "0ARGUMENT0"

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


# The two halves of the address of a page with one argument, around it (see `address_for_each`).
_halves: dict[tuple[str, str | None, object, str], tuple[str, str]] = {}


@receiver(setting_changed)
def _page_urls_forget(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _page_urls.clear()
        _halves.clear()


def address_for_each(name: str, *, keyword: str | None = None) -> Callable[[object], str]:
    """`reverse(name)` of a page with one argument (positional, or the `keyword` one), for many
    values: reversed once per process (kept as `page_url` keeps its addresses) with a marker in
    the argument's place, and completed per value, the value quoted as reverse() quotes it. A list
    of 20 orders or 3 cart lines reverses nothing once the first list has been shown."""
    key = (name, keyword, get_urlconf(), get_script_prefix())
    halves = _halves.get(key)
    if halves is None:
        reversed_once = reverse(name, kwargs={keyword: _MARKER}) if keyword else reverse(name, args=[_MARKER])
        before, _, after = reversed_once.partition(_MARKER)
        halves = _halves[key] = (before, after)
    before, after = halves
    return lambda value: before + quote(str(value), safe=RFC3986_SUBDELIMS + "/~:@") + after
