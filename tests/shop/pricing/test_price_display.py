"""A personal price reads at a glance wherever it is shown: the amount, the public price struck
through (read out as "Public price, was …"), a short "Your price" label and the reason on its own
line; "incl. VAT" beside the amount it qualifies; HTML e-mails the same with inline styles."""

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from personalization.marketing.campaigns import digest_items
from shop.pricing import price_strategy_for_customer
from tests.factories import CategoryFactory, ProductFactory, UserFactory
from tests.shop.price_strategies import REASON, members_price  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

STRUCK_PUBLIC = '<s class="price__public"><span class="visually-hidden">Public price, was </span>£10.00</s>'
LABEL_AND_REASON = f'<span class="price__label">Your price</span> <span class="price__reason">{REASON}</span>'


@pytest.fixture
def lamp():
    return ProductFactory(title="Harbour Lamp", price=Decimal("10.00"), category=CategoryFactory(name="Lamps"))


@pytest.fixture
def member(client, members_price):  # noqa: F811
    user = UserFactory()
    members_price.add(user.pk)
    client.force_login(user)
    return user


def personal_prices(html: str) -> list[str]:
    return re.findall(r'<span class="price price--personal[^"]*">(.*?</span>)</span>', html, re.S)


def test_a_card_strikes_the_public_price_and_puts_the_label_and_reason_after_it(client, lamp, member):
    [card_price] = personal_prices(client.get(lamp.category.get_absolute_url()).content.decode())

    assert card_price == f'<span class="price__amount">£9.00</span> {STRUCK_PUBLIC} {LABEL_AND_REASON}'


def test_the_product_page_says_incl_vat_beside_the_price_before_the_struck_public_price(client, lamp, member):
    html = client.get(lamp.get_absolute_url()).content.decode()
    main_price = re.search(r'<p class="product__price">(.*?)</p>', html, re.S).group(1)

    assert (f'<span class="price__amount">£9.00</span> <span class="price__vat">incl. VAT</span> {STRUCK_PUBLIC} '
            f'{LABEL_AND_REASON}') in main_price


def test_the_cart_line_shows_the_same_parts(client, lamp, member):
    client.post(reverse("cart:add"), {"variant": lamp.variants.get().pk, "quantity": 1})

    [line_price] = personal_prices(client.get(reverse("cart:detail")).content.decode())

    assert line_price == f'<span class="price__amount">£9.00</span> {STRUCK_PUBLIC} {LABEL_AND_REASON}'


def test_the_public_price_alone_has_nothing_struck_and_no_label(client, lamp, members_price):  # noqa: F811
    html = client.get(lamp.get_absolute_url()).content.decode()

    assert '<span class="price__amount">£10.00</span> <span class="price__vat">incl. VAT</span></span>' in html
    assert "<s " not in html and "price__label" not in html


@pytest.mark.parametrize("template", ["marketing/emails/digest.html",
                                      "marketing/emails/cart_reminder.html"])
def test_html_e_mails_strike_the_public_price_with_was_written_out(lamp, members_price, template):  # noqa: F811
    member, other = UserFactory(), UserFactory()
    members_price.add(member.pk)
    entries = [("for_you", {"product": lamp.pk, "reason": "bought_before"})]
    [for_member] = digest_items(entries, {lamp.pk: lamp}, price_strategy_for_customer(member))
    [for_other] = digest_items(entries, {lamp.pk: lamp}, price_strategy_for_customer(other))

    member_html = render_to_string(template, {"items": [for_member], "personal": True})
    other_html = render_to_string(template, {"items": [for_other], "personal": True})

    assert "<strong>£9.00</strong> <span style=\"color:#5b6470\">was <s>£10.00</s></span>" in member_html
    assert "Your price" in member_html and REASON in member_html
    assert "<strong>£10.00</strong>" in other_html
    assert "<s>" not in other_html and "Your price" not in other_html
