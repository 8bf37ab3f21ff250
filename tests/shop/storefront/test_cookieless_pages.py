"""Whole pages kept for requests without cookies: each visitor gets their own token and nonce, the
page is kept only when nothing personal can be in it, and what happens per request still happens."""

import re
from decimal import Decimal

import pytest
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import reverse

from privacy import notice
from shop import events, recommendations
from shop.catalog.models import ProductVariant
from shop.pricing.list_prices import product_price_refresh
from tests.factories import CategoryFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NONCE = re.compile(r'nonce="([^"]+)"')


@pytest.fixture
def lantern(shared_fragments):
    category = CategoryFactory(name="Lighting", slug="lighting")
    return ProductFactory(title="White Metal Lantern", slug="white-metal-lantern", category=category,
                          price=Decimal("4.95"), description="A lantern for the garden.")


def visit(url: str, client: Client | None = None, **meta):
    """A GET as a browser with no cookie of ours would send it (a fresh client: no cookie at all)."""
    response = (client or Client()).get(url, **meta)
    assert response.status_code == 200, (url, response.status_code)
    return response


def rendered(response) -> bool:
    """Whether the view rendered a template for this response (a kept page renders none)."""
    return bool(response.templates)


def test_a_cookieless_visitor_gets_the_kept_page_with_their_own_token_and_nonce(lantern):
    url = lantern.get_absolute_url()
    first, second = visit(url), visit(url)

    assert rendered(first) and not rendered(second)
    first_html, second_html = first.content.decode(), second.content.decode()
    assert "White Metal Lantern" in second_html and "£4.95" in second_html
    tokens = [TOKEN.search(html).group(1) for html in (first_html, second_html)]
    nonces = [NONCE.search(html).group(1) for html in (first_html, second_html)]
    assert tokens[0] != tokens[1] and nonces[0] != nonces[1]
    # Apart from the two, the pages are the same.
    assert TOKEN.sub("", NONCE.sub("", first_html)) == TOKEN.sub("", NONCE.sub("", second_html))
    # The nonce is the one the policy allows, and the token is for the CSRF cookie sent with it.
    assert f"'nonce-{nonces[1]}'" in second["Content-Security-Policy"]
    assert "cookieless-page" not in second_html
    assert "csrftoken" in second.cookies


def test_the_token_of_a_kept_page_adds_to_the_cart(lantern):
    visit(lantern.get_absolute_url())  # kept
    shopper = Client(enforce_csrf_checks=True)
    page = visit(lantern.get_absolute_url(), shopper)
    assert not rendered(page)

    response = shopper.post(reverse("cart:add"), {"variant": lantern.variants.get().pk, "quantity": 2,
                                                  "csrfmiddlewaretoken": TOKEN.search(page.content.decode()).group(1)})

    assert response.status_code == 302
    assert 'data-testid="cart-count">2<' in shopper.get(reverse("cart:detail")).content.decode()


def test_every_storefront_page_is_kept_and_answers_the_same_on_a_hit(lantern):
    for url in ("/", lantern.category.get_absolute_url(), lantern.get_absolute_url(),
                reverse("storefront:search") + "?q=lantern",
                lantern.category.get_absolute_url() + "?sort=price&in_stock=on&page=1"):
        miss, hit = visit(url), visit(url)
        assert rendered(miss) and not rendered(hit), url
        assert hit["Content-Type"] == miss["Content-Type"]
        vary = {part.strip() for part in hit["Vary"].split(",")}
        assert {"Cookie", "Sec-GPC"} <= vary, url


def test_a_request_with_any_other_cookie_is_rendered_for_itself_and_never_kept(lantern):
    person = UserFactory(email="zebedee@example.com")
    signed_in = Client()
    signed_in.force_login(person)
    url = lantern.get_absolute_url()

    assert rendered(visit(url, signed_in)) and rendered(visit(url, signed_in))
    assert rendered(visit(url))  # nothing the signed-in visits rendered was kept
    with_other_cookie = Client()
    with_other_cookie.cookies["something"] = "else"
    assert rendered(visit(url, with_other_cookie))
    assert not rendered(visit(url))


def test_an_address_with_a_parameter_the_page_does_not_read_is_served_but_not_kept(lantern):
    url = lantern.get_absolute_url() + "?utm_source=newsletter"
    assert rendered(visit(url)) and rendered(visit(url))
    search = reverse("storefront:search") + "?q=lantern&ref=footer"
    assert rendered(visit(search)) and rendered(visit(search))


def test_each_address_and_query_is_a_page_of_its_own(lantern):
    ProductFactory(title="Red Retrospot Mug", slug="red-retrospot-mug", category=lantern.category)
    search = reverse("storefront:search")
    visit(search + "?q=lantern")
    mugs = visit(search + "?q=mug")
    assert rendered(mugs)
    assert "Red Retrospot Mug" in mugs.content.decode() and "White Metal Lantern" not in mugs.content.decode()
    assert "White Metal Lantern" in visit(search + "?q=lantern").content.decode()


def test_the_global_privacy_control_signal_gets_its_own_page(lantern):
    # The banner tells a visitor whose browser sends the signal that it was honoured.
    without = visit("/").content.decode()
    with_gpc = visit("/", HTTP_SEC_GPC="1")
    assert notice.GPC_TEXT not in without
    assert rendered(with_gpc) and notice.GPC_TEXT in with_gpc.content.decode()
    assert notice.GPC_TEXT in visit("/", HTTP_SEC_GPC="1").content.decode()
    assert notice.GPC_TEXT not in visit("/").content.decode()


def test_a_committed_price_change_renews_the_kept_page(lantern, django_capture_on_commit_callbacks):
    url = lantern.get_absolute_url()
    visit(url)
    assert not rendered(visit(url))
    with django_capture_on_commit_callbacks(execute=True):
        ProductVariant.objects.filter(product=lantern).update(price=Decimal("6.50"))
        product_price_refresh(product=lantern)

    renewed = visit(url)
    assert rendered(renewed) and "£6.50" in renewed.content.decode()


class ReasonAskingWhenShown:
    """A reason that asks for the request's token (or nonce) only when the template shows it."""

    def __init__(self, ask):
        self.ask = ask

    def __str__(self):
        self.ask()
        return "Bought together"

    def __reduce__(self):  # a shared copy is the text alone
        return str, ("Bought together",)


def ask_token(request):
    return lambda: get_token(request)


def ask_nonce(request):
    nonce = request.csp_nonce  # the request's own (lazy) nonce, held until shown
    return lambda: str(nonce)


class TokenAskingRails:
    """A rail source that asks for the request's own CSRF token (or nonce) while the view builds the
    page (`now`), or only once the template shows its reason: what it shows is per request."""

    def __init__(self, product_id: int, ask, now: bool):
        self.product_id, self.ask, self.now = product_id, ask, now

    def rails(self, request, *, page, product_id=None, basket_product_ids=()):
        ask = self.ask(request)
        if self.now:
            ask()
        reason = "Bought together" if self.now else ReasonAskingWhenShown(ask)
        return [recommendations.RailSpec(key="also", title="Also bought", suggestions=[
            recommendations.Suggestion(self.product_id, reason)])]


@pytest.mark.parametrize("now", [True, False], ids=["building", "rendering"])
@pytest.mark.parametrize("ask", [ask_token, ask_nonce], ids=["csrf-token", "nonce"])
def test_a_page_whose_render_asked_for_the_requests_own_token_or_nonce_is_never_kept(lantern, ask, now):
    mug = ProductFactory(title="Red Retrospot Mug", slug="red-retrospot-mug", category=lantern.category)
    previous = recommendations.rail_source_register(TokenAskingRails(mug.pk, ask, now))
    try:
        url = lantern.get_absolute_url()
        first, second = visit(url), visit(url)
        assert "Bought together" in first.content.decode()
        assert rendered(first) and rendered(second)
        shopper = Client(enforce_csrf_checks=True)
        html = visit(url, shopper).content.decode()
        response = shopper.post(reverse("cart:add"), {"variant": lantern.variants.get().pk, "quantity": 1,
                                                      "csrfmiddlewaretoken": TOKEN.search(html).group(1)})
        assert response.status_code == 302
    finally:
        recommendations.rail_source_register(previous)


class PersonalRails:
    """A source that (wrongly) offers a personal rail to a request it knows nothing about."""

    def __init__(self, product_id: int):
        self.product_id = product_id

    def rails(self, request, *, page, product_id=None, basket_product_ids=()):
        return [recommendations.RailSpec(key="for-you", title="Picked for you", personal=True, suggestions=[
            recommendations.Suggestion(self.product_id, "Because of what you viewed")])]


@pytest.mark.parametrize("where", ["home", "product"])
def test_a_page_with_a_personal_rail_is_never_kept(lantern, where):
    mug = ProductFactory(title="Red Retrospot Mug", slug="red-retrospot-mug", category=lantern.category)
    previous = recommendations.rail_source_register(PersonalRails(mug.pk))
    try:
        url = "/" if where == "home" else lantern.get_absolute_url()
        first, second = visit(url), visit(url)
        assert "Picked for you" in first.content.decode()
        assert rendered(first) and rendered(second)
    finally:
        recommendations.rail_source_register(previous)


def test_a_kept_page_still_emits_its_events(lantern, django_capture_on_commit_callbacks):
    ProductFactory(title="Lantern Hook", slug="lantern-hook", category=lantern.category)
    seen: list[events.ShopEvent] = []
    events.subscribe(events.ProductViewed, seen.append)
    events.subscribe(events.SearchPerformed, seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(2):
                visit(lantern.get_absolute_url())
                visit(reverse("storefront:search") + "?q=lantern")
    finally:
        events.unsubscribe(events.ProductViewed, seen.append)
        events.unsubscribe(events.SearchPerformed, seen.append)

    views = [event for event in seen if isinstance(event, events.ProductViewed)]
    searches = [event for event in seen if isinstance(event, events.SearchPerformed)]
    assert [event.product_id for event in views] == [lantern.pk, lantern.pk]
    assert [(event.query, event.result_count) for event in searches] == [("lantern", 2), ("lantern", 2)]


def test_a_missing_product_is_a_404_every_time(lantern):
    for _ in range(2):
        assert Client().get("/p/no-such-lantern/").status_code == 404
