"""The export's shape and cost: queries that do not grow with the person's rows, escaped HTML, progress."""

import io
import json
import re
import zipfile
from html import escape, unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from privacy import data_requests
from privacy.export import EXPORT_KINDS, FALLBACK_GROUP, GROUPS, export_archive, export_document, export_kind
from privacy.models import DataRequest, DataRequestStatus
from privacy.reach import identity_for_user
from privacy.recipients import recipients
from privacy.registry import declarations
from shop.checkout.models import Address
from tests.factories import OrderFactory, ProductFactory, order_line_create, verified_user
from tests.privacy.export_person import (
    API_KEY_HASH,
    API_TOKEN_PREFIX,
    APRON_ID,
    CANDLE_ID,
    MUG_ID,
    export_person_create,
)
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)


def customer_with_orders(count: int):
    user = verified_user()
    product = ProductFactory()
    for _ in range(count):
        address = Address.objects.create(user=user, full_name="A Person", line1="1 Road", city="Town",
                                         postcode="T1", country="GB")
        order_line_create(order=OrderFactory(user=user, shipping_address=address), product=product)
    return user


def export_queries(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        export_document(identity=identity_for_user(user_id=user.pk), pseudonym="x")
    return len(queries)


@pytest.mark.django_db
def test_the_export_costs_the_same_queries_for_one_order_or_thirty():
    export_queries(verified_user())  # warms the content-type cache
    assert export_queries(customer_with_orders(1)) == export_queries(customer_with_orders(30))


@pytest.mark.django_db
def test_the_readable_page_escapes_what_people_typed():
    user = verified_user()
    Address.objects.create(user=user, full_name="<script>alert(1)</script>", line1="1 <b>Road</b>", city="Town",
                           postcode="T1", country="GB")
    archive = zipfile.ZipFile(io.BytesIO(export_archive(export_document(
        identity=identity_for_user(user_id=user.pk), pseudonym="x"))))
    html = archive.read("index.html").decode()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert json.loads(archive.read("data.json"))["sections"]["checkout.Address"]["rows"][0]["full_name"] == (
        "<script>alert(1)</script>")


@pytest.mark.django_db
def test_nobody_else_is_in_an_export():
    mine, theirs = customer_with_orders(2), customer_with_orders(2)
    Address.objects.filter(user=theirs).update(user=None)  # their guest-like addresses still are not mine
    document = export_document(identity=identity_for_user(user_id=mine.pk), pseudonym="x")
    sections = document["sections"]
    assert {row["user"] for row in sections["orders.Order"]["rows"]} == {mine.pk}
    assert {row["user"] for row in sections["checkout.Address"]["rows"]} == {mine.pk}
    assert [row["id"] for row in sections["accounts.User"]["rows"]] == [mine.pk]
    assert theirs.email not in json.dumps(document, default=str)


@pytest.mark.django_db
def test_the_privacy_page_shows_progress_and_stays_within_its_query_budget(client, django_assert_max_num_queries):
    user = customer_with_orders(3)
    client.force_login(user)
    request = data_requests.export_request(user_id=user.pk)  # never built here: it stays queued
    DataRequest.objects.filter(pk=request.pk).update(status=DataRequestStatus.RUNNING, progress=40)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("privacy:account")).content.decode()

    assert "Preparing your copy (40%)" in page
    assert "Download your data (ZIP)" not in page


@pytest.mark.django_db
def test_an_export_of_an_account_with_nothing_else_still_says_so():
    user = verified_user()
    document = export_document(identity=identity_for_user(user_id=user.pk), pseudonym="x")
    assert set(document["sections"]) == {"accounts.User", "account.EmailAddress"}
    assert document["sections"]["accounts.User"]["rows"][0]["email"] == user.email


@pytest.mark.django_db
def test_the_staff_member_who_changed_an_order_is_not_named_in_the_customers_export():
    from shop.orders.models import OrderStatusChange

    customer = customer_with_orders(1)
    clerk = verified_user(is_staff=True)
    OrderStatusChange.objects.create(order=customer.orders.get(), from_status="paid", to_status="shipped",
                                     changed_by=clerk, note="Shipped")

    document = export_document(identity=identity_for_user(user_id=customer.pk), pseudonym="x")

    [change] = document["sections"]["orders.OrderStatusChange"]["rows"]
    assert (change["changed_by"], change["note"]) == (None, "Shipped")
    assert {row["user"] for row in document["sections"]["orders.Order"]["rows"]} == {customer.pk}


# The letter (index.html): what a person reads, grouped, in plain words.

LETTER_GROUPS = ("Your account", "Your basket and checkouts", "Your orders", "What we learned from your browsing",
                 "What we recommended to you, and why", "Your consent decisions", "E-mails we sent you",
                 "Your requests")


def person_archive(person) -> tuple[str, dict]:
    archive = zipfile.ZipFile(io.BytesIO(export_archive(export_document(
        identity=identity_for_user(user_id=person.user.pk), pseudonym="x"))))
    return archive.read("index.html").decode(), json.loads(archive.read("data.json"))


def letter_item(html: str, title: str) -> str:
    """The text of the one item of the letter whose heading is `title`."""
    [item] = re.findall(rf"<li class=\"item\">\s*<h4>{re.escape(title)}</h4>.*?</li>\s*(?=<li class=\"item\">|</ul>)",
                        html, flags=re.DOTALL)
    return unescape(re.sub(r"<[^>]+>", " ", item))


def day_written(moment) -> str:
    return f"{moment.day} {moment:%B %Y}"


@pytest.mark.django_db
def test_a_customer_reads_every_part_of_their_data_in_plain_words():
    person = export_person_create()

    html, _ = person_archive(person)
    text = unescape(re.sub(r"<[^>]+>", " ", html))

    for group in LETTER_GROUPS:
        assert f">{escape(group)}</h2>" in html, group
    for title in ("Linen Apron", "Enamel Mug", "Beeswax Candle"):
        assert title in text
    web = letter_item(html, "Order W000417")
    assert f"Placed {day_written(person.web_order.placed_at)}" in web
    for fact in ("Total £46.90", "Products £39.90", "Delivery £7.00 (Royal Mail 2nd class)",
                 "VAT included (20%) £7.82", "2 × Linen Apron at £19.95 each", "Status Shipped"):
        assert " ".join(fact.split()) in " ".join(web.split()), fact
    assert "Because you bought Linen Apron" in letter_item(html, "Recommended for you")
    assert "Analytics: you said no" in text and "Personalised recommendations: you agreed" in text
    assert "Viewed a product: Enamel Mug" in text
    assert "Beeswax Candle" in letter_item(html, "Weekly digest")
    assert "Confirmation e-mail about order W000417" in text
    assert "Download my data" in letter_item(html, "Download my data")
    assert "Customer group: Loyal" in text
    assert "Thank you for being a loyal customer" in letter_item(html, "5% off for the Loyal group")
    basket_line = " ".join(letter_item(html, "Beeswax Candle").split())
    assert "£11.88 (your price: Thank you for being a loyal customer; everyone else paid £12.50)" in basket_line
    assert "One apron arrived torn" in letter_item(html, "Refund of £7.00")
    assert "Never" in letter_item(html, "Kitchen stock app")
    # Each part says where it came from, why it is kept, for how long and who else received it.
    for heading in ("Where it came from", "Why we keep it", "For how long", "Who else received it"):
        assert text.count(heading) == html.count("<h3>")
    assert "10 years after the order, then anonymised (tax law)" in text


@pytest.mark.django_db
def test_an_imported_order_shows_only_the_figures_that_were_imported():
    person = export_person_create()

    imported = letter_item(person_archive(person)[0], "Order 536365")

    assert "Total £711.79" in " ".join(imported.split())
    assert "£0.00" not in imported and "VAT" not in imported.replace("delivery and VAT", "")
    assert "Imported from our earlier shop system" in imported


@pytest.mark.django_db
def test_the_letter_names_no_internal_column_key_hash_flag_or_product_id():
    person = export_person_create()
    html, document = person_archive(person)
    text = unescape(re.sub(r"<[^>]+>", " ", html))

    forbidden = {"email_index", "is_superuser", "checkout_token", "password", "True", "False", "None",
                 "(set, not exported)", str(APRON_ID), str(MUG_ID), str(CANDLE_ID), "ch_4fe0a1", "pay-w000417",
                 str(person.web_order.checkout_token), "because_you_bought", "for_you", "personalization.",
                 API_TOKEN_PREFIX, API_KEY_HASH, "segment:loyal", "refund-w000417"}
    forbidden |= {row["text_hash"] for row in document["sections"]["privacy.ConsentRecord"]["rows"]}
    forbidden |= {column for section in document["sections"].values() for column in section["columns"] if "_" in column}
    forbidden |= {str(value) for label in ("marketing.Subscriber", "privacy.DataRequest")
                  for row in document["sections"][label]["rows"]
                  for key, value in row.items() if key in {"consent_key", "pseudonym", "token_nonce", "email_index"}}
    assert sorted(word for word in forbidden if word in text) == []


@pytest.mark.django_db
def test_data_json_round_trips_every_row_with_the_titles_the_letter_shows():
    from django.apps import apps
    from django.core.serializers.json import DjangoJSONEncoder

    person = export_person_create()
    _, document = person_archive(person)

    for label, section in document["sections"].items():
        model = apps.get_model(label)
        stored = {row.pk: row for row in model._base_manager.filter(pk__in=[r["id"] for r in section["rows"]])}
        assert len(stored) == len(section["rows"]), label
        for row in section["rows"]:
            for field in model._meta.concrete_fields:
                if field.name == "password":
                    assert row[field.name] == "(set, not exported)"
                    continue
                expected = json.loads(json.dumps(getattr(stored[row["id"]], field.attname), cls=DjangoJSONEncoder))
                assert row[field.name] == expected, (label, field.name)
    counts = {label: len(section["rows"]) for label, section in document["sections"].items()}
    assert counts == {
        "accounts.User": 1, "account.EmailAddress": 1, "accounts.SavedAddress": 1, "orders.Order": 2,
        "orders.OrderLine": 2, "checkout.Address": 1, "payments.Payment": 1, "orders.OrderStatusChange": 1,
        "recommendations.BehaviourEvent": 2, "segments.SegmentMembership": 1,
        "recommendations.RecommendationList": 1, "privacy.ConsentRecord": 3, "marketing.Subscriber": 1,
        "marketing.MarketingEmail": 1, "orders.OrderEmail": 1, "privacy.DataRequest": 1,
        "accounts.ApiToken": 1, "cart.Cart": 1, "cart.CartLine": 1, "checkout.Checkout": 1, "payments.Refund": 1,
        "segments.SegmentDiscount": 1,
    }
    assert document["schema_version"] == 3
    assert document["lookups"]["catalog.Product"] == {
        str(APRON_ID): "Linen Apron", str(MUG_ID): "Enamel Mug", str(CANDLE_ID): "Beeswax Candle"}
    assert document["lookups"]["orders.Order"] == {str(person.web_order.pk): "W000417",
                                                   str(person.imported_order.pk): "536365"}
    [recommendations] = document["sections"]["recommendations.RecommendationList"]["rows"]
    assert document["sections"]["recommendations.RecommendationList"]["explanations"] == {str(recommendations["id"]): [
        "Because you bought Linen Apron", "Popular: bought by about 42 customers in the last 30 days"]}
    assert document["sections"]["orders.Order"]["group"] == "orders"


@pytest.mark.django_db
def test_every_exported_model_has_its_place_in_the_letter():
    """Privacy places the shop's models; the apps above it place theirs by their declaration."""
    groups = {group.key for group in GROUPS}
    unplaced = [label for label, declaration in declarations().items()
                if declaration.export and (export_kind(label).group not in groups
                                           or export_kind(label).group == FALLBACK_GROUP)]
    assert unplaced == []
    assert export_kind("marketing.Subscriber").title == "Your newsletter subscription"
    assert export_kind("marketing.Subscriber").mailed


@pytest.mark.django_db
def test_a_model_without_a_place_or_wording_is_still_in_the_letter_under_other_data(monkeypatch):
    from privacy import export_letter

    person = export_person_create()
    monkeypatch.delitem(EXPORT_KINDS, "privacy.ConsentRecord")
    monkeypatch.delitem(export_letter.PRESENTERS, "privacy.ConsentRecord")

    html, document = person_archive(person)

    assert document["sections"]["privacy.ConsentRecord"]["group"] == FALLBACK_GROUP
    other = " ".join(unescape(re.sub(r"<[^>]+>", " ", html[html.index('id="other"'):])).split())
    assert "Other data we hold about you" in other and "Consent records" in other
    assert other.count("Purpose Analytics") == 1 and "Source Privacy settings" in other
    assert "True" not in other and "False" not in other


@pytest.mark.django_db
def test_every_recipient_the_registry_names_is_named_in_the_notice_and_the_letter(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "smtp.mailhost.example"
    roles = {role for declaration in declarations().values() for role in declaration.recipients}
    named = {recipient.role: recipient for recipient in recipients()}
    assert roles <= set(named), roles - set(named)

    notice = unescape(re.sub(r"<[^>]+>", "", client.get(reverse("privacy:notice")).content.decode()))
    for recipient in named.values():
        assert f"{recipient.role} ({recipient.who})" in notice
    assert "smtp.mailhost.example" in notice

    html, _ = person_archive(export_person_create())
    assert "Mail server: smtp.mailhost.example" in unescape(html)
    assert f"Payment provider: {named['Payment provider'].who}" in unescape(html)


@pytest.mark.django_db
def test_a_staff_member_reads_what_they_did_in_the_back_office():
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from personalization.recommendations.models import PreviewAuditEntry
    from shop.orders.models import Order

    clerk = verified_user(is_staff=True)
    order = OrderFactory(number="S000001")
    LogEntry.objects.create(user=clerk, content_type=ContentType.objects.get_for_model(Order),
                            object_id=str(order.pk), object_repr="Order S000001", action_flag=CHANGE,
                            change_message='[{"changed": {"fields": ["Status"]}}]')
    PreviewAuditEntry.objects.create(staff=clerk, customer_pseudonym="c" * 32, viewed_at=timezone.now())

    html = zipfile.ZipFile(io.BytesIO(export_archive(export_document(
        identity=identity_for_user(user_id=clerk.pk), pseudonym="x")))).read("index.html").decode()

    assert ">Your work as a member of staff</h2>" in html
    assert "Changed Status." in letter_item(html, "Changed: Order S000001")
    assert "c" * 32 not in html
    letter_item(html, "You looked at a customer&#x27;s recommendations")
    assert "Member of the shop&#x27;s staff" in html


@pytest.mark.django_db
def test_building_the_export_logs_nothing_about_the_person(caplog):
    person = export_person_create()

    with caplog.at_level("DEBUG"):
        export_archive(export_document(identity=identity_for_user(user_id=person.user.pk), pseudonym="x"))

    logged = "\n".join(record.getMessage() for record in caplog.records)
    for personal in (person.user.email, "Ada Lovelace", "SW1Y 4JH", "020 7946 0000", "Linen Apron"):
        assert personal not in logged
