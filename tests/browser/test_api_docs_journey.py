"""A developer reads the API's interactive documentation and tries an operation, under the shop's CSP."""

from decimal import Decimal

import pytest

from tests.factories import CategoryFactory, ProductFactory


@pytest.mark.django_db(transaction=True)
def test_developer_lists_products_from_the_interactive_docs(journey):
    ProductFactory(title="Tin Lantern", category=CategoryFactory(name="Lighting"), price=Decimal("3.50"))
    page = journey.page

    journey.goto("/api/docs/")
    page.get_by_text("REST API", exact=False).first.wait_for()
    operation = page.locator("#operations-products-products_list")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    body = operation.locator(".responses-wrapper .live-responses-table .response-col_description pre").first
    body.wait_for()
    journey.screenshot("products-listed")

    assert '"title": "Tin Lantern"' in body.inner_text()
    assert '"amount": "3.50"' in body.inner_text()
    assert journey.csp_violations() == []
