"""`{% shared_fragment "name" vary_on... %}...{% end_shared_fragment %}`: a part of a page that is
the same for every visitor, cached under the catalog version (see shop/catalog/fragments.py).

Only wrap what holds nothing about the person: no CSRF token, nonce, consent state, cart,
account or recommendation reason (tests/shop/catalog/test_fragment_cache.py checks the pages that use it).

A fragment that shows prices says so with `with_prices` among its arguments:

    {% shared_fragment "category-grid" category.pk with_prices %}

It is then kept per price group (`fragments.price_group`, the request strategy's `fragment_key`
as shop.pricing registers it): visitors paying public prices share one copy, and a copy rendered
for one group is never served to another. With no price group known it is rendered per request.
"""

from django import template
from django.conf import settings

from shop.catalog import fragments

register = template.Library()

WITH_PRICES = "with_prices"


class SharedFragmentNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: template.base.FilterExpression,
                 vary_on: list[template.base.FilterExpression], with_prices: bool = False):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on
        self.with_prices = with_prices

    def render(self, context: template.Context) -> str:
        if not settings.SHOP_SHARED_FRAGMENTS:
            return self.nodelist.render(context)
        vary_on = tuple(value.resolve(context) for value in self.vary_on)
        if self.with_prices:
            group = fragments.price_group(context.get("request"))
            if group is None:
                return self.nodelist.render(context)
            vary_on += (f"prices:{group}",)
        version = fragments.catalog_version()
        key = fragments.fragment_key(version, str(self.name.resolve(context)), vary_on)
        content = fragments.fragment_get(key)
        if content is None:
            content = self.nodelist.render(context)
            fragments.fragment_set(key, content)
        return content


@register.tag("shared_fragment")
def do_shared_fragment(parser: template.base.Parser, token: template.base.Token) -> SharedFragmentNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"'{bits[0]}' needs a fragment name.")
    nodelist = parser.parse(("end_shared_fragment",))
    parser.delete_first_token()
    vary_on = [bit for bit in bits[2:] if bit != WITH_PRICES]
    return SharedFragmentNode(nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in vary_on],
                              with_prices=len(vary_on) < len(bits) - 2)
