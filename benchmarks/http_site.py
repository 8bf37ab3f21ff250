"""Settings of the HTTP benchmark's server: production settings, plus the benchmark's own URL
(a bare view) and a response header counting each request's SQL queries. Used only by
benchmarks/http.py, which generates throwaway secrets for it."""

from config.env import env
from config.settings.production import *  # noqa: F403
from config.settings.production import MIDDLEWARE

ROOT_URLCONF = "benchmarks.http_urls"
MIDDLEWARE = ["benchmarks.http_urls.QueryCountMiddleware", *MIDDLEWARE]
STATIC_ROOT = env("BENCHMARK_STATIC_ROOT")
# Two benchmark databases on one Redis never share a catalog version or a fragment.
CACHES["default"]["KEY_PREFIX"] = "benchmark-" + DATABASES["default"]["NAME"]  # noqa: F405
