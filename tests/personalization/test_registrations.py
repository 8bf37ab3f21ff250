"""What the three personalization apps register instead of being named by the shop and privacy, and the
way back of the migration that hands their models over."""

from dataclasses import replace

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from personalization.recommendations.models import RecommendationList
from personalization.recommendations.serving import reason_text
from privacy.registry import declarations, registry_problems
from shop.accounts import roles
from tests.factories import UserFactory

MOVED = {"recommendations": ["behaviourevent", "modelversion", "recommendationlist", "retrainingrequest",
                             "previewauditentry"],
         "marketing": ["subscriber", "campaign", "marketingemail"],
         "segments": ["segmentrun", "segmentmembership", "segmentdiscount"]}


def staff_with(*permissions: str):
    user = UserFactory(is_staff=True)
    for dotted in permissions:
        label, codename = dotted.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=label, codename=codename))
    return type(user).objects.get(pk=user.pk)  # a fresh permission cache


@pytest.mark.django_db
def test_reading_customers_recommendation_lists_needs_a_second_factor_and_reading_versions_does_not():
    assert roles.staff_needs_second_factor(staff_with("recommendations.view_recommendationlist"))
    assert not roles.staff_needs_second_factor(staff_with("recommendations.view_modelversion"))


@pytest.mark.django_db
def test_the_owner_holds_the_segment_discount_permissions_that_segments_registers_and_the_shop_names_none():
    call_command("migrate", verbosity=0)  # the roles are synced after migrate, as in production
    owner = {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name="Owner").permissions.all()}

    discounts = {f"segments.{action}_segmentdiscount" for action in ("add", "change", "delete", "view")}
    assert discounts <= owner
    named_by_the_shop = roles.CATALOG + roles.ORDERS + roles.OWNER_EXTRA
    shop_labels = {"catalog", "checkout", "pricing", "orders", "payments", "accounts", "auth"}
    assert [dotted for dotted in named_by_the_shop if dotted.split(".")[0] not in shop_labels] == []


def test_a_permission_registered_twice_for_a_role_is_held_once(monkeypatch):
    monkeypatch.setitem(roles.ROLES, "Owner", list(roles.ROLES["Owner"]))

    roles.role_permissions_register(role="Owner", permissions=["segments.view_segmentrun"])
    roles.role_permissions_register(role="Owner", permissions=["segments.view_segmentrun"])

    assert roles.ROLES["Owner"].count("segments.view_segmentrun") == 1


def test_the_reasons_in_a_persons_copy_come_from_the_recommendations_declaration():
    declared = declarations()["recommendations.RecommendationList"]

    assert declared.explainer == "personalization.recommendations.serving.reason_text"
    assert declared.declared_in == "personalization.recommendations.personal_data"
    assert reason_text({"reason": "bought_before"}) == "You have bought this before"


def test_the_registry_refuses_an_explainer_outside_the_declaring_app_s_package():
    declared = declarations()["recommendations.RecommendationList"]
    foreign = replace(declared, explainer="privacy.export.export_kind")

    problems = registry_problems(models_to_check=[RecommendationList],
                                 declared={"recommendations.RecommendationList": foreign})

    assert any("explainer 'privacy.export.export_kind' lies outside" in problem for problem in problems), problems
    assert registry_problems(models_to_check=[RecommendationList],
                             declared={"recommendations.RecommendationList": declared}) == []


def labels_of_moved_models() -> dict[str, str]:
    names = [model for models in MOVED.values() for model in models]
    return dict(ContentType.objects.filter(model__in=names).exclude(app_label="auth")
                .values_list("model", "app_label"))


@pytest.mark.django_db(transaction=True)
def test_migrating_back_before_the_handover_returns_the_content_types_and_forward_takes_them_again():
    group = Group.objects.create(name="Readers")
    group.permissions.add(Permission.objects.get(content_type__app_label="marketing", codename="view_campaign"))
    # The executor itself: `migrate` would also recreate the installed apps' content types afterwards.
    try:
        MigrationExecutor(connection).migrate([("personalization", "0005_segment_discount"),
                                               ("recommendations", None), ("marketing", None), ("segments", None)])
        back = labels_of_moved_models()
        assert set(back.values()) == {"personalization"}, back
        assert list(group.permissions.values_list("content_type__app_label", "codename")) == [
            ("personalization", "view_campaign")]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    forward = labels_of_moved_models()
    assert forward == {model: label for label, models in MOVED.items() for model in models}
    assert list(group.permissions.values_list("content_type__app_label", "codename")) == [
        ("marketing", "view_campaign")]
