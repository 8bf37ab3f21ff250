"""The newsletter's pages: sign up (footer and account), confirm from the e-mail, unsubscribe in one click."""

from __future__ import annotations

import hashlib

from django import forms
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from .newsletter import (NewsletterLinkError, subscriber_confirm, subscriber_for_confirm_token,
                         subscriber_for_unsubscribe_token, subscriber_sign_up, subscriber_unsubscribe)


SIGN_UPS_PER_CLIENT_PER_HOUR = 10


def _sign_up_allowed(request: HttpRequest) -> bool:
    """At most SIGN_UPS_PER_CLIENT_PER_HOUR sign-ups per client address (kept in the cache as a hash,
    for an hour), so the form cannot be used to send confirmations to many addresses."""
    client = hashlib.sha256(request.META.get("REMOTE_ADDR", "").encode()).hexdigest()[:32]
    key = f"newsletter:sign-ups:{client}"
    if cache.add(key, 1, timeout=60 * 60):
        return True
    try:
        return cache.incr(key) <= SIGN_UPS_PER_CLIENT_PER_HOUR
    except ValueError:  # expired in between
        return cache.add(key, 1, timeout=60 * 60) or True


class NewsletterForm(forms.Form):
    email = forms.EmailField(label="Your e-mail address", max_length=254)


def _link_problem(request: HttpRequest, error: NewsletterLinkError) -> HttpResponse:
    return render(request, "marketing/newsletter_link_problem.html", {"problem": str(error)}, status=400)


@never_cache
@require_POST
def newsletter_sign_up(request: HttpRequest) -> HttpResponse:
    """Both forms post here: the footer's (an address) and the account's (the account's address)."""
    data = request.POST.copy()
    if request.user.is_authenticated and not data.get("email"):
        data["email"] = request.user.email
    form = NewsletterForm(data)
    if not form.is_valid():
        return render(request, "marketing/newsletter_sign_up.html", {"newsletter_form": form}, status=400)
    if not _sign_up_allowed(request):
        form.add_error(None, "Too many sign-ups from your connection: please try again in an hour.")
        return render(request, "marketing/newsletter_sign_up.html", {"newsletter_form": form}, status=429)
    subscriber_sign_up(email=form.cleaned_data["email"], user=request.user)
    # The same page whether or not the address was already subscribed: it tells nobody who is.
    return render(request, "marketing/newsletter_check_inbox.html")


@never_cache  # the address holds a token
@require_http_methods(["GET", "POST"])
def newsletter_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners that open links confirm nothing); POST confirms."""
    try:
        if request.method == "GET":
            subscriber_for_confirm_token(token=token)
            return render(request, "marketing/newsletter_confirm.html")
        subscriber_confirm(token=token)
    except NewsletterLinkError as error:
        return _link_problem(request, error)
    return render(request, "marketing/newsletter_confirmed.html")


@never_cache
@csrf_exempt  # RFC 8058: the mail client posts without our cookies; the signed token is the proof
@require_http_methods(["GET", "POST"])
def newsletter_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a one-button page; POST (the page's button, or the mail client's one-click) unsubscribes."""
    try:
        if request.method == "GET":
            subscriber = subscriber_for_unsubscribe_token(token=token)
            return render(request, "marketing/newsletter_unsubscribe.html",
                          {"already": subscriber.status == "unsubscribed"})
        _, changed = subscriber_unsubscribe(token=token)
    except NewsletterLinkError as error:
        return _link_problem(request, error)
    return render(request, "marketing/newsletter_unsubscribed.html", {"already": not changed})
