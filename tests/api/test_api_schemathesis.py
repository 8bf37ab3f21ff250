"""The live schema, fuzzed: every operation, anonymous and with a customer's API token, under
every check schemathesis has. No server error; only documented statuses, content types, headers
and bodies; schema-valid requests accepted and schema-invalid ones refused; no finding allowed.

Bounded for CI (a few examples per operation, derandomized: the same requests every run) and run
once, on PostgreSQL."""

from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
import schemathesis.specs.openapi.checks  # noqa: F401  (registers the OpenAPI checks)
from schemathesis.checks import CHECKS as REGISTERED_CHECKS

from shop.cart.services import cart_get_or_create, cart_line_add
from shop.checkout.services import checkout_start
from shop.pricing import price_strategy_for
from tests.factories import CategoryFactory, ProductFactory, verified_user
from tests.shop.checkout_helpers import shipping_methods_ensure

MAX_EXAMPLES = 10
# Every check schemathesis has: server errors, the documented statuses, content types, headers and
# bodies, schema-valid data accepted and invalid data refused, methods, authentication, and
# that what the client created or deleted stays so.
CHECKS = REGISTERED_CHECKS.get_all()
pytestmark = [pytest.mark.postgres]


# The live schema, as the server serves it (loading it touches no database).
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
# NUL bytes in a query string are refused by config.middleware before the API (its own tests).
schema.config.generation.update(allow_x00=False, max_examples=MAX_EXAMPLES, database="none")
# A body or an address too large to read is refused too (413, 414), before any field is looked at.
negative_data_rejection = schema.config.checks.negative_data_rejection
negative_data_rejection.expected_statuses = [*negative_data_rejection.expected_statuses, "413", "414"]
fuzz_settings = hypothesis_settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                                    suppress_health_check=list(HealthCheck))


@pytest.fixture
def shop_to_fuzz(db):
    # As Django's test client does: requests must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    shipping_methods_ensure()
    lighting = CategoryFactory(name="Lighting", slug="lighting")
    for n in range(3):
        ProductFactory(title=f"Lantern {n}", slug=f"lantern-{n}", category=lighting, price=Decimal("4.50"))
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@fuzz_settings
def test_anonymous_clients_meet_only_documented_answers(case, shop_to_fuzz):
    case.call_and_validate(checks=CHECKS)


@pytest.fixture
def token_headers(shop_to_fuzz):
    from shop.accounts.api.tokens import api_token_create

    user = verified_user(email="fuzz@example.com")
    # A cart with an open checkout, so that checkout operations reach their services, not only a 404.
    cart = cart_get_or_create(user_id=user.pk)
    product = ProductFactory(title="Fuzzed Lantern", variant__stock=10_000)
    cart_line_add(cart=cart, variant_id=product.variants.first().pk, quantity=1, subject=None)
    checkout_start(cart=cart, user_id=user.pk, subject=None, strategy=price_strategy_for(None))
    return {"Authorization": f"Bearer {api_token_create(user_id=user.pk, name='fuzz').key}"}


@schema.parametrize()
@fuzz_settings
def test_token_clients_meet_only_documented_answers(case, shop_to_fuzz, token_headers):
    case.call_and_validate(headers=token_headers, checks=CHECKS)
