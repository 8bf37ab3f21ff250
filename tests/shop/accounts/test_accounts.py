"""Accounts by allauth: e-mail login with verification, password reset, in the shop's layout."""

import re

import pytest
from django.core import mail

from shop.accounts.models import User
from tests.factories import UserFactory


@pytest.mark.django_db
def test_signup_requires_verifying_the_email_before_logging_in(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"

    response = client.post("/accounts/signup/", {
        "email": "new.shopper@example.com", "password1": "a-long-unusual-passphrase", "password2":
        "a-long-unusual-passphrase"}, follow=True)

    assert User.objects.filter(email="new.shopper@example.com").exists()
    assert "Verify Your Email Address" in response.content.decode()
    assert len(mail.outbox) == 1 and "new.shopper@example.com" in mail.outbox[0].to
    assert "_auth_user_id" not in client.session

    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(1)
    client.post(link)
    client.post("/accounts/login/", {"login": "new.shopper@example.com",
                                     "password": "a-long-unusual-passphrase"})
    assert client.session["_auth_user_id"] == str(User.objects.get(email="new.shopper@example.com").pk)


@pytest.mark.django_db
def test_login_page_uses_the_shop_layout(client):
    html = client.get("/accounts/login/").content.decode()

    assert 'class="site-header"' in html and "Privacy notice" in html
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert " ".join(title.split()) == "Log in — Attuned"


@pytest.mark.django_db
def test_wrong_password_is_a_form_error_not_a_login(client):
    UserFactory(email="shopper@example.com")

    response = client.post("/accounts/login/", {"login": "shopper@example.com", "password": "wrong"})

    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = UserFactory(email="forgetful@example.com")

    client.post("/accounts/password/reset/", {"email": "forgetful@example.com"})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url
    client.post(form_url, {"password1": "brand-new-passphrase-42", "password2": "brand-new-passphrase-42"})

    user.refresh_from_db()
    assert user.check_password("brand-new-passphrase-42")


@pytest.mark.django_db
def test_imported_customers_cannot_log_in(client, sample_catalog):
    customer = User.objects.filter(imported_customer_number__isnull=False).first()

    client.post("/accounts/login/", {"login": customer.email, "password": ""})

    assert "_auth_user_id" not in client.session
