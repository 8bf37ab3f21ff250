"""The HTTP benchmark's URLs: the shop's, plus a bare view that runs one query."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

BARE_PATH = "benchmark/bare/"


def bare(request: HttpRequest) -> HttpResponse:
    """The baseline: one query on the (persistent) database connection, no template."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


class QueryCountMiddleware:
    """Adds `X-Benchmark-Queries`: the SQL statements the request ran (all middleware included)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        response["X-Benchmark-Queries"] = str(count)
        return response


urlpatterns = [
    path(BARE_PATH, bare),
    path("", include("config.urls")),
]
