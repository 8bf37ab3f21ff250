"""A shape of query compiled once per process and run with each person's id in the stand-in's place."""

import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BinaryField, F, OuterRef, Q, Value
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from primitives.compiled_queries import (
    StandInError,
    compiled_queries_forget,
    compiled_shapes,
    instances_for,
    instances_from_rows,
    instances_with_rows_for,
    rows_for_id,
    sent_value,
)
from shop.cart.models import Cart, CartLine
from shop.catalog.models import StockReservation
from shop.catalog.stock import units_reserved
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _afresh():
    compiled_queries_forget()

STAND_IN = -4242


def usernames_of(user_id):
    return get_user_model().objects.filter(pk=user_id).values_list("email", flat=True)


def test_each_id_reads_its_own_rows_from_the_sql_compiled_once():
    ada, bo = UserFactory(email="ada@example.com"), UserFactory(email="bo@example.com")
    builds = []

    def build():
        builds.append(1)
        return usernames_of(STAND_IN)

    first = rows_for_id("test.one-user", build, stand_in=STAND_IN, value=ada.pk)
    second = rows_for_id("test.one-user", build, stand_in=STAND_IN, value=bo.pk)
    third = rows_for_id("test.one-user", build, stand_in=STAND_IN, value=ada.pk)

    assert (first, second, third) == ([("ada@example.com",)], [("bo@example.com",)], [("ada@example.com",)])
    assert len(builds) == 1 and compiled_shapes() == ["test.one-user"]


def test_every_place_the_stand_in_stands_gets_the_id():
    ada, bo = UserFactory(email="ada@example.com"), UserFactory(email="bo@example.com")

    def build():  # the id twice: a row is read only if both places are given it
        return (get_user_model().objects.filter(Q(pk=STAND_IN) & Q(pk__in=[STAND_IN, 0]))
                .values_list("email"))

    assert rows_for_id("test.twice", build, stand_in=STAND_IN, value=bo.pk) == [("bo@example.com",)]
    assert rows_for_id("test.twice", build, stand_in=STAND_IN, value=ada.pk) == [("ada@example.com",)]


def test_a_shape_that_does_not_name_its_stand_in_is_refused():
    UserFactory(email="ada@example.com")

    with pytest.raises(StandInError, match="does not name its stand-in"):
        rows_for_id("test.no-stand-in", lambda: get_user_model().objects.values_list("email"),
                    stand_in=STAND_IN, value=1)


def test_an_id_equal_to_the_stand_in_reads_its_own_rows_like_any_other():
    ada, odd = UserFactory(email="ada@example.com"), UserFactory(pk=STAND_IN, email="odd@example.com")

    assert rows_for_id("test.one-user", lambda: usernames_of(STAND_IN), stand_in=STAND_IN,
                       value=ada.pk) == [("ada@example.com",)]
    assert rows_for_id("test.one-user", lambda: usernames_of(STAND_IN), stand_in=STAND_IN,
                       value=odd.pk) == [("odd@example.com",)]


def emails_as(alias: str, user_id):
    """`usernames_of`, its column named `alias`: a query whose text no other test's has."""
    return get_user_model().objects.filter(pk=user_id).annotate(**{alias: F("email")}).values_list(alias)


def prepared_statements_naming(alias: str) -> list[str]:
    """The statements prepared on this database connection whose text names `alias`."""

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", [f'%"{alias}"%'])
        return [statement for (statement,) in cursor.fetchall()]


@pytest.mark.postgres
def test_on_postgresql_a_kept_query_is_prepared_on_the_server_once_and_reads_each_persons_rows():
    ada, bo = UserFactory(email="ada@example.com"), UserFactory(email="bo@example.com")

    reads = [rows_for_id("test.prepared", lambda: emails_as("prepared_once", STAND_IN), stand_in=STAND_IN,
                         value=user.pk) for user in (ada, bo, ada)]

    assert reads == [[("ada@example.com",)], [("bo@example.com",)], [("ada@example.com",)]]
    assert len(prepared_statements_naming("prepared_once")) == 1


@pytest.mark.postgres
def test_with_prepared_queries_off_nothing_is_prepared(settings):
    settings.DATABASE_PREPARED_QUERIES = False
    ada = UserFactory(email="ada@example.com")

    for _ in range(3):
        assert rows_for_id("test.unprepared", lambda: emails_as("never_prepared", STAND_IN), stand_in=STAND_IN,
                           value=ada.pk) == [("ada@example.com",)]
    assert prepared_statements_naming("never_prepared") == []


def test_a_kept_querys_reads_are_counted_and_logged_like_any_other():

    ada = UserFactory(email="ada@example.com")
    rows_for_id("test.counted", lambda: emails_as("counted_read", STAND_IN), stand_in=STAND_IN, value=ada.pk)
    with CaptureQueriesContext(connection) as captured:
        for _ in range(2):
            rows_for_id("test.counted", lambda: emails_as("counted_read", STAND_IN), stand_in=STAND_IN,
                        value=ada.pk)
    assert len(captured.captured_queries) == 2
    assert all('"counted_read"' in query["sql"] for query in captured.captured_queries)


# Model instances read from a kept query (`instances_for`): a cart's lines, as the cart page reads them.

NOW_STAND_IN = datetime(2000, 1, 1, 0, 0, 0, 424242, tzinfo=UTC)
EXPIRES_AT = StockReservation._meta.get_field("expires_at")


def lines_with_reservations(cart_id, now):
    return (CartLine.objects.filter(cart_id=cart_id).select_related("cart", "variant__product")
            .order_by("added_at", "id").annotate(units_reserved=units_reserved(OuterRef("variant"), now=now)))


def lines_read(cart_id, now, builds=None):
    def build():
        if builds is not None:
            builds.append(1)
        return lines_with_reservations(STAND_IN, NOW_STAND_IN)

    return instances_for("test.cart-lines", build, stand_ins={
        STAND_IN: cart_id, sent_value(EXPIRES_AT, NOW_STAND_IN): sent_value(EXPIRES_AT, now)})


@pytest.fixture
def two_carts():
    lamp = ProductFactory(title="Lamp", price=Decimal("12.50"))
    mug = ProductFactory(title="Mug", price=Decimal("3.25"))
    first, second = Cart.objects.create(visitor_key="a" * 32), Cart.objects.create(visitor_key="b" * 32)
    CartLine.objects.create(cart=first, variant=lamp.variants.get(), quantity=2, quoted_price=Decimal("12.50"),
                            price_locked_until=timezone.now() + timedelta(hours=1))
    CartLine.objects.create(cart=first, variant=mug.variants.get(), quantity=1)
    CartLine.objects.create(cart=second, variant=mug.variants.get(), quantity=4)
    StockReservation.objects.create(holder=uuid.uuid4(), variant=mug.variants.get(), quantity=3,
                                    expires_at=timezone.now() + timedelta(minutes=10))
    return first, second


def described(line):
    """What a page reads of a line: its own fields (converted), its cart, variant, product, annotation."""
    return (line.pk, line.quantity, line.quoted_price, line.price_locked_until, line.cart.visitor_key,
            line.variant.sku, line.variant.price, line.variant.product.title, line.units_reserved)


def test_instances_read_as_the_queryset_itself_gives_them_with_each_owner_in_the_stand_ins_place(
        two_carts, django_assert_num_queries):
    first, second = two_carts
    now, builds = timezone.now(), []

    for cart in (first, second, first):
        expected = [described(line) for line in lines_with_reservations(cart.pk, now)]
        with django_assert_num_queries(1):
            read = lines_read(cart.pk, now, builds)
        assert [described(line) for line in read] == expected and expected
    assert len(builds) == 1
    assert isinstance(read[0].quoted_price, Decimal) and read[0].price_locked_until.tzinfo is not None


def test_every_stand_in_gets_its_own_value(two_carts):
    first, _ = two_carts
    mug_line = first.lines.get(variant__product__title="Mug")

    held_now = lines_read(first.pk, timezone.now())
    after_the_reservation = lines_read(first.pk, timezone.now() + timedelta(minutes=11))

    assert [line.units_reserved for line in held_now if line.pk == mug_line.pk] == [3]
    assert [line.units_reserved for line in after_the_reservation if line.pk == mug_line.pk] == [0]


def test_a_shape_missing_one_of_its_stand_ins_is_refused(two_carts):
    first, _ = two_carts

    with pytest.raises(StandInError, match="does not name its stand-in"):
        instances_for("test.one-stand-in-missing", lambda: lines_with_reservations(STAND_IN, timezone.now()),
                      stand_ins={STAND_IN: first.pk, sent_value(EXPIRES_AT, NOW_STAND_IN): timezone.now()})


def test_a_shape_that_prefetches_is_refused(two_carts):
    first, _ = two_carts

    with pytest.raises(ValueError, match="prefetches"):
        instances_for("test.prefetching", lambda: Cart.objects.filter(pk=STAND_IN).prefetch_related("lines"),
                      stand_ins={STAND_IN: first.pk})


def test_the_stand_ins_may_come_in_any_order_but_none_may_be_missing_or_extra(two_carts):
    first, _ = two_carts
    now = sent_value(EXPIRES_AT, timezone.now())
    stand_in_now = sent_value(EXPIRES_AT, NOW_STAND_IN)
    in_order = lines_read(first.pk, timezone.now())

    reversed_order = instances_for("test.cart-lines", lambda: None, stand_ins={stand_in_now: now, STAND_IN: first.pk})

    assert [line.pk for line in reversed_order] == [line.pk for line in in_order]
    for wrong in ({STAND_IN: first.pk}, {STAND_IN: first.pk, stand_in_now: now, -1: 2},
                  {STAND_IN: first.pk, -1: now}):
        with pytest.raises(StandInError):
            instances_for("test.cart-lines", lambda: None, stand_ins=wrong)


def prepared_parameter_types(alias: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT parameter_types::text FROM pg_prepared_statements WHERE statement LIKE %s",
                       [f'%"{alias}"%'])
        return [types for (types,) in cursor.fetchall()]


@pytest.mark.postgres
def test_on_postgresql_a_shapes_constants_are_written_in_and_only_its_stand_in_is_sent():
    # A constant holding a quote and a percent sign, both of which the writing must keep as they are.
    odd = UserFactory(email="o'brien+50%@example.com")
    UserFactory(email="ada@example.com")

    def build():
        return (get_user_model().objects.filter(pk=STAND_IN, email__contains="n+50%")
                .annotate(constants_written=F("email")).values_list("constants_written"))

    for _ in range(2):
        assert rows_for_id("test.constants", build, stand_in=STAND_IN, value=odd.pk) == [("o'brien+50%@example.com",)]
    (types,) = prepared_parameter_types("constants_written")
    assert len(types.strip("{}").split(",")) == 1, types  # the id: the constant is in the SQL


@pytest.mark.postgres
def test_on_postgresql_a_kept_query_is_planned_once_for_everyone():
    ada, bo = UserFactory(email="ada@example.com"), UserFactory(email="bo@example.com")

    for user in (ada, bo, ada, bo, ada, bo, ada):  # left to choose, the server plans the first five afresh
        rows_for_id("test.planned-once", lambda: emails_as("planned_once", STAND_IN), stand_in=STAND_IN,
                    value=user.pk)

    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
                       ['%"planned_once"%'])
        assert cursor.fetchall() == [(7, 0)]


def kept_read(cart_id, now):
    return instances_with_rows_for("test.cart-lines", lambda: lines_with_reservations(STAND_IN, NOW_STAND_IN),
                                   stand_ins={STAND_IN: cart_id, sent_value(EXPIRES_AT, NOW_STAND_IN): sent_value(
                                       EXPIRES_AT, now)})


def rebuilt(cart_id, now, kept, shape_sql=None):
    return instances_from_rows(
        "test.cart-lines", lambda: lines_with_reservations(STAND_IN, NOW_STAND_IN),
        stand_ins={STAND_IN: cart_id, sent_value(EXPIRES_AT, NOW_STAND_IN): sent_value(EXPIRES_AT, now)},
        rows=kept, shape_sql=kept_read(cart_id, now).shape_sql if shape_sql is None else shape_sql)


def test_instances_rebuilt_from_kept_rows_are_the_ones_read_and_their_rows_survive_json(
        two_carts, django_assert_num_queries):
    first, _ = two_carts
    now = timezone.now()
    read = kept_read(first.pk, now)
    stored = json.loads(json.dumps(read.rows))  # as a session keeps them

    with django_assert_num_queries(0):
        lines = instances_from_rows(
            "test.cart-lines", lambda: lines_with_reservations(STAND_IN, NOW_STAND_IN),
            stand_ins={STAND_IN: first.pk, sent_value(EXPIRES_AT, NOW_STAND_IN): sent_value(EXPIRES_AT, now)},
            rows=stored, shape_sql=read.shape_sql)

    assert [described(line) for line in lines] == [described(line) for line in read.instances] != []
    assert isinstance(lines[0].quoted_price, Decimal) and lines[0].price_locked_until.tzinfo is not None


@pytest.mark.parametrize("rows", [{"not": "a list"}, [[["pickle", "x"]]], [[{"a": 1}]], [[["decimal", "x y"]]]])
def test_kept_rows_of_another_kind_rebuild_nothing(two_carts, rows):
    first, _ = two_carts
    real = kept_read(first.pk, timezone.now()).rows
    if rows and isinstance(rows, list):
        rows = [[*rows[0], *real[0][1:]]]

    assert rebuilt(first.pk, timezone.now(), rows) is None


def test_kept_rows_of_other_sql_rebuild_nothing(two_carts):
    first, _ = two_carts
    rows = kept_read(first.pk, timezone.now()).rows

    assert rebuilt(first.pk, timezone.now(), rows, shape_sql="other") is None
    assert rebuilt(first.pk, timezone.now(), rows) is not None


def test_a_value_no_json_store_can_keep_leaves_the_rows_unkept_but_reads_the_instances():
    user = UserFactory()
    read = instances_with_rows_for("test.users-bytes", lambda: get_user_model().objects.filter(pk=STAND_IN).annotate(
        token=Value(b"\x00\x01", output_field=BinaryField())), stand_ins={STAND_IN: user.pk})

    assert [found.pk for found in read.instances] == [user.pk]
    assert read.rows is None
