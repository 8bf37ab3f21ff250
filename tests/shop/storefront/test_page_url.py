"""`{% page_url %}` (the layout's addresses, reversed once per process) and `address_for_each`
(a list's links, reversed once per process) name the same pages as `{% url %}` does, and follow
the URLconf, a request's own URLconf and the script prefix."""

import pytest
from django.template import Context, Template
from django.urls import clear_script_prefix, reverse, set_script_prefix, set_urlconf

from primitives.addresses import address_for_each, page_url

NAMES = ["storefront:home", "storefront:search", "orders:history", "accounts:overview", "account_logout",
         "account_login", "cart:detail", "newsletter:sign_up"]


@pytest.mark.parametrize("name", NAMES)
def test_each_address_is_the_one_url_gives(name):
    for _ in range(2):  # reversed, then kept
        assert Template(f"{{% load storefront %}}{{% page_url '{name}' %}}").render(Context()) == reverse(name)


@pytest.mark.django_db
def test_the_layout_links_follow_a_new_urlconf(client, settings):
    assert 'class="brand" href="/"' in client.get(reverse("cart:detail")).content.decode()

    settings.ROOT_URLCONF = "tests.shop.storefront.urls_under_shop"

    assert page_url("storefront:home") == "/shop/"
    assert 'class="brand" href="/shop/"' in client.get(reverse("cart:detail")).content.decode()


def test_a_requests_own_urlconf_and_the_script_prefix_each_get_their_addresses():
    assert page_url("cart:detail") == "/cart/"
    set_urlconf("tests.shop.storefront.urls_under_shop")
    try:
        assert page_url("cart:detail") == "/shop/cart/"
    finally:
        set_urlconf(None)
    set_script_prefix("/mounted/")
    try:
        assert page_url("cart:detail") == "/mounted/cart/"
    finally:
        clear_script_prefix()
    assert page_url("cart:detail") == reverse("cart:detail") == "/cart/"


@pytest.mark.parametrize("number", ["W000100", "a b?c#d&e", "ü-€ 1", 42])
def test_each_link_of_a_list_is_the_one_reverse_gives(number):
    for _ in range(2):  # reversed, then kept
        assert address_for_each("orders:detail")(number) == reverse("orders:detail", args=[number])


@pytest.mark.parametrize("slug", ["brass-lantern-84029", "white_heart", "42"])
def test_each_link_by_keyword_is_the_one_reverse_gives(slug):
    for _ in range(2):
        assert (address_for_each("storefront:product", keyword="slug")(slug)
                == reverse("storefront:product", kwargs={"slug": slug}))


def test_a_lists_links_follow_a_new_urlconf(settings):
    assert address_for_each("orders:detail")("W1") == "/account/orders/W1/"

    settings.ROOT_URLCONF = "tests.shop.storefront.urls_under_shop"

    assert address_for_each("orders:detail")("W1") == "/shop/account/orders/W1/"


def test_a_lists_links_follow_a_requests_own_urlconf_and_the_script_prefix():
    assert address_for_each("orders:detail")("W1") == "/account/orders/W1/"
    set_urlconf("tests.shop.storefront.urls_under_shop")
    try:
        assert address_for_each("orders:detail")("W1") == "/shop/account/orders/W1/"
    finally:
        set_urlconf(None)
    set_script_prefix("/mounted/")
    try:
        assert address_for_each("orders:detail")("W1") == "/mounted/account/orders/W1/"
    finally:
        clear_script_prefix()
    assert address_for_each("orders:detail")("W1") == "/account/orders/W1/"
