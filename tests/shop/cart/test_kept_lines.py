"""The cart page keeps a copy of its lines in the shopper's own session and shows it again only while
it is current: every way the cart, its products, the stock or the holds on it change shows at the
next request (another browser, a writer without the session, a stock or price change, another
shopper's checkout, a hold ending), prices are worked out afresh every time, and the copy goes with
the session (erasure) and never serves another owner."""

import re
import time
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from privacy import data_requests
from shop.cart.models import Cart, CartLine
from shop.cart.selectors import LINES_KEPT_AT_MOST
from shop.cart.services import carts_abandoned_purge
from shop.cart.session import LINES_COPY_SESSION_KEY
from shop.catalog.fragments import catalog_version_bump
from shop.catalog.models import ProductVariant
from shop.catalog.stock import stock_release, stock_reserve
from tests.factories import ProductFactory, UserFactory
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse: the erasure runs its tasks)
from tests.shop.price_strategies import REASON, members_price  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def add(client, variant, quantity=1) -> None:
    response = client.post(reverse("cart:add"), {"variant": variant.pk, "quantity": quantity})
    assert response.status_code == 302, response.content.decode()[:2000]


def cart_page(client) -> tuple[str, list[str]]:
    """The cart page's HTML and the SQL it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cart:detail"))
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in queries.captured_queries]


def lines_shown(html: str) -> dict[str, int]:
    titles = re.findall(r'class="cart-line__title"[^>]*>([^<]+)<', html)
    quantities = re.findall(r'name="quantity" value="(\d+)"', html)
    return dict(zip(titles, map(int, quantities), strict=True))


def read_the_lines(sql: list[str]) -> bool:
    return any(statement.startswith('SELECT "cart_cartline"."id"') for statement in sql)


def kept_copy_shown(client) -> str:
    """The cart page once its copy is kept: the second look reads no line."""
    cart_page(client)
    html, sql = cart_page(client)
    assert not read_the_lines(sql), sql
    return html


@pytest.fixture
def lamp():
    return ProductFactory(title="Brass lamp", price=Decimal("40.00")).variants.get()


@pytest.fixture
def vase():
    return ProductFactory(title="Glass vase", price=Decimal("12.00")).variants.get()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_visitors_second_look_reads_only_the_carts_revision_and_shows_the_same_page(client, lamp, vase):
    add(client, lamp, 2)
    add(client, vase)
    cart_page(client)  # shows (and so ends) the "Added" messages
    session = client.session
    del session[LINES_COPY_SESSION_KEY]
    session.save()

    first, first_sql = cart_page(client)
    second, second_sql = cart_page(client)

    assert read_the_lines(first_sql) and not read_the_lines(second_sql)
    assert [statement for statement in second_sql if "cart_" in statement] == [
        statement for statement in second_sql if 'SELECT "cart_cart"."revision"' in statement]
    assert lines_shown(second) == {"Brass lamp": 2, "Glass vase": 1}
    assert re.sub(r'value="[^"]{40,}"', "", first) == re.sub(r'value="[^"]{40,}"', "", second)  # but CSRF
    assert "£92.00" in second


@pytest.mark.parametrize("change", ["cart:add", "cart:update", "cart:remove"])
def test_the_page_a_change_leads_to_reads_no_line_and_shows_the_change(client, lamp, vase, change):
    add(client, lamp, 2)
    add(client, vase)
    cart_page(client)

    data = {"variant": lamp.pk} if change == "cart:remove" else {"variant": lamp.pk, "quantity": 3}
    assert client.post(reverse(change), data).status_code == 302
    html, sql = cart_page(client)

    assert not read_the_lines(sql)
    expected = {"cart:add": {"Brass lamp": 5, "Glass vase": 1}, "cart:update": {"Brass lamp": 3, "Glass vase": 1},
                "cart:remove": {"Glass vase": 1}}[change]
    assert lines_shown(html) == expected


def test_an_accounts_second_look_runs_no_query_of_the_carts_own(lamp):
    client = signed_in(UserFactory())
    add(client, lamp)
    cart_page(client)

    html, sql = cart_page(client)

    # The cart is named only by the account's consent check, which reads its units and revision.
    naming_the_cart = [statement for statement in sql if '"cart_cart"' in statement]
    assert len(naming_the_cart) == 1 and "privacy_consentrecord" in naming_the_cart[0], sql
    assert lines_shown(html) == {"Brass lamp": 1}


def test_a_change_made_in_another_browser_of_the_account_shows_at_once(lamp, vase):
    user = UserFactory()
    laptop, phone = signed_in(user), signed_in(user)
    add(laptop, lamp)
    assert lines_shown(kept_copy_shown(laptop)) == {"Brass lamp": 1}

    add(phone, lamp, 2)
    add(phone, vase)

    html, sql = cart_page(laptop)
    assert read_the_lines(sql)
    assert lines_shown(html) == {"Brass lamp": 3, "Glass vase": 1}


@pytest.mark.parametrize("change", ["quantity", "delete", "new line"])
def test_a_line_changed_without_the_shoppers_session_shows_at_once(client, lamp, vase, change):
    """Whoever writes (an order paid for through a provider's webhook, the admin, a shell)."""
    add(client, lamp, 2)
    kept_copy_shown(client)
    cart = Cart.objects.get()

    if change == "quantity":
        line = CartLine.objects.get(variant=lamp)
        line.quantity = 5
        line.save(update_fields=["quantity"])
        expected = {"Brass lamp": 5}
    elif change == "delete":
        CartLine.objects.filter(cart=cart).delete()
        expected = {}
    else:
        CartLine.objects.create(cart=cart, variant=vase, quantity=1)
        expected = {"Brass lamp": 2, "Glass vase": 1}

    html, _ = cart_page(client)
    assert lines_shown(html) == expected


def test_every_save_or_delete_of_a_line_raises_its_carts_revision(lamp, vase):
    cart = Cart.objects.create(visitor_key=uuid.uuid4().hex)
    other = Cart.objects.create(visitor_key=uuid.uuid4().hex)

    def revision() -> int:
        return Cart.objects.get(pk=cart.pk).revision

    line = CartLine.objects.create(cart=cart, variant=lamp, quantity=1)
    assert revision() == 1
    line.quantity = 2
    line.save()
    assert revision() == 2
    CartLine.objects.create(cart=cart, variant=vase, quantity=1)
    cart.lines.all().delete()
    assert revision() == 5
    assert Cart.objects.get(pk=other.pk).revision == 0


def test_a_stock_change_shows_at_once(client, lamp, django_capture_on_commit_callbacks):
    add(client, lamp, 3)
    assert "in stock" not in kept_copy_shown(client)

    with django_capture_on_commit_callbacks(execute=True):
        ProductVariant.objects.filter(pk=lamp.pk).update(stock_quantity=2)
        ProductVariant.objects.get(pk=lamp.pk).save()  # as the admin saves it: the catalog changed

    html, _ = cart_page(client)
    assert "Only 2 in stock" in html


def test_a_lower_price_shows_at_once(client, lamp, django_capture_on_commit_callbacks):
    add(client, lamp)
    assert "£40.00" in kept_copy_shown(client)

    with django_capture_on_commit_callbacks(execute=True):
        variant = ProductVariant.objects.get(pk=lamp.pk)
        variant.price = Decimal("30.00")
        variant.save()  # as the admin saves it: the catalog changed

    html, _ = cart_page(client)
    assert "£30.00" in html and "£40.00" not in html


def test_another_shoppers_checkout_holding_units_shows_at_once_and_so_does_its_release(
        client, lamp, django_capture_on_commit_callbacks):
    ProductVariant.objects.filter(pk=lamp.pk).update(stock_quantity=5)
    add(client, lamp, 3)
    assert "in stock" not in kept_copy_shown(client)
    holder = uuid.uuid4()

    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(holder=holder, quantities={lamp.pk: 4}, until=timezone.now() + timedelta(minutes=15))
    assert "Only 1 in stock" in cart_page(client)[0]
    assert "Only 1 in stock" in kept_copy_shown(client)

    with django_capture_on_commit_callbacks(execute=True):
        stock_release(holder=holder)
    assert "in stock" not in cart_page(client)[0]


def test_when_a_hold_it_counted_ends_the_units_show_again(client, lamp, django_capture_on_commit_callbacks):
    ProductVariant.objects.filter(pk=lamp.pk).update(stock_quantity=5)
    add(client, lamp, 3)
    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(holder=uuid.uuid4(), quantities={lamp.pk: 4}, until=timezone.now() + timedelta(seconds=1))
    html, sql = cart_page(client)
    assert "Only 1 in stock" in html and read_the_lines(sql)
    assert not read_the_lines(cart_page(client)[1])  # kept, until the hold ends

    time.sleep(1.1)

    html, sql = cart_page(client)
    assert read_the_lines(sql) and "in stock" not in html


def test_prices_are_worked_out_afresh_from_the_copy_when_the_shopper_no_longer_gets_a_personal_one(
        lamp, members_price):  # noqa: F811
    member = UserFactory()
    members_price.add(member.pk)
    client = signed_in(member)
    add(client, lamp)
    html = kept_copy_shown(client)
    assert "£36.00" in html and REASON in html

    members_price.discard(member.pk)  # as a withdrawal of consent or a segment left does

    html, sql = cart_page(client)
    assert not read_the_lines(sql)
    assert "£36.00 → £40.00" in html  # what it was quoted, and what it costs now
    assert "Your price" not in html and REASON not in html


def test_the_visitors_copy_is_not_shown_to_the_account_they_log_in_to(client, lamp, vase):
    user = UserFactory()
    signed_in(user).post(reverse("cart:add"), {"variant": vase.pk, "quantity": 1})
    add(client, lamp)
    kept_copy_shown(client)

    client.force_login(user)  # the session keeps its data (and the copy), under a new key

    html, sql = cart_page(client)
    assert read_the_lines(sql)
    assert lines_shown(html) == {"Glass vase": 1}


def test_a_visitors_cart_purged_leaves_an_empty_page_and_no_copy(client, lamp):
    add(client, lamp)
    kept_copy_shown(client)

    carts_abandoned_purge(before=timezone.now() + timedelta(days=1))

    html, _ = cart_page(client)
    assert lines_shown(html) == {} and "Your cart is empty" in html
    assert LINES_COPY_SESSION_KEY not in client.session


@pytest.mark.parametrize("tampering", ["other sql", "rows not a list", "a value of no kept kind", "other owner",
                                       "bad until"])
def test_a_copy_that_is_not_one_this_code_made_for_this_cart_is_read_afresh(client, lamp, tampering):
    add(client, lamp, 2)
    kept_copy_shown(client)
    session = client.session
    copy = dict(session[LINES_COPY_SESSION_KEY])
    if tampering == "other sql":
        copy["sql"] = "0" * 24
    elif tampering == "rows not a list":
        copy["rows"] = {"a": 1}
    elif tampering == "a value of no kept kind":
        copy["rows"] = [[["pickle", "x"], *row[1:]] for row in copy["rows"]]
    elif tampering == "other owner":
        copy["owner"] = ["visitor", uuid.uuid4().hex]
    else:
        copy["until"] = "not a time"
    session[LINES_COPY_SESSION_KEY] = copy
    session.save()

    html, sql = cart_page(client)

    assert read_the_lines(sql)
    assert lines_shown(html) == {"Brass lamp": 2}


def test_erasure_deletes_the_copy_with_the_accounts_sessions(lamp, settings):
    settings.ERASURE_GRACE_DAYS = 0
    user = UserFactory()
    client = signed_in(user)
    add(client, lamp)
    kept_copy_shown(client)
    session_key = client.session.session_key
    assert LINES_COPY_SESSION_KEY in Session.objects.get(session_key=session_key).get_decoded()

    request = data_requests.erasure_request(user_id=user.pk)
    assert data_requests.erasure_run(request_id=request.pk) == "erased"

    assert not Session.objects.filter(session_key=session_key).exists()


def test_a_change_that_commits_while_the_lines_are_read_shows_at_the_next_look(client, lamp):
    add(client, lamp)
    session = client.session
    del session[LINES_COPY_SESSION_KEY]  # the next look reads the lines
    session.save()
    changed = []

    def price_changes_right_after_the_read(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith('SELECT "cart_cartline"."id"') and not changed:
            changed.append(sql)  # as another process's change, committed once the rows are read
            ProductVariant.objects.filter(pk=lamp.pk).update(price=Decimal("30.00"))
            catalog_version_bump()
        return result

    with connection.execute_wrapper(price_changes_right_after_the_read):
        assert "£40.00" in cart_page(client)[0]
    assert changed

    html, sql = cart_page(client)
    assert read_the_lines(sql) and "£30.00" in html


@pytest.mark.parametrize(("lines", "kept"), [(LINES_KEPT_AT_MOST, True), (LINES_KEPT_AT_MOST + 1, False)])
def test_a_cart_of_more_lines_than_are_kept_is_read_every_time_and_leaves_no_copy(client, lines, kept):
    for product in ProductFactory.create_batch(lines):
        add(client, product.variants.get())

    html, _ = cart_page(client)
    html_again, sql = cart_page(client)

    assert len(lines_shown(html_again)) == lines
    assert (LINES_COPY_SESSION_KEY in client.session) is kept
    assert read_the_lines(sql) is not kept
