"""Privacy pages: notice, cookie table, consent settings, the account's privacy page, Art. 30 record."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from .cookies import cookie_table
from .forms import ConsentForm
from .notice import notice_current
from .selectors import consent_history, processing_activities
from .services import consent_decide


def _safe_next(request: HttpRequest, candidate: str, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return default


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/notice.html", {
        "notice": notice_current(), "cookies": cookie_table(), "activities": processing_activities(),
    })


def cookie_list(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/cookies.html", {"notice": notice_current(), "cookies": cookie_table()})


@require_http_methods(["GET", "POST"])
def consent_settings(request: HttpRequest) -> HttpResponse:
    """Show and change consent. Works without JavaScript: a plain form with CSRF protection."""
    consent = request.privacy_consent
    if request.method == "POST":
        form = ConsentForm(request.POST)
        if not form.is_valid():
            # A forged or malformed decision changes nothing.
            return render(request, "privacy/consent.html", {"invalid": True}, status=400)
        consent_decide(subject=consent.subject_for_decision(), choices=form.choices(),
                       source=form.cleaned_data["source"])
        consent.refresh()
        messages.success(request, "Your privacy choices are saved.")
        return redirect(_safe_next(request, form.cleaned_data["next"], reverse("privacy:consent")))
    return render(request, "privacy/consent.html")


@login_required
def account_privacy(request: HttpRequest) -> HttpResponse:
    subject = request.privacy_consent.subject
    return render(request, "privacy/account.html", {"history": consent_history(subject=subject)})


@staff_member_required
def processing_record(request: HttpRequest) -> HttpResponse:
    """The record of processing activities (GDPR Art. 30), generated from the registry, for merchants."""
    return render(request, "privacy/processing_record.html", {
        "activities": processing_activities(), "notice": notice_current(),
    })
