"""The shopper's account area: overview, saved addresses (encrypted, registered), checkout with one,
and allauth's pages and e-mails in the shop's words and name."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from privacy.registry import declarations
from shop.accounts.models import SavedAddress
from shop.checkout.models import Checkout
from tests.factories import OrderFactory, ProductFactory, UserFactory, verified_user
from tests.shop.checkout_helpers import add_to_cart, shipping_methods_ensure

HOME = {"full_name": "Ada Lovelace", "line1": "12 St James's Square", "line2": "", "city": "London",
        "postcode": "SW1Y 4JH", "country": "GB", "phone": ""}
WORK = {**HOME, "line1": "1 Analytical Row", "city": "Leeds", "postcode": "LS1 1AA"}


@pytest.fixture
def shopper(client):
    user = UserFactory()
    client.force_login(user)
    return user


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.django_db
def test_account_link_in_the_header_opens_the_overview(client, shopper):
    OrderFactory(user=shopper, number="A000123")
    SavedAddress.objects.create(user=shopper, **HOME)

    home = client.get("/").content.decode()
    assert f'href="{reverse("accounts:overview")}">Account</a>' in home

    page = text(client.get(reverse("accounts:overview")))
    assert "Your account" in page and shopper.email in page
    assert "A000123" in page and "All 1 order" in page
    assert "12 St James&#x27;s Square" in page
    for url in (reverse("privacy:account"), reverse("account_change_password"), reverse("account_email"),
                reverse("account_logout")):
        assert f'"{url}"' in page


@pytest.mark.django_db
def test_overview_needs_a_login(client):
    response = client.get(reverse("accounts:overview"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_add_edit_and_delete_a_saved_address(client, shopper):
    response = client.post(reverse("accounts:address_add"), HOME)
    assert response.status_code == 302
    address = SavedAddress.objects.get(user=shopper)
    assert (address.full_name, address.city) == ("Ada Lovelace", "London")

    client.post(reverse("accounts:address_edit", args=[address.pk]), {**HOME, "city": "Bath"})
    assert "Bath" in text(client.get(reverse("accounts:addresses")))

    assert "Delete this address?" in text(client.get(reverse("accounts:address_delete", args=[address.pk])))
    assert SavedAddress.objects.filter(pk=address.pk).exists()  # asking is not deleting
    client.post(reverse("accounts:address_delete", args=[address.pk]))
    assert not SavedAddress.objects.filter(pk=address.pk).exists()


@pytest.mark.django_db
def test_bad_address_input_is_a_form_error(client, shopper):
    response = client.post(reverse("accounts:address_add"), {**HOME, "country": "XX", "postcode": ""})

    assert response.status_code == 400
    page = text(response)
    assert "Sorry, we do not ship to that country." in page and "This field is required." in page
    assert not SavedAddress.objects.exists()


@pytest.mark.django_db
def test_another_accounts_address_is_not_found(client, shopper):
    theirs = SavedAddress.objects.create(user=UserFactory(), **HOME)

    assert client.get(reverse("accounts:address_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("accounts:address_delete", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("accounts:address_edit", args=[theirs.pk]), WORK).status_code == 404
    theirs.refresh_from_db()
    assert theirs.line1 == HOME["line1"]


@pytest.mark.django_db
def test_saved_addresses_are_encrypted_at_rest_and_registered_for_export_and_erasure(shopper):
    address = SavedAddress.objects.create(user=shopper, **HOME)

    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name, line1, postcode FROM accounts_savedaddress WHERE id = %s",
                       [address.pk])
        stored = b" ".join(bytes(value) for value in cursor.fetchone())
    assert b"Lovelace" not in stored and b"James" not in stored and b"SW1Y" not in stored

    declaration = declarations()["accounts.SavedAddress"]
    assert declaration.subject == "user" and declaration.export and declaration.erasure == "delete"


@pytest.mark.django_db
def test_checkout_ships_to_a_picked_saved_address(client, shopper):
    shipping_methods_ensure()
    SavedAddress.objects.create(user=shopper, **HOME)
    work = SavedAddress.objects.create(user=shopper, **WORK)
    add_to_cart(client, ProductFactory())
    client.post(reverse("checkout:start"))

    page = text(client.get(reverse("checkout:details")))
    assert "Ship to a saved address" in page and "1 Analytical Row" in page

    response = client.post(reverse("checkout:details"), {"saved_address": work.pk})
    assert response.status_code == 302 and response.url == reverse("checkout:shipping")
    shipped_to = Checkout.objects.get(user=shopper).shipping_address
    assert (shipped_to.line1, shipped_to.city, shipped_to.country) == ("1 Analytical Row", "Leeds", "GB")
    # The checkout keeps its own copy: editing the saved address afterwards changes no order.
    client.post(reverse("accounts:address_edit", args=[work.pk]), {**WORK, "city": "York"})
    shipped_to.refresh_from_db()
    assert shipped_to.city == "Leeds"


@pytest.mark.django_db
def test_checkout_refuses_someone_elses_saved_address(client, shopper):
    shipping_methods_ensure()
    SavedAddress.objects.create(user=shopper, **HOME)
    theirs = SavedAddress.objects.create(user=UserFactory(), **WORK)
    add_to_cart(client, ProductFactory())
    client.post(reverse("checkout:start"))

    response = client.post(reverse("checkout:details"), {"saved_address": theirs.pk})

    assert response.status_code == 400
    assert "That address is not in your account any more." in text(response)
    assert Checkout.objects.get(user=shopper).shipping_address is None


@pytest.mark.django_db
def test_checkout_can_save_a_typed_address(client, shopper):
    shipping_methods_ensure()
    add_to_cart(client, ProductFactory())
    client.post(reverse("checkout:start"))

    client.post(reverse("checkout:details"), {**HOME, "save_address": "on"})

    assert [a.line1 for a in SavedAddress.objects.filter(user=shopper)] == [HOME["line1"]]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 15])
def test_account_pages_stay_within_a_query_budget(client, shopper, django_assert_max_num_queries, count):
    for n in range(count):
        OrderFactory(user=shopper)
        SavedAddress.objects.create(user=shopper, **{**HOME, "line1": f"{n} Road"})

    # Three queries of the page's own (orders, their count, addresses) on top of what every page's
    # layout costs (session, user, consent, cart count, categories, newsletter state).
    for url in (reverse("accounts:overview"), reverse("accounts:addresses")):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/",
                                 "/accounts/logout/", "/accounts/email/", "/accounts/password/change/"])
def test_account_pages_say_log_in_never_sign_in(client, url):
    if url in ("/accounts/logout/", "/accounts/email/", "/accounts/password/change/"):
        client.force_login(UserFactory())
    page = text(client.get(url))
    assert "site-header" in page
    assert not re.search(r"sign[ -]?(in|out)", page, re.I), url


@pytest.mark.django_db
def test_allauth_emails_name_the_shop_not_the_host(client, settings):
    settings.SHOP_NAME = "Attuned"
    settings.SHOP_BASE_URL = "https://shop.example"
    verified_user(email="forgetful@example.com")

    client.post("/accounts/password/reset/", {"email": "forgetful@example.com"})

    message = mail.outbox[0]
    assert message.subject.startswith("Attuned: ")
    assert "Attuned" in message.body and "https://shop.example" in message.body
    assert "testserver" not in message.subject and "[testserver]" not in message.body
    assert message.from_email == settings.DEFAULT_FROM_EMAIL


@pytest.mark.django_db
def test_saved_addresses_are_in_the_data_export_and_go_with_erasure(shopper):
    from privacy.erasure import subject_erase
    from privacy.export import export_document
    from privacy.reach import identity_for_user

    SavedAddress.objects.create(user=shopper, **HOME)
    other = SavedAddress.objects.create(user=UserFactory(), **WORK)
    identity = identity_for_user(user_id=shopper.pk)

    section = export_document(identity=identity, pseudonym="test")["sections"]["accounts.SavedAddress"]
    assert [(row["line1"], row["postcode"]) for row in section["rows"]] == [(HOME["line1"], HOME["postcode"])]

    subject_erase(identity=identity)
    assert list(SavedAddress.objects.values_list("pk", flat=True)) == [other.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 15])
def test_checkout_address_step_with_saved_addresses_stays_within_a_budget(client, shopper, count,
                                                                          django_assert_max_num_queries):
    shipping_methods_ensure()
    for n in range(count):
        SavedAddress.objects.create(user=shopper, **{**HOME, "line1": f"{n} Road"})
    add_to_cart(client, ProductFactory())
    client.post(reverse("checkout:start"))

    with django_assert_max_num_queries(10):
        page = text(client.get(reverse("checkout:details")))
    assert page.count('name="saved_address"') == count


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "", "99999"])
def test_a_guest_or_a_bad_pick_of_a_saved_address_is_a_clear_400(client, value):
    shipping_methods_ensure()
    add_to_cart(client, ProductFactory())
    client.post(reverse("checkout:start"))

    response = client.post(reverse("checkout:details"), {"saved_address": value})

    assert response.status_code == 400
    assert "no saved addresses to choose from" in text(response)
