"""A shape of query compiled once per process and run with each person's id in the stand-in's place."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F, Q

from primitives.compiled_queries import StandInError, compiled_queries_forget, compiled_shapes, rows_for_id
from tests.factories import UserFactory

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
    from django.db import connection

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
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ada = UserFactory(email="ada@example.com")
    rows_for_id("test.counted", lambda: emails_as("counted_read", STAND_IN), stand_in=STAND_IN, value=ada.pk)
    with CaptureQueriesContext(connection) as captured:
        for _ in range(2):
            rows_for_id("test.counted", lambda: emails_as("counted_read", STAND_IN), stand_in=STAND_IN,
                        value=ada.pk)
    assert len(captured.captured_queries) == 2
    assert all('"counted_read"' in query["sql"] for query in captured.captured_queries)
