"""The cart page's rows are built by one tag (`cart_line_rows`) with the markup the template loop
rendered: the reference below is that loop, and every state a line can be in must read alike."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.middleware.csrf import get_token
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from primitives.subjects import Subject
from shop.cart.models import CartLine
from shop.cart.selectors import cart_view_of
from shop.cart.templatetags.cart_page import cart_line_rows
from shop.catalog.models import ProductVariant
from shop.pricing import price_strategy_for
from tests.factories import ProductFactory, UserFactory, variant_create

pytestmark = pytest.mark.django_db

REFERENCE = Template("""{% load storefront prices %}
    {% for line in cart.lines %}
      <tr class="cart-line">
        <td><a class="cart-line__title" href="{{ line.product.get_absolute_url }}">{{ line.variant }}</a><br><span class="muted">SKU {{ line.variant.sku }}</span>
          {% if line.exceeds_stock %}<br><span class="stock--out">{% if line.available %}Only {{ line.available }} in stock{% else %}Out of stock{% endif %}</span>{% endif %}</td>
        <td class="cart-line__price">{% price line.quote %}{% if line.price.is_locked %}<br><span class="muted price__held">Price held for you until {{ line.price.locked_until|time:"H:i" }} (UK time)</span>{% elif line.price.changed_from %}<br><span class="muted price__was">Was {{ line.price.changed_from|money }} when you added it</span>{% endif %}</td>
        <td>
          <form method="post" action="{% url 'cart:update' %}" class="quantity-form">{% csrf_token %}
            <input type="hidden" name="variant" value="{{ line.variant.pk }}">
            <label class="visually-hidden" for="qty-{{ line.variant.pk }}">Quantity of {{ line.variant }}</label>
            <input id="qty-{{ line.variant.pk }}" type="number" name="quantity" value="{{ line.quantity }}" min="1" max="99" inputmode="numeric">
            <button type="submit" class="secondary">Update</button>
          </form>
        </td>
        <td class="num cart-line__total">{{ line.line_total|money }}</td>
        <td>
          <form method="post" action="{% url 'cart:remove' %}" class="inline-form">{% csrf_token %}
            <input type="hidden" name="variant" value="{{ line.variant.pk }}">
            <button type="submit" class="link-button">Remove<span class="visually-hidden"> {{ line.variant }}</span></button>
          </form>
        </td>
      </tr>
    {% endfor %}""")


def squeezed(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


def a_line_in_every_state(client):
    """Held, changed since it was added, short of stock, out of stock; names that need escaping."""
    held = ProductFactory(title="Tea & <Cups>", slug="tea-cups", price=Decimal("4.50"))
    changed = ProductFactory(title="Lantern", slug="lantern", price=Decimal("10.00"))
    short = ProductFactory(title="Mug", slug="mug", price=Decimal("3.00"))
    gone = ProductFactory(title="Candle", slug="candle", price=Decimal("2.00"))
    named = variant_create(product=held, name="Blue's", price=Decimal("4.75"), sku="SKU-<blue>")
    for variant, quantity in [(named, 1), (changed.variants.get(), 2), (short.variants.get(), 5),
                              (gone.variants.get(), 1)]:
        assert client.post(reverse("cart:add"), {"variant": variant.pk, "quantity": quantity}).status_code == 302
    CartLine.objects.filter(variant__product=changed).update(price_locked_until=timezone.now() - timedelta(seconds=1))
    ProductVariant.objects.filter(product=changed).update(price=Decimal("12.00"))
    ProductVariant.objects.filter(product=short).update(stock_quantity=2)
    ProductVariant.objects.filter(product=gone).update(stock_quantity=0)


def test_every_state_of_a_line_reads_as_the_template_loop_rendered_it(client):
    user = UserFactory()
    client.force_login(user)
    a_line_in_every_state(client)
    request = RequestFactory().get(reverse("cart:detail"))
    request.user = user
    view = cart_view_of(owner=Subject.for_user(user), strategy=price_strategy_for(request))
    token = get_token(request)

    expected = REFERENCE.render(Context({"cart": view, "csrf_token": token}))
    built = cart_line_rows(Context({"csrf_token": token}), view.lines)

    assert squeezed(built) == squeezed(expected)
    # The states are all there, so the comparison covers each of them.
    assert all(part in built for part in ("price__held", "price__was", "Only 2 in stock", "Out of stock",
                                          "Tea &amp; &lt;Cups&gt; — Blue&#x27;s", "SKU SKU-&lt;blue&gt;"))


def test_no_lines_no_rows():
    assert cart_line_rows(Context({"csrf_token": "x"}), ()) == ""
