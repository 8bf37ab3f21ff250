"""The test provider's own pages: the bank's "confirm this payment" step of strong customer authentication.

A real provider hosts this page itself; the shop only redirects to it and back.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from .models import TestProviderCharge
from .test_provider import TestProvider


@require_http_methods(["GET", "POST"])
def test_authenticate(request: HttpRequest, reference: str) -> HttpResponse:
    charge = TestProviderCharge.objects.filter(reference=reference).first()
    if charge is None:
        raise Http404("Unknown payment.")
    if request.method == "POST":
        charge = TestProvider().authenticate(reference=reference, approve=request.POST.get("outcome") == "approve")
        target = charge.return_url
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = "/"
        return redirect(target)
    return render(request, "shop/payments/test_authenticate.html", {"charge": charge})
