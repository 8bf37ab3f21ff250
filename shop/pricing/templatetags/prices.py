"""Prices on pages and in e-mails: every amount shown is a `PriceQuote` from the shopper's strategy.

    {% load prices %}
    {% product_price product %}          the 'from' price of a product card or page
    {% variant_price variant %}          one variant's unit price
    {% price quote %}                    a quote already made (a cart line, a checkout line, an e-mail)
    {% public_price product %}           the public 'from' price as text (meta description, feeds)
    {{ quote|price_text }}               a quote as one line of plain text (text e-mails)

One function (`shop.pricing.markup.price_html`) renders a quote: the amount; for a
personalized price the public price struck through (read out as "Public price, was …"), a
short "Your price" label and its reason on a line of its own; for an announced reduction the
lowest price of the 30 days before it. HTML e-mails use `shop/emails/_price.html`, the same
parts with inline styles.
The strategy is the request's (`price_strategy_for`), chosen once per request; outside a
request (an e-mail) the caller passes quotes made with `price_strategy_for_customer`.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from primitives.money import format_money
from shop.pricing import PriceQuote, price_strategy_for, public_product_quote
from shop.pricing.markup import price_html

register = template.Library()


def _strategy(context: template.Context):
    return price_strategy_for(context.get("request"))


@register.simple_tag(takes_context=True)
def product_price(context: template.Context, product, extra_class: str = "", vat_note: bool = False) -> SafeString:
    """`vat_note` puts "incl. VAT" beside the amount it qualifies, before any public price."""
    return price_html(_strategy(context).product_quote(product), extra_class=extra_class, vat_note=vat_note)


@register.simple_tag(takes_context=True)
def variant_price(context: template.Context, variant, extra_class: str = "") -> SafeString:
    return price_html(_strategy(context).variant_quote(variant), extra_class=extra_class)


@register.simple_tag
def price(quote: PriceQuote | None, extra_class: str = "") -> SafeString:
    return price_html(quote, extra_class=extra_class)


@register.simple_tag
def public_price(product) -> str:
    """The public 'from' price (what search engines and link previews are told)."""
    return format_money(public_product_quote(product).public)


@register.filter
def price_text(quote: PriceQuote | None) -> str:
    """A quote in plain text: "£9.00 (your price: <reason>; public price £10.00)"."""
    if quote is None:
        return ""
    text = format_money(quote.amount)
    notes = []
    if quote.personalized:
        reason = f": {quote.reason}" if quote.reason else ""
        notes.append(f"your price{reason}; public price {format_money(quote.public)}")
    if quote.reduced_from is not None:
        notes.append(f"lowest price in the 30 days before this reduction: {format_money(quote.reduced_from)}")
    return f"{text} ({'; '.join(notes)})" if notes else text
