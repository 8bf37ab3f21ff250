"""An old newsletter confirmation e-mail, opened in a fresh browser, never confirms a later sign-up.

Ada signs up, opens the confirmation page but leaves it; later she signs up again and a new
e-mail goes out. Clicking the button on the old page says the link was replaced and confirms
nothing; the new e-mail's link, in another fresh browser, subscribes her.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from personalization.marketing.models import Subscriber, SubscriberStatus
from personalization.marketing.newsletter import RESEND_AFTER, subscriber_sign_up
from privacy.models import ConsentRecord
from tests.browser.test_emailed_links_journey import (  # noqa: F401  (fresh, shop_links: fixtures)
    assert_posted_with_our_origin,
    fresh,
    fresh_address,
    link_in,
    mails_to,
    shop_links,
)
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)


def test_the_first_e_mails_button_does_not_confirm_a_sign_up_made_again(fresh):  # noqa: F811
    ada = fresh_address("ada-again")
    subscriber_sign_up(email=ada, user=None)
    old = fresh(link_in(mails_to(ada)[0], "/newsletter/confirm/"), "old-link")
    assert old.page.get_by_role("button", name="Yes, subscribe me").is_visible()

    # She leaves that page open; later she signs up again, and a second e-mail goes out.
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - RESEND_AFTER - timedelta(minutes=1))
    subscriber_sign_up(email=ada, user=None)
    assert len(mails_to(ada)) == 2
    with old.page.expect_navigation():
        old.page.get_by_role("button", name="Yes, subscribe me").click()

    assert old.page.get_by_role("heading", name="This link cannot be used").is_visible()
    assert "replaced by a newer one" in old.page.get_by_test_id("newsletter-link-problem").inner_text()
    assert_posted_with_our_origin(old)
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING
    assert not ConsentRecord.objects.exists()

    new = fresh(link_in(mails_to(ada)[1], "/newsletter/confirm/"), "new-link")
    with new.page.expect_navigation():
        new.page.get_by_role("button", name="Yes, subscribe me").click()
    assert new.page.get_by_role("heading", name="You are subscribed").is_visible()
    assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED
