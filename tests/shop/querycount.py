"""Counting a page's queries: the same count for 10 and for 100 products, within a budget."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_for(client, url: str, *, method: str = "get", data: dict | None = None,
                expect_status: tuple[int, ...] = (200,)) -> int:
    with CaptureQueriesContext(connection) as context:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in expect_status, (url, response.status_code)
    return len(context.captured_queries)
