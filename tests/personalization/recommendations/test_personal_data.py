"""What personalization stores about a person is in their data export and goes with their erasure."""

import pytest

from personalization.recommendations.models import BehaviourEvent, RecommendationList
from personalization.recommendations.training import recommenders_train
from privacy.erasure import subject_erase
from privacy.export import export_document
from privacy.reach import identity_for_user
from tests.personalization.worlds import NOW, bought, customer, products

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_customers():
    lamp, mug, candle = products(3)
    ada, bob = customer(), customer()
    for person in (ada, bob, customer(), customer()):
        bought(person, lamp, mug)
    bought(bob, candle)
    recommenders_train(until=NOW)
    return ada, bob


def test_the_export_holds_the_person_s_events_and_recommendations_with_reasons_and_nobody_else_s(two_customers):
    ada, bob = two_customers

    sections = export_document(identity=identity_for_user(user_id=ada.pk), pseudonym="p")["sections"]

    lists = sections["recommendations.RecommendationList"]["rows"]
    assert {row["rail"] for row in lists} == {"for_you", "buy_again"}
    assert len(lists) == RecommendationList.objects.filter(user=ada).count()
    for_you = next(row for row in lists if row["rail"] == "for_you")["items"]
    assert for_you[0]["reason"] == "because_you_bought" and for_you[0]["about_title"]
    assert len(sections["recommendations.BehaviourEvent"]["rows"]) == 2
    assert str(bob.pk) not in {str(row.get("user")) for row in lists}


def test_erasure_takes_the_person_s_events_and_lists_and_leaves_everyone_else_s(two_customers):
    ada, bob = two_customers
    others = RecommendationList.objects.exclude(user=ada).count()

    subject_erase(identity=identity_for_user(user_id=ada.pk))

    assert not RecommendationList.objects.filter(user_id=ada.pk).exists()
    assert not BehaviourEvent.objects.filter(user_id=ada.pk).exists()
    assert RecommendationList.objects.count() == others and BehaviourEvent.objects.filter(user=bob).exists()
