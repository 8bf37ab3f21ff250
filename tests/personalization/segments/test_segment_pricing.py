"""Segment prices: a discount for the customers of a segment, only with personalization consent in force,
never a mark-up, never below the product's floor; the merchant's screen refuses bad rules; the person's
export shows the discount that applies to them and erasure leaves nothing of them behind."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from personalization.segments.models import SegmentDiscount, SegmentMembership, SegmentRun
from personalization.segments.pricing import _STAND_IN_USER_ID, SegmentPrice, segment_price_strategy
from primitives.compiled_queries import compiled_queries_forget, compiled_shapes
from primitives.subjects import Subject
from privacy.disclosure import noise_source
from privacy.erasure import subject_erase
from privacy.export import export_document, export_html
from privacy.reach import identity_for_user
from privacy.services import consent_decide
from shop import pricing
from shop.catalog.models import ProductVariant
from tests.factories import ProductFactory, UserFactory
from tests.privacy.disclosure.sources import offset

pytestmark = pytest.mark.django_db

LOYAL_REASON = "Thank you for being a loyal customer"


def consenting(user, consents: bool = True):
    consent_decide(subject=Subject.for_user(user), choices={"personalization": consents}, source="settings")
    return user


def segment_run(members: dict, *, minutes_ago: int = 0) -> SegmentRun:
    """A segment run as segments_compute stores it: one membership per customer."""
    run = SegmentRun.objects.create(computed_at=timezone.now() - timezone.timedelta(minutes=minutes_ago),
                                    customers=len(members), k=2, min_size=1)
    SegmentMembership.objects.bulk_create(SegmentMembership(run=run, user=user, segment=segment)
                                          for user, segment in members.items())
    return run


def discount(segment: str = "loyal", percent: str = "10", reason: str = LOYAL_REASON, **fields) -> SegmentDiscount:
    return SegmentDiscount.objects.create(segment=segment, percent=Decimal(percent), reason=reason, **fields)


def variant_of(product) -> ProductVariant:
    return ProductVariant.objects.select_related("product").get(product=product)


@pytest.fixture
def lamp():
    return ProductFactory(title="Lamp", price=Decimal("10.00"))


@pytest.fixture
def loyal_customer():
    customer = consenting(UserFactory(email="loyal@example.com"))
    segment_run({customer: "loyal"})
    discount()
    return customer


def test_the_strategy_is_registered_and_gives_a_consenting_loyal_customer_the_segment_price(loyal_customer, lamp):
    quote = pricing.price_strategy_for_customer(loyal_customer).variant_quote(variant_of(lamp))

    assert quote.amount.amount == Decimal("9.00") and quote.public.amount == Decimal("10.00")
    assert quote.personalized and quote.rule == "segment:loyal" and quote.reason == LOYAL_REASON
    product_quote = pricing.price_strategy_for_customer(loyal_customer).product_quote(lamp)
    assert product_quote.amount.amount == Decimal("9.00") and product_quote.personalized


def test_the_same_customer_without_consent_pays_the_public_price(lamp):
    customer = consenting(UserFactory(), consents=False)
    SegmentMembership.objects.create(run=segment_run({}), user=customer, segment="loyal")  # even if a row existed
    discount()

    strategy = pricing.price_strategy_for_customer(customer)

    assert isinstance(strategy, pricing.PublicPrice)
    quote = strategy.variant_quote(variant_of(lamp))
    assert quote.amount.amount == Decimal("10.00") and not quote.personalized and quote.reason == ""


def test_a_customer_who_never_decided_pays_the_public_price(lamp):
    customer = UserFactory()
    segment_run({customer: "loyal"})
    discount()

    assert isinstance(pricing.price_strategy_for_customer(customer), pricing.PublicPrice)


def test_withdrawing_consent_removes_the_membership_and_the_segment_price_at_once(loyal_customer, lamp):
    consenting(loyal_customer, consents=False)

    assert not SegmentMembership.objects.filter(user=loyal_customer).exists()
    assert not pricing.price_strategy_for_customer(loyal_customer).variant_quote(variant_of(lamp)).personalized


def test_only_the_latest_run_counts_and_only_enabled_discounts(lamp):
    customer = consenting(UserFactory())
    segment_run({customer: "big baskets"}, minutes_ago=60 * 24)
    segment_run({customer: "occasional"})
    discount("big baskets", "25", "Thank you for your big orders")  # the segment of the run before
    assert isinstance(pricing.price_strategy_for_customer(customer), pricing.PublicPrice)

    discount("occasional", "5", "Occasional", enabled=False)
    assert isinstance(pricing.price_strategy_for_customer(customer), pricing.PublicPrice)

    discount("occasional", "7.5", "Nice to see you again")
    quote = pricing.price_strategy_for_customer(customer).variant_quote(variant_of(lamp))
    assert quote.amount.amount == Decimal("9.25") and quote.rule == "segment:occasional"


def test_a_customer_in_a_segment_without_a_discount_pays_the_public_price(lamp):
    customer = consenting(UserFactory())
    segment_run({customer: "new"})
    discount("loyal")

    assert isinstance(pricing.price_strategy_for_customer(customer), pricing.PublicPrice)


def test_rounding_to_the_penny_the_floor_and_never_above_the_public_price():
    strategy = SegmentPrice(segment="loyal", percent=Decimal("15"), reason=LOYAL_REASON)
    odd = ProductFactory(price=Decimal("9.99"))
    floored = ProductFactory(price=Decimal("10.00"), price_floor=Decimal("9.50"))
    at_floor = ProductFactory(price=Decimal("10.00"), price_floor=Decimal("10.00"))

    assert strategy.variant_quote(variant_of(odd)).amount.amount == Decimal("8.49")  # 8.4915
    floored_quote = strategy.variant_quote(variant_of(floored))
    assert floored_quote.amount.amount == Decimal("9.50") and floored_quote.personalized
    untouched = strategy.variant_quote(variant_of(at_floor))
    assert untouched.amount.amount == Decimal("10.00")
    assert not untouched.personalized and untouched.rule != "segment:loyal" and untouched.reason == ""
    assert strategy.product_quote(floored).amount.amount == Decimal("9.50")


def test_a_discount_above_a_lowered_maximum_gives_no_more_than_the_maximum(settings, lamp):
    strategy = SegmentPrice(segment="loyal", percent=Decimal("30"), reason=LOYAL_REASON)
    settings.PERSONALIZATION_MAX_SEGMENT_DISCOUNT = 20
    capped = SegmentPrice(segment="loyal", percent=Decimal("30"), reason=LOYAL_REASON)

    assert strategy.variant_quote(variant_of(lamp)).amount.amount == Decimal("7.00")
    assert capped.variant_quote(variant_of(lamp)).amount.amount == Decimal("8.00")


def test_the_fragment_key_names_the_segment_and_percent_never_the_person(loyal_customer):
    strategy = pricing.price_strategy_for_customer(loyal_customer)

    assert strategy.fragment_key == "segment:loyal:10"
    assert str(loyal_customer.pk) not in strategy.fragment_key.split(":")
    assert "loyal@example.com" not in strategy.fragment_key


def test_the_customer_strategy_reads_consent_and_the_discount_in_a_fixed_number_of_queries(
        loyal_customer, django_assert_num_queries):
    with django_assert_num_queries(2):  # the account's consent records, then membership and discount
        segment_price_strategy(None, customer=loyal_customer)


def test_no_query_for_a_visitor_without_an_account():
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    assert isinstance(segment_price_strategy(request), pricing.PublicPrice)


# --- The merchant's screen ----------------------------------------------------------------------------------

def merchant(client):
    user = UserFactory(is_staff=True, email="merchant@attuned.test")
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="segments",
                                                        codename__endswith="segmentdiscount"))
    client.force_login(user)
    return user


def add_discount(client, **data):
    form = {"segment": "loyal", "percent": "10", "enabled": "on", "reason": LOYAL_REASON, **data}
    return client.post(reverse("admin:segments_segmentdiscount_add"), form)


def test_the_merchant_adds_a_segment_discount_and_sees_what_segments_never_use(client):
    merchant(client)

    page = client.get(reverse("admin:segments_segmentdiscount_add")).content.decode()
    response = add_discount(client)

    assert "country, device, browsing intensity and sensitive attributes are never inputs" in page
    assert response.status_code == 302
    saved = SegmentDiscount.objects.get()
    assert (saved.segment, saved.percent, saved.enabled, saved.reason) == ("loyal", Decimal("10.00"), True,
                                                                           LOYAL_REASON)
    listing = client.get(reverse("admin:segments_segmentdiscount_changelist")).content.decode()
    assert "sensitive attributes are never inputs" in listing and LOYAL_REASON in listing


@pytest.mark.parametrize("percent", ["0", "-5", "-0.01"])
def test_a_mark_up_or_zero_is_refused_and_nothing_is_saved(client, percent):
    merchant(client)

    response = add_discount(client, percent=percent)

    assert response.status_code == 200
    assert ("a segment price can only be lower: personalized mark-ups are not allowed"
            in response.content.decode().lower())
    assert not SegmentDiscount.objects.exists()


def test_an_absurd_discount_is_refused_and_nothing_is_saved(client, settings):
    settings.PERSONALIZATION_MAX_SEGMENT_DISCOUNT = 30
    merchant(client)

    response = add_discount(client, percent="30.01")

    assert "A segment discount above 30% is refused" in response.content.decode()
    assert not SegmentDiscount.objects.exists()
    assert add_discount(client, percent="30").status_code == 302  # the maximum itself is allowed


def test_an_unknown_segment_is_refused_and_nothing_is_saved(client):
    merchant(client)

    response = add_discount(client, segment="visitors from Germany")

    assert "Select a valid choice" in response.content.decode()
    assert not SegmentDiscount.objects.exists()


def test_a_second_enabled_discount_for_a_segment_is_refused(client):
    merchant(client)
    assert add_discount(client).status_code == 302

    response = add_discount(client, percent="15", reason="Even more thanks")

    assert "This segment already has an enabled discount: disable that one first." in response.content.decode()
    assert SegmentDiscount.objects.count() == 1
    assert add_discount(client, percent="15", enabled="").status_code == 302  # a disabled draft is fine
    assert SegmentDiscount.objects.filter(enabled=True).count() == 1


def test_the_merchant_previews_a_disabled_discounts_effect_on_the_catalog_before_enabling_it(client):
    merchant(client)
    run = SegmentRun.objects.create(computed_at=timezone.now(), customers=60, k=2, min_size=20,
                                    segments=[{"name": "loyal", "size": 25}, {"name": "new", "size": 35}])
    SegmentMembership.objects.bulk_create([SegmentMembership(run=run, user=UserFactory(), segment="loyal")
                                           for _ in range(25)])
    ProductFactory(price=Decimal("10.00"))
    ProductFactory(price=Decimal("10.00"), price_floor=Decimal("9.50"))
    ProductFactory(price=Decimal("10.00"), price_floor=Decimal("10.00"))
    ProductFactory(price=Decimal("10.00"), is_published=False)
    draft = discount(percent="10", enabled=False)

    with noise_source(offset(3)):  # the segment's size is released with noise: here a known +3
        page = client.get(reverse("admin:segments_segmentdiscount_change", args=[draft.pk])).content.decode()

    assert ("about 28 customers in the latest run; 2 of 3 published variants get a lower price (on average 7.5% "
            "lower, at most £1.00 less), 1 of them held at their floor; 1 stay at the public price") in page


def test_the_database_refuses_a_mark_up_written_around_the_admin():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        discount(percent="-10")


# --- The person's data --------------------------------------------------------------------------------------

def test_the_export_shows_the_segment_discount_that_applies_to_the_person_now(loyal_customer):
    other = consenting(UserFactory())
    SegmentMembership.objects.create(run=SegmentRun.objects.get(), user=other, segment="new")
    discount("new", "5", "Welcome")

    document = export_document(identity=identity_for_user(user_id=loyal_customer.pk), pseudonym="p")

    section = document["sections"]["segments.SegmentDiscount"]
    assert section["title"] == "Personalized prices (segment discounts)"
    assert [(row["segment"], row["percent"], row["reason"]) for row in section["rows"]] == [
        ("loyal", Decimal("10.00"), LOYAL_REASON)]
    assert "Thank you for being a loyal customer" in export_html(document)


def test_no_personalized_prices_in_the_export_without_consent(loyal_customer):
    consenting(loyal_customer, consents=False)

    document = export_document(identity=identity_for_user(user_id=loyal_customer.pk), pseudonym="p")

    assert "segments.SegmentDiscount" not in document["sections"]


def test_erasure_leaves_nothing_of_the_person_and_keeps_the_merchants_rule(loyal_customer):
    subject_erase(identity=identity_for_user(user_id=loyal_customer.pk))

    assert not SegmentMembership.objects.filter(user_id=loyal_customer.pk).exists()
    rule = SegmentDiscount.objects.values("segment", "percent", "reason").get()
    assert rule == {"segment": "loyal", "percent": Decimal("10.00"), "reason": LOYAL_REASON}
    assert not [field for field in SegmentDiscount._meta.concrete_fields if field.is_relation]


def test_many_customers_strategies_at_once_match_each_one_s_and_cost_the_same_queries_for_3_or_30(
        lamp, django_assert_max_num_queries):
    # An e-mail batch chooses everyone's prices together; each must be what that person would see.
    def customers(n: int) -> list:
        made = []
        for index in range(n):
            kind = index % 6
            customer = UserFactory(is_active=kind != 5)
            if kind != 4:
                consenting(customer, consents=kind != 3)
            made.append((customer, ("loyal", "bargain", "new", "loyal", "loyal", "loyal")[kind]))
        return made

    discount("loyal", "10")
    discount("bargain", "15", reason="For bargain hunters")
    discount("new", "20", enabled=False)
    for size in (3, 30):
        SegmentRun.objects.all().delete()
        made = customers(size)
        segment_run(dict(made))
        people = [customer for customer, _ in made]
        with django_assert_max_num_queries(4):
            together = pricing.price_strategies_for_customers(people)
        one_by_one = {c.pk: pricing.price_strategy_for_customer(c).product_quote(lamp) for c in people}
        assert {pk: strategy.product_quote(lamp) for pk, strategy in together.items()} == one_by_one
    amounts = sorted({quote.amount.amount for quote in one_by_one.values()})
    assert amounts == [Decimal("8.50"), Decimal("9.00"), Decimal("10.00")]  # bargain, loyal, public


def test_each_customer_gets_their_own_segments_discount_from_the_query_compiled_once(lamp):
    loyal, occasional = consenting(UserFactory()), consenting(UserFactory())
    segment_run({loyal: "loyal", occasional: "occasional"})
    discount("loyal", "10")
    discount("occasional", "7.5", "Nice to see you again")
    compiled_queries_forget()

    for customer, paid, reason in ((loyal, "9.00", LOYAL_REASON), (occasional, "9.25", "Nice to see you again"),
                                   (loyal, "9.00", LOYAL_REASON)):
        quote = pricing.price_strategy_for_customer(customer).variant_quote(variant_of(lamp))
        assert (quote.amount.amount, quote.reason) == (Decimal(paid), reason)
    assert compiled_shapes().count("segments.largest_discount_of_user") == 1


def test_an_account_whose_id_is_the_stand_in_gets_its_discount(lamp):
    customer = consenting(UserFactory(pk=_STAND_IN_USER_ID))
    segment_run({customer: "loyal"})
    discount("loyal", "10")

    quote = pricing.price_strategy_for_customer(customer).variant_quote(variant_of(lamp))
    assert quote.amount.amount == Decimal("9.00")
