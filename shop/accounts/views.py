"""The shopper's account area: an overview and saved addresses. Log-in pages are allauth's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from shop.pricing.tax import country_name
from shop.recommendations import rails_for

from . import selectors, services
from .forms import SavedAddressForm


@require_GET
@login_required
def account_overview(request: HttpRequest) -> HttpResponse:
    overview = selectors.account_overview(user_id=request.user.pk)
    return render(request, "account/overview.html", {
        "overview": overview,
        "rails": rails_for(request, page="account"),
        "addresses": [(address, country_name(address.country)) for address in overview.addresses],
    })


@require_GET
@login_required
def address_list(request: HttpRequest) -> HttpResponse:
    addresses = selectors.saved_addresses_for_user(user_id=request.user.pk)
    return render(request, "account/addresses.html", {
        "addresses": [(address, country_name(address.country)) for address in addresses],
        "limit": services.MAX_SAVED_ADDRESSES,
    })


def _address_form_page(request: HttpRequest, form: SavedAddressForm, *, address=None,
                       status: int = 200) -> HttpResponse:
    return render(request, "account/address_form.html", {"form": form, "address": address}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def address_add(request: HttpRequest) -> HttpResponse:
    form = SavedAddressForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.saved_address_create(user_id=request.user.pk, **form.cleaned_data)
            except services.AddressError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Address saved.")
                return redirect("accounts:addresses")
        return _address_form_page(request, form, status=400)
    return _address_form_page(request, form)


@require_http_methods(["GET", "POST"])
@login_required
def address_edit(request: HttpRequest, address_id: int) -> HttpResponse:
    address = selectors.saved_address_for_user(user_id=request.user.pk, address_id=address_id)
    if address is None:
        raise Http404("No such address in your account.")
    initial = {name: getattr(address, name) for name in services.ADDRESS_FIELDS}
    form = SavedAddressForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.saved_address_update(user_id=request.user.pk, address_id=address.pk, **form.cleaned_data)
            except services.AddressError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Address updated.")
                return redirect("accounts:addresses")
        return _address_form_page(request, form, address=address, status=400)
    return _address_form_page(request, form, address=address)


@require_http_methods(["GET", "POST"])
@login_required
def address_delete(request: HttpRequest, address_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    address = selectors.saved_address_for_user(user_id=request.user.pk, address_id=address_id)
    if address is None:
        raise Http404("No such address in your account.")
    if request.method == "POST":
        services.saved_address_delete(user_id=request.user.pk, address_id=address.pk)
        messages.success(request, "Address deleted.")
        return redirect("accounts:addresses")
    return render(request, "account/address_delete.html", {"address": address,
                                                           "country": country_name(address.country)})
