"""The HTTP benchmark's URLs: the shop's, plus a bare view that runs one query and a personal bare
view that also reads the session and the signed-in user, as every page of a person's does."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

BARE_PATH = "benchmark/bare/"
PERSONAL_BARE_PATH = "benchmark/bare-personal/"


def bare(request: HttpRequest) -> HttpResponse:
    """The baseline: one query on the (persistent) database connection, no template."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


def bare_personal(request: HttpRequest) -> HttpResponse:
    """The floor of a personal page: the session (and the user it names) read, then one query."""
    signed_in = request.user.is_authenticated  # loads the session, then the user
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("signed in" if signed_in else "visitor", content_type="text/plain")


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
    path(PERSONAL_BARE_PATH, bare_personal),
    path("", include("config.urls")),
]
