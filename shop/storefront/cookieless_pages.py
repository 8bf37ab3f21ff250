"""Whole storefront pages for a request that carries no cookie but the CSRF one, kept in the shared cache.

Such a request has no session, no consent choice and no message: the shop knows nothing about
whoever sent it, so its home, category, product and search pages are the same for everyone who
sends that address, but for the CSRF token and the CSP nonce. Such a page is rendered once per
catalog version, price group, address and Global Privacy Control signal, with random markers where
the token and the nonce go, and kept like a shared fragment (shop/catalog/fragments.py: a catalog,
stock, price or serving-version change makes it stale). Every request then gets a copy with its
own token and nonce put in; the view still runs what must happen per request (its events).

A page is kept only when nothing personal can be in it:
- the request carries no cookie but the CSRF one (`is_cookieless`);
- its query string names only parameters the page reads (a stray parameter is served but not kept,
  so made-up addresses cannot fill the cache);
- the view says so (`keep`: e.g. no rail in it is about the person);
- rendering it never asked for the request's real CSRF token or nonce (a tag that did would have
  written a person's token into the page).
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from shop.catalog import fragments

FRAGMENT_NAME = "cookieless-page"


@dataclass(frozen=True)
class CookielessPage:
    """A rendered page; `csrf_marker` and `nonce_marker` stand where each request's own go."""

    content: str
    facts: Mapping[str, object] = field(default_factory=dict)  # what the view needs on a hit (ids, counts)
    csrf_marker: str = ""
    nonce_marker: str = ""

    def response(self, request: HttpRequest) -> HttpResponse:
        content = self.content
        if self.csrf_marker and self.csrf_marker in content:
            content = content.replace(self.csrf_marker, get_token(request))  # also sets the CSRF cookie
        if self.nonce_marker and self.nonce_marker in content:
            content = content.replace(self.nonce_marker, str(request.csp_nonce))  # and the header's nonce
        return HttpResponse(content)


def is_cookieless(request: HttpRequest) -> bool:
    """True when the request carries no cookie at all but the CSRF one."""
    return not (request.COOKIES.keys() - {settings.CSRF_COOKIE_NAME})


def _own_token_or_nonce_asked(request: HttpRequest) -> bool:
    """Whether anything has asked for this request's own CSRF token or CSP nonce so far."""
    return bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE")) or getattr(request, "_csp_nonce", None) is not None


def _key(request: HttpRequest, query_params: Collection[str]) -> str | None:
    """The page's key, or None when this request's page is not to be shared."""
    if not settings.SHOP_SHARED_FRAGMENTS or request.method != "GET" or not is_cookieless(request):
        return None
    if request.GET.keys() - set(query_params):
        return None
    group = fragments.price_group(request)
    if group is None:
        return None
    gpc = request.headers.get("Sec-GPC", "").strip() == "1"
    vary_on = (request.scheme, request.get_host(), request.get_full_path(), gpc, group)
    return fragments.fragment_key(fragments.catalog_version(), FRAGMENT_NAME, vary_on)


def cookieless_page(request: HttpRequest, *, query_params: Collection[str] = ()) -> CookielessPage | None:
    """The kept page for this request, or None (not kept yet, or the request is not cookieless)."""
    key = _key(request, query_params)
    return None if key is None else fragments.fragment_get(key)


def cookieless_page_render(request: HttpRequest, template_name: str, context: Mapping[str, object], *,
                           facts: Mapping[str, object] | None = None, query_params: Collection[str] = (),
                           keep: bool = True) -> CookielessPage:
    """Render the page; keep it for every cookieless request of the same address when it may be kept.

    A request that is not cookieless gets its page rendered as usual, with its own token and nonce.
    """
    facts = dict(facts or {})
    key = _key(request, query_params) if keep else None
    if key is None:
        return CookielessPage(render_to_string(template_name, context, request), facts)
    csrf_marker, nonce_marker = (f"cookieless-page-{what}-{secrets.token_hex(16)}" for what in ("csrf", "nonce"))
    request_nonce = request.csp_nonce
    request.csp_nonce = nonce_marker
    try:
        content = render_to_string(template_name, {**context, "csrf_token": csrf_marker}, request)
    finally:
        request.csp_nonce = request_nonce
    page = CookielessPage(content, facts, csrf_marker, nonce_marker)
    if not _own_token_or_nonce_asked(request):
        fragments.fragment_set(key, page)
    return page

