"""Every price a page shows is built by `price_html`, with the markup the old include rendered.

The reference below is that include (`storefront/_price.html`, replaced by the function to save
a template context per price): each kind of quote must read exactly as it did, escaped alike.
"""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe

from primitives.money import Money
from shop.pricing import PriceQuote
from shop.pricing.markup import price_html

REFERENCE = Template(
    '{% load storefront %}{% if quote %}<span class="price{% if quote.personalized %} price--personal{% endif %}'
    '{% if quote.reduced_from %} price--reduced{% endif %}{% if extra_class %} {{ extra_class }}{% endif %}">'
    '<span class="price__amount">{{ quote.amount|money }}</span>{% if vat_note %} <span class="price__vat">incl. VAT'
    '</span>{% endif %}{% if quote.personalized %} <s class="price__public"><span class="visually-hidden">Public '
    'price, was </span>{{ quote.public|money }}</s> <span class="price__label">Your price</span>{% if quote.reason %}'
    ' <span class="price__reason">{{ quote.reason }}</span>{% endif %}{% endif %}{% if quote.reduced_from %} <span '
    'class="price__reference">Lowest price in the 30 days before this reduction: {{ quote.reduced_from|money }}'
    '</span>{% endif %}</span>{% endif %}')


def gbp(amount: str) -> Money:
    return Money(Decimal(amount), "GBP")


PUBLIC = PriceQuote(amount=gbp("9.5"), public=gbp("9.5"), rule="list")
PERSONAL = PriceQuote(amount=gbp("8.00"), public=gbp("10.00"), rule="segment:x", personalized=True,
                      reason="Members' <b>price</b> & more")
PERSONAL_WITHOUT_REASON = PriceQuote(amount=gbp("8.00"), public=gbp("10.00"), rule="segment:x", personalized=True)
REDUCED = PriceQuote(amount=gbp("1234.5"), public=gbp("1234.5"), rule="demand:1", reduced_from=gbp("1500"))
EVERYTHING = PriceQuote(amount=gbp("8.00"), public=gbp("10.00"), rule="segment:x", personalized=True,
                        reason="Yours", reduced_from=gbp("9.99"))


@pytest.mark.parametrize("quote", [PUBLIC, PERSONAL, PERSONAL_WITHOUT_REASON, REDUCED, EVERYTHING, None],
                         ids=["public", "personal", "personal-no-reason", "reduced", "everything", "none"])
@pytest.mark.parametrize(("extra_class", "vat_note"), [("", False), ("big", True), ('x" onclick="y', False),
                                                    (mark_safe("a&amp;b"), False)],
                         ids=["plain", "class-and-vat", "class-to-escape", "class-marked-safe"])
def test_each_kind_of_quote_reads_as_the_include_rendered_it(quote, extra_class, vat_note):
    expected = REFERENCE.render(Context({"quote": quote, "extra_class": extra_class, "vat_note": vat_note}))

    assert price_html(quote, extra_class=extra_class, vat_note=vat_note) == expected


def test_a_reason_and_a_class_are_escaped():
    html = price_html(PERSONAL, extra_class='x" onclick="y')

    assert "Members&#x27; &lt;b&gt;price&lt;/b&gt; &amp; more" in html
    assert 'class="price price--personal x&quot; onclick=&quot;y"' in html
