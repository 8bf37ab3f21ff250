"""A customer with something in every part of the export letter, for the export's tests and its browser journey."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from personalization.marketing.models import Campaign, MarketingEmail, Subscriber
from personalization.recommendations.models import BehaviourEvent, ModelVersion, RecommendationList
from personalization.segments.models import SegmentDiscount, SegmentMembership, SegmentRun
from privacy.models import ConsentRecord, DataRequest, DataRequestKind, DataRequestStatus
from privacy.notice import notice_current
from shop.accounts.models import ApiToken, SavedAddress, User
from shop.cart.models import Cart, CartLine
from shop.catalog.models import Product
from shop.checkout.models import Address, Checkout
from shop.orders.models import Order, OrderEmail, OrderSource, OrderStatus, OrderStatusChange
from shop.payments.models import Payment, PaymentStatus, Refund
from tests.factories import OrderFactory, ProductFactory, order_line_create, verified_user

# Ids no date, amount or count on the page could contain by chance.
APRON_ID, MUG_ID, CANDLE_ID = 987651, 987652, 987653
WEB_ORDER_TOTAL = Decimal("46.90")
IMPORTED_ORDER_TOTAL = Decimal("711.79")
API_TOKEN_PREFIX, API_KEY_HASH = "att_9x2q", "b" * 64


@dataclass
class ExportPerson:
    user: User
    apron: Product
    mug: Product
    candle: Product
    web_order: Order
    imported_order: Order


def export_person_create() -> ExportPerson:
    """Account, saved address, a web order (paid, e-mailed, shipped) and an imported one, consent
    decisions, browsing events, a recommendation list with reasons, the newsletter and an e-mail
    from it, a customer group with its discount, a basket with a personal price, a checkout, an API
    key and a data request."""
    now = timezone.now().replace(microsecond=0)
    user = verified_user(email="ada.lovelace@example.com")
    apron = ProductFactory(id=APRON_ID, title="Linen Apron", price=Decimal("19.95"))
    mug = ProductFactory(id=MUG_ID, title="Enamel Mug", price=Decimal("7.00"))
    candle = ProductFactory(id=CANDLE_ID, title="Beeswax Candle", price=Decimal("12.50"))
    SavedAddress.objects.create(user=user, full_name="Ada Lovelace", line1="12 St James's Square", city="London",
                                postcode="SW1Y 4JH", country="GB", phone="020 7946 0000")

    address = Address.objects.create(user=user, full_name="Ada Lovelace", line1="12 St James's Square",
                                     city="London", postcode="SW1Y 4JH", country="GB", phone="020 7946 0000")
    web_order = OrderFactory(
        user=user, number="W000417", status=OrderStatus.SHIPPED, source=OrderSource.WEB, currency="GBP",
        placed_at=now - timedelta(days=20), shipping_address=address, shipping_method="Royal Mail 2nd class",
        subtotal=Decimal("39.90"), shipping_total=Decimal("7.00"), tax_total=Decimal("7.82"),
        vat_rate=Decimal("0.2"), total=WEB_ORDER_TOTAL, invoice_number="INV-000417", checkout_token=uuid.uuid4(),
        shipping_country="GB")
    order_line_create(order=web_order, product=apron, quantity=2)
    payment = Payment.objects.create(idempotency_key="pay-w000417", fingerprint="f" * 64, order=web_order, provider="test",
                           reference="ch_4fe0a1", amount=WEB_ORDER_TOTAL, currency="GBP",
                           status=PaymentStatus.SUCCEEDED)
    Refund.objects.create(payment=payment, idempotency_key="refund-w000417", amount=Decimal("7.00"),
                          currency="GBP", reason="One apron arrived torn")
    OrderEmail.objects.create(order=web_order, kind="confirmation")
    OrderStatusChange.objects.create(order=web_order, from_status=OrderStatus.PAID, to_status=OrderStatus.SHIPPED,
                                     note="Left with the neighbour at number 14")
    imported_order = OrderFactory(
        user=user, number="536365", status=OrderStatus.DELIVERED, source=OrderSource.IMPORT, currency="GBP",
        placed_at=now - timedelta(days=400), total=IMPORTED_ORDER_TOTAL, shipping_country="United Kingdom")
    order_line_create(order=imported_order, product=mug, quantity=3)

    notice = notice_current()
    for purpose, granted, ago in (("personalization", True, 30), ("marketing", True, 29), ("analytics", False, 30)):
        ConsentRecord.objects.create(user=user, purpose=purpose, granted=granted, notice_version=notice.version,
                                     text_hash=notice.text_hash, source="settings",
                                     created_at=now - timedelta(days=ago))
    BehaviourEvent.objects.create(user=user, kind="viewed", product=mug, occurred_at=now - timedelta(days=21))
    BehaviourEvent.objects.create(user=user, kind="purchased", product=apron, quantity=2, order=web_order,
                                  occurred_at=now - timedelta(days=20))
    version = ModelVersion.objects.create(status="active", started_at=now, trained_until=now)
    RecommendationList.objects.create(version=version, rail="for_you", user=user, items=[
        {"product": CANDLE_ID, "reason": "because_you_bought", "about": APRON_ID, "about_title": "Linen Apron"},
        {"product": MUG_ID, "reason": "trending", "customers": 42},
    ])
    run = SegmentRun.objects.create(computed_at=now, min_size=5)
    SegmentMembership.objects.create(run=run, user=user, segment="loyal")
    SegmentDiscount.objects.create(segment="loyal", percent=Decimal(5), reason="Thank you for being a loyal customer")
    cart = Cart.objects.create(user=user)
    CartLine.objects.create(cart=cart, variant=candle.variants.get(), quantity=1, quoted_price=Decimal("11.88"),
                            quoted_public_price=Decimal("12.50"), quoted_rule="segment:loyal",
                            quoted_personalized=True, quoted_reason="Thank you for being a loyal customer")
    Checkout.objects.create(cart=cart, user=user)
    ApiToken.objects.create(user=user, name="Kitchen stock app", key_hash=API_KEY_HASH, prefix=API_TOKEN_PREFIX)

    subscriber = Subscriber.objects.create(user=user, email=user.email, status="confirmed",
                                           created_at=now - timedelta(days=29), confirmed_at=now - timedelta(days=29))
    campaign = Campaign.objects.create(key="digest-2026-48", kind="digest", created_at=now, updated_at=now)
    MarketingEmail.objects.create(subscriber=subscriber, campaign=campaign, key="digest-2026-48:ada",
                                  status="sent", created_at=now - timedelta(days=7), sent_at=now - timedelta(days=7),
                                  products=[CANDLE_ID])
    DataRequest.objects.create(kind=DataRequestKind.EXPORT, status=DataRequestStatus.DONE, user=user,
                               created_at=now - timedelta(days=2), deadline=now + timedelta(days=28),
                               completed_at=now - timedelta(days=2))
    return ExportPerson(user=user, apron=apron, mug=mug, candle=candle, web_order=web_order,
                        imported_order=imported_order)
