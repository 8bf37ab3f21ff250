"""Transactional e-mails about an order: HTML and text, never mixed with marketing.

They go to the address on the order whatever the person's marketing choices,
carry no recommendations or offers, and are marked as transactional in a header.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from primitives.encrypted_fields import normalise_email

from .models import Order
from .selectors import order_guest_path

TRANSACTIONAL_HEADERS = {"X-Attuned-Category": "transactional", "Auto-Submitted": "auto-generated"}

SUBJECTS = {
    "confirmation": "Your order {number} — receipt {invoice}",
    "shipped": "Your order {number} is on its way",
    "cancelled": "Your order {number} is cancelled",
    "refunded": "Your order {number} is refunded",
}


def seller() -> dict[str, str]:
    """Who sells, as a VAT receipt must say: name, address and VAT number (settings)."""
    return {"name": settings.SHOP_SELLER_NAME, "address": settings.SHOP_SELLER_ADDRESS,
            "vat_number": settings.SHOP_VAT_NUMBER}


def order_email_build(*, order: Order, kind: str, base_url: str) -> EmailMultiAlternatives | None:
    recipient = order.contact_email
    if not recipient:
        return None
    link = base_url.rstrip("/") + (order_guest_path(order) if order.user_id is None
                                   else f"/account/orders/{order.number}/")
    context = {"order": order, "lines": list(order.lines.all()), "kind": kind, "link": link,
               "shop_name": settings.SHOP_NAME, "address": order.shipping_address, "seller": seller()}
    message = EmailMultiAlternatives(
        subject=f"{settings.SHOP_NAME}: "
        + SUBJECTS[kind].format(number=order.number, invoice=order.invoice_number or ""),
        body=render_to_string(f"shop/emails/order_{kind}.txt", context),
        from_email=settings.SHOP_TRANSACTIONAL_FROM_EMAIL,
        to=[recipient],
        headers=dict(TRANSACTIONAL_HEADERS),
    )
    message.attach_alternative(render_to_string(f"shop/emails/order_{kind}.html", context), "text/html")
    return message


def guest_order_links_build(*, orders: list[Order], base_url: str) -> EmailMultiAlternatives | None:
    """One e-mail listing a guest's orders, each with a fresh signed link, to the address on them."""
    addressed = [order for order in orders if order.email]
    # Orders of one address only (as the blind index matched it, whatever its case); none without one.
    if not addressed or len({normalise_email(order.email) for order in addressed}) != 1:
        return None
    entries = [{"order": order, "link": base_url.rstrip("/") + order_guest_path(order)} for order in orders]
    context = {"entries": entries, "shop_name": settings.SHOP_NAME}
    message = EmailMultiAlternatives(
        subject=f"Your orders at {settings.SHOP_NAME}",
        body=render_to_string("shop/emails/guest_order_links.txt", context),
        from_email=settings.SHOP_TRANSACTIONAL_FROM_EMAIL,
        to=[addressed[0].email],  # as typed on the newest order
        headers=dict(TRANSACTIONAL_HEADERS),
    )
    message.attach_alternative(render_to_string("shop/emails/guest_order_links.html", context), "text/html")
    return message
