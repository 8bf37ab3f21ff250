"""Pages whose address holds a token (the links the shop e-mails) keep it from other sites
without breaking their forms.

"same-origin": a request to another site carries no Referer at all, so the token never leaves
the shop; a form posted to the shop itself carries its real Origin, which Django's CSRF check
needs ("no-referrer" made Chromium post with "Origin: null" and the check answer 403). The
browser side of both halves is in tests/browser/test_emailed_links_journey.py.
"""

from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from personalization.marketing.models import Subscriber
from personalization.marketing.links import confirm_url, unsubscribe_url
from primitives.encrypted_fields import blind_index
from privacy.data_requests import data_request_new
from privacy.request_links import cancel_token, confirm_token
from privacy.models import DataRequestKind, DataRequestStatus
from shop.orders.selectors import order_guest_path
from tests.factories import OrderFactory

FORGED = signing.dumps({"r": 0, "p": "0" * 32}, salt="not-ours")


def assert_token_safe_and_postable(response) -> None:
    # Exactly this value: "no-referrer" breaks the forms (Origin: null), and any value that sends
    # a path to other sites ("unsafe-url", "no-referrer-when-downgrade") leaks the token.
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_a_guest_order_page_and_its_broken_link_page_send_the_token_to_no_other_site(client):
    order = OrderFactory(user=None, email="ines.abernethy@example.org")
    path = order_guest_path(order)

    page = client.get(path)
    broken = client.get(path[:-6] + "xxxxx/")

    assert page.status_code == 200 and order.number in page.content.decode()
    assert broken.status_code == 404
    assert_token_safe_and_postable(page)
    assert_token_safe_and_postable(broken)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ["privacy:guest_confirm", "privacy:erasure_cancel"])
def test_a_data_request_link_page_and_its_refusal_send_the_token_to_no_other_site(client, route):
    awaiting = data_request_new(kind=DataRequestKind.ERASURE, status=DataRequestStatus.AWAITING_CONFIRMATION,
                                email_index=blind_index("ines.abernethy@example.org"))
    token = confirm_token(awaiting) if route == "privacy:guest_confirm" else cancel_token(awaiting)

    form_page = client.get(reverse(route, args=[token]))
    refused = client.post(reverse(route, args=[FORGED]))

    assert form_page.status_code == 200 and 'method="post"' in form_page.content.decode()
    assert refused.status_code == 404
    assert_token_safe_and_postable(form_page)
    assert_token_safe_and_postable(refused)


@pytest.mark.django_db
def test_a_refused_download_link_sends_the_token_to_no_other_site(client):
    refused = client.get(reverse("privacy:download", args=[FORGED]))

    assert refused.status_code == 404
    assert_token_safe_and_postable(refused)


@pytest.mark.django_db
def test_the_newsletter_link_pages_send_the_token_to_no_other_site(client):
    subscriber = Subscriber.objects.create(email="osric.pendlebury@example.org", created_at=timezone.now())
    confirm = client.get(urlsplit(confirm_url(subscriber)).path)
    unsubscribe = client.get(urlsplit(unsubscribe_url(subscriber)).path)

    assert confirm.status_code == 200 and unsubscribe.status_code == 200
    assert_token_safe_and_postable(confirm)
    assert_token_safe_and_postable(unsubscribe)
