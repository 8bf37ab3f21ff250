"""The registry: every field of every installed model is classified, and a new model cannot slip past."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.test.utils import isolate_apps

from personalization.marketing.letter import subscriber_item
from privacy.export_letter import presenter_for
from privacy.registry import (
    REQUIRED_KEYS,
    LetterDeclaration,
    ModelDeclaration,
    _declaration_from,
    declarations,
    registry_problems,
)
from shop.accounts.models import User
from tests.factories import UserFactory


def test_every_field_of_every_installed_model_is_classified():
    assert registry_problems() == []


def test_the_shop_declares_its_own_models_without_importing_privacy():
    declared = declarations()

    assert declared["orders.Order"].declared_in == "shop.orders.personal_data"
    assert declared["orders.Order"].fields["email"] == "personal"
    assert declared["orders.Order"].fields["shipping_country"] == "not_personal"  # kept for VAT
    assert declared["accounts.User"].fields["email"] == "personal"
    assert declared["account.EmailAddress"].declared_in == "privacy.personal_data"  # third-party


def all_models_plus(model) -> list:
    return [*apps.get_models(include_auto_created=True), model]


def new_problems(problems: list[str]) -> list[str]:
    """What a change adds to the registry's problems (the baseline is empty when the suite is green)."""
    baseline = registry_problems()
    return [problem for problem in problems if problem not in baseline]


def test_a_new_model_nobody_declared_is_reported():
    with isolate_apps("privacy"):
        class GiftMessage(models.Model):
            recipient_name = models.CharField(max_length=100)
            message = models.TextField()

            class Meta:
                app_label = "privacy"

    problems = new_problems(registry_problems(models_to_check=all_models_plus(GiftMessage)))

    assert problems == ["privacy.GiftMessage is not declared: add it to privacy.personal_data.MODELS"]


with isolate_apps("privacy"):
    class Parcel(models.Model):
        """A throwaway model, registered nowhere but in these tests."""

        owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
        tracking_number = models.CharField(max_length=40)
        recipient_phone = models.CharField(max_length=30)

        class Meta:
            app_label = "privacy"


def parcel_declaration(**changes) -> ModelDeclaration:
    values = {
        "label": "privacy.Parcel", "declared_in": "tests.privacy", "purpose": "Deliver parcels",
        "legal_basis": "contract", "retention": "1 year", "subject": "owner", "export": True,
        "erasure": "anonymise", "anonymise_fields": {"recipient_phone": ""},
        "fields": {"id": "not_personal", "owner": "pseudonymous", "tracking_number": "pseudonymous",
                   "recipient_phone": "personal"},
    }
    return ModelDeclaration(**{**values, **changes})


def parcel_problems(declaration: ModelDeclaration) -> list[str]:
    declared = {**declarations(), "privacy.Parcel": declaration}
    return new_problems(registry_problems(models_to_check=all_models_plus(Parcel), declared=declared))


def test_a_complete_declaration_of_the_throwaway_model_has_no_problem():
    assert parcel_problems(parcel_declaration()) == []


def test_a_new_field_on_a_declared_model_is_reported():
    fields = {"id": "not_personal", "owner": "pseudonymous", "tracking_number": "pseudonymous"}

    problems = parcel_problems(parcel_declaration(fields=fields, anonymise_fields={}))

    assert problems == ["privacy.Parcel.recipient_phone is not classified (declare it in tests.privacy)"]


def test_bad_classifications_bases_and_subject_paths_are_reported():
    declaration = parcel_declaration(
        legal_basis="because", subject="tracking_number", anonymise_fields={"gift_note": ""},
        fields={"id": "not_personal", "owner": "secret", "tracking_number": "pseudonymous",
                "recipient_phone": "personal", "gift_note": "personal"},
    )

    assert parcel_problems(declaration) == [
        "privacy.Parcel.owner has classification 'secret', not one of ('personal', 'pseudonymous', 'not_personal')",
        "privacy.Parcel.gift_note is declared but is not a concrete field",
        "privacy.Parcel has legal basis 'because', not one of "
        "['consent', 'contract', 'legal_obligation', 'legitimate_interest']",
        "privacy.Parcel is anonymised but says nothing about personal fields ['recipient_phone']",
        "privacy.Parcel anonymises 'gift_note', which is not a concrete field",
        "privacy.Parcel: subject path 'tracking_number' does not follow relations ('tracking_number')",
    ]


def test_no_model_stores_a_raw_ip_address():
    ip_fields = [f"{model._meta.label}.{field.name}" for model in apps.get_models(include_auto_created=True)
                 for field in model._meta.concrete_fields if isinstance(field, models.GenericIPAddressField)]

    assert ip_fields == []


@pytest.mark.django_db
def test_staff_see_the_record_of_processing_generated_from_the_registry(client):
    client.force_login(UserFactory(is_staff=True))

    html = client.get("/privacy/processing/").content.decode()

    assert "Record of processing activities" in html
    assert "<h2 id=\"activity-" in html and "Fulfil and account for orders" in html
    assert "orders.Order.email" in html and "Legal obligation (Art. 6(1)(c))" in html
    assert "10 years after the order, then anonymised (tax law)" in html
    assert "catalog.Product" not in html  # holds no personal data


@pytest.mark.django_db
def test_shoppers_cannot_see_the_record_of_processing(client):
    client.force_login(UserFactory())

    response = client.get("/privacy/processing/")

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_declared_function_outside_the_declaring_app_is_reported():
    # A dotted path is an import: a declaration names its own app's functions, never privacy's or another app's.
    declaration = parcel_declaration(declared_in="shop.orders.personal_data",
                                     finder="privacy.scrubbers.sessions_of",
                                     scrubber="shop.orders.personal_data_rules.status_change_notes_scrub")

    assert parcel_problems(declaration) == [
        "privacy.Parcel: finder 'privacy.scrubbers.sessions_of' lies outside shop, which declares it"]


def test_a_declared_function_that_does_not_import_is_reported():
    declaration = parcel_declaration(declared_in="shop.orders.personal_data",
                                     erasure_blocker="shop.orders.personal_data_rules.no_such_rule",
                                     retention_days=30, retention_basis="the parcel's delivery",
                                     retention_purge="shop.orders.personal_data_rules.orders_anonymise_expired")

    assert parcel_problems(declaration) == [
        "privacy.Parcel: erasure_blocker 'shop.orders.personal_data_rules.no_such_rule' does not import"]


def test_a_retention_purge_without_retention_days_is_reported():
    declaration = parcel_declaration(declared_in="shop.orders.personal_data",
                                     retention_purge="shop.orders.personal_data_rules.orders_anonymise_expired")

    assert parcel_problems(declaration) == ["privacy.Parcel: retention_purge needs retention_days"]


def test_the_shop_reaches_its_rows_for_privacy_through_its_own_declared_rules():
    declared = declarations()

    assert declared["orders.Order"].erasure_blocker == "shop.orders.personal_data_rules.open_orders_block_erasure"
    assert declared["orders.Order"].retention_purge == "shop.orders.personal_data_rules.orders_anonymise_expired"
    assert declared["checkout.Checkout"].retention_purge == "shop.checkout.personal_data_rules.checkouts_purge"
    assert declared["orders.OrderStatusChange"].finder == "shop.orders.personal_data_rules.status_changes_by"


def test_a_letter_presenter_or_lookup_outside_the_declaring_app_is_reported():
    declaration = parcel_declaration(
        declared_in="personalization.marketing.personal_data",
        letter=LetterDeclaration(group="orders", heading="Parcels", origin="Sent by us.",
                                 presenter="privacy.export_letter.presenter_for"),
        letter_lookup="shop.orders.personal_data_rules.status_changes_by")

    assert parcel_problems(declaration) == [
        "privacy.Parcel: letter_lookup 'shop.orders.personal_data_rules.status_changes_by' lies outside "
        "personalization, which declares it",
        "privacy.Parcel: letter presenter 'privacy.export_letter.presenter_for' lies outside personalization, "
        "which declares it"]


def test_a_letter_missing_its_heading_or_with_an_unknown_key_is_refused():
    entry = {key: value for key, value in declarations()["marketing.Subscriber"].__dict__.items()
             if key in REQUIRED_KEYS}
    with pytest.raises(ImproperlyConfigured, match=r"letter has missing keys \['heading'\] or unknown keys \['colour'\]"):
        _declaration_from("marketing.Subscriber", {**entry, "letter": {"group": "emails", "origin": "You.",
                                                                       "colour": "red"}}, "tests")


@pytest.mark.django_db
def test_the_letter_words_an_apps_rows_with_the_presenter_it_declares():
    assert presenter_for("marketing.Subscriber") is subscriber_item
