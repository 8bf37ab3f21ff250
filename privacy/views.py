"""Privacy pages: notice, cookie table, consent settings, the account's privacy page, Art. 30 record."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.conf import settings
from django.views.decorators.http import require_GET, require_http_methods

from . import data_requests, guest_requests, request_links
from .cookies import cookie_table
from .data_requests import DataRequestRefused
from .forms import ConsentForm, GuestDataRequestForm
from .models import DataRequestKind
from .notice import notice_current
from .reach import identity_for_user
from .processing import processing_activities
from .selectors import account_data_requests, consent_history
from .services import consent_decide


def _safe_next(request: HttpRequest, candidate: str, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return default


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/notice.html", {
        "notice": notice_current(), "cookies": cookie_table(), "activities": processing_activities(),
        "grace_days": settings.ERASURE_GRACE_DAYS,
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
    return render(request, "privacy/account.html", {
        "history": consent_history(subject=subject, limit=None),
        "requests": account_data_requests(user_id=request.user.pk), "export_days": settings.PRIVACY_EXPORT_TTL_DAYS,
    })


# These pages' addresses hold a token. "same-origin" sends it back only to this shop (which has it
# anyway) and never to another site; "no-referrer" would make the browser post their forms with
# "Origin: null", which Django's CSRF check refuses.
TOKEN_PAGE_REFERRER_POLICY = "same-origin"


def _refused(request: HttpRequest, refusal: DataRequestRefused) -> HttpResponse:
    response = render(request, "privacy/request_refused.html", {"message": refusal.message}, status=refusal.status)
    response["Referrer-Policy"] = TOKEN_PAGE_REFERRER_POLICY
    return response


def _visitor_id(request: HttpRequest):
    consent = getattr(request, "privacy_consent", None)
    return getattr(consent, "visitor_id", None)


@require_http_methods(["POST"])
@login_required
@reauthentication_required
def account_export(request: HttpRequest) -> HttpResponse:
    """Download my data: queue the build; the privacy page shows its progress and the link."""
    try:
        data_requests.export_request(user_id=request.user.pk, visitor_id=_visitor_id(request))
    except DataRequestRefused as refusal:
        return _refused(request, refusal)
    messages.success(request, "We are preparing a copy of your data. It takes a minute or two: reload this page "
                              "to see when it is ready.")
    return redirect("privacy:account")


@require_http_methods(["GET", "POST"])
@login_required
@reauthentication_required
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete my account: explain what happens, then schedule it after the grace period."""
    if request.method == "POST":
        try:
            erasure = data_requests.erasure_request(user_id=request.user.pk, visitor_id=_visitor_id(request))
        except DataRequestRefused as refusal:
            return _refused(request, refusal)
        request.privacy_consent.refresh()
        messages.success(request, "Your account is scheduled for deletion. Personalised recommendations and "
                                  "marketing have stopped.")
        return render(request, "privacy/delete_scheduled.html", {
            "erasure": erasure, "cancel_token": request_links.cancel_token(erasure)})
    return render(request, "privacy/delete_confirm.html", {
        "grace_days": settings.ERASURE_GRACE_DAYS,
        "blockers": data_requests.erasure_blockers(identity=identity_for_user(user_id=request.user.pk)),
    })


@require_GET
def export_download(request: HttpRequest, token: str) -> HttpResponse:
    """The ZIP behind a signed link; an account's file only for that account, logged in."""
    try:
        _, archive = data_requests.export_file_for_download(token=token, user=request.user)
    except DataRequestRefused as refusal:
        return _refused(request, refusal)
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, f"{settings.SHOP_NAME.lower()}-data.zip")
    response["Content-Length"] = str(len(archive))
    response["Referrer-Policy"] = TOKEN_PAGE_REFERRER_POLICY
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def erasure_cancel(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        try:
            data_requests.erasure_cancel(token=token)
        except DataRequestRefused as refusal:
            return _refused(request, refusal)
        response = render(request, "privacy/erasure_cancelled.html")
    else:
        response = render(request, "privacy/erasure_cancel.html")
    response["Referrer-Policy"] = TOKEN_PAGE_REFERRER_POLICY
    return response


GUEST_REQUEST_SENT_MESSAGE = (
    "If we hold data under that address, we have e-mailed it a link. Nothing happens until the link is used; "
    "it works once, for a day."
)


@require_http_methods(["GET", "POST"])
def guest_request(request: HttpRequest) -> HttpResponse:
    """Guests ask for their data or its deletion; always the same answer, whether or not we know the address."""
    form = GuestDataRequestForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "privacy/guest_request.html", {"form": form}, status=400)
        guest_requests.guest_request_submit(email=form.cleaned_data["email"], kind=form.cleaned_data["kind"],
                                           visitor_id=_visitor_id(request))
        messages.success(request, GUEST_REQUEST_SENT_MESSAGE)
        return redirect("privacy:guest_request")
    return render(request, "privacy/guest_request.html", {"form": form})


@require_http_methods(["GET", "POST"])
def guest_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link. GET only asks (mail scanners open links); POST starts the request, once."""
    if request.method == "POST":
        try:
            confirmed = guest_requests.guest_request_confirm(token=token)
        except DataRequestRefused as refusal:
            return _refused(request, refusal)
        context = {"confirmed": confirmed, "grace_days": settings.ERASURE_GRACE_DAYS,
                   "cancel_token": request_links.cancel_token(confirmed)
                   if confirmed.kind == DataRequestKind.ERASURE else None}
        response = render(request, "privacy/guest_confirmed.html", context)
    else:
        try:  # say what the link starts, or that it no longer can, before anything is pressed
            awaiting = guest_requests.guest_request_awaiting(token=token)
        except DataRequestRefused as refusal:
            return _refused(request, refusal)
        response = render(request, "privacy/guest_confirm.html", {
            "erasure": awaiting.kind == DataRequestKind.ERASURE, "grace_days": settings.ERASURE_GRACE_DAYS})
    response["Referrer-Policy"] = TOKEN_PAGE_REFERRER_POLICY
    return response


@staff_member_required
def processing_record(request: HttpRequest) -> HttpResponse:
    """The record of processing activities (GDPR Art. 30), generated from the registry, for merchants."""
    return render(request, "privacy/processing_record.html", {
        "activities": processing_activities(), "notice": notice_current(),
        "export_days": settings.PRIVACY_EXPORT_TTL_DAYS, "grace_days": settings.ERASURE_GRACE_DAYS,
    })
