"""A shape of query compiled once per process and run with each person's id in the stand-in's place."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Q

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


def test_the_stand_in_itself_is_never_read():
    with pytest.raises(StandInError, match="cannot be read"):
        rows_for_id("test.one-user", lambda: usernames_of(STAND_IN), stand_in=STAND_IN, value=STAND_IN)
