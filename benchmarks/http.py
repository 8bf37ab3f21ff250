"""HTTP benchmark: every storefront page under load, as a ratio to a bare Django view.

    .venv/bin/python -m benchmarks.http [--database-url URL] [--redis-url URL] [--duration 10]
                                        [--clients 16,64] [--rounds 3] [--grow 1] [--page NAME]
                                        [--out FILE]

Needs PostgreSQL and Redis on this machine and Debian's `wrk` (`scripts/apt-install wrk`);
installs nothing itself. It migrates the database it is given (default: a database
`attuned_http_benchmark`, created when missing), imports the shipped data set when the
catalog is empty (`--grow N` then copies every product N-1 times, a catalog N times the
real one), trains the recommenders when no version serves (so pages show their rails), enables the
demo's demand rule and recomputes prices when there is no rule yet (pages show demand prices), and starts gunicorn from `config/gunicorn.py` with production settings and
throwaway secrets, plus a bare view that runs one query (`benchmarks/http_urls.py`).
It computes the customer segments when there are none, prepares a visitor's cart with 3 lines,
signs in an imported customer with orders, a consenting customer with a "Recommended for you"
list whose segment has a personal price (a discount, created when the segment has none), and a
merchant (a superuser who signs in with an authenticator app's code, as the admin requires),
brings the planner's statistics up to date (ANALYZE, as autovacuum keeps them in production), warms
every page up, then loads each page with wrk for `--duration` seconds at each
number of clients: home, a category, a product, a search, the cart, the account's
order list (20 orders), the consenting customer's home, and the admin's dashboard, order list,
product list, a product's page with its price chart, the price changes and a customer's page,
with the bare view measured before each page and after the last. It prints
and writes as JSON (benchmarks/results/) requests per second, p50/p95/p99 latency,
errors and non-2xx responses, queries per request and each page's ratio to the bare
view measured on either side of it (the bare view's row: the median of its runs). Pages of a
signed-in person (or of the merchant) and the visitor's cart are also measured against a
personal bare view with the same cookie, which reads the session and the user it names and runs
one query (the floor of any page of that person's), in `--rounds` rounds (3) alternating with it:
each round's ratio is to the personal bare runs on either side, and the round with the median
ratio is the page's row (every round's ratio and p99 are in the JSON). Each run begins once the
requests the previous one left queued are answered. `--page NAME` (repeated) measures only those
pages.
Everything stays on 127.0.0.1.

This is not a test and does not run in CI.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "online-retail" / "online_retail.csv.xz"
RESULTS = ROOT / "benchmarks" / "results"
HOST = "127.0.0.1"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
BARE = "/benchmark/bare/"
PERSONAL_BARE = "/benchmark/bare-personal/"

WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK-JSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"connect\\": %d, \\"read\\": %d, \\"write\\": %d, "
    .. "\\"timeout\\": %d, \\"non_2xx\\": %d, \\"p50_us\\": %d, \\"p95_us\\": %d, \\"p99_us\\": %d, \\"max_us\\": %d}\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def local_only(url: str, what: str) -> None:
    host = urlsplit(url).hostname
    if host not in LOCAL_HOSTS:
        sys.exit(f"{what} must be on this machine (127.0.0.1), not {host!r}.")


def server_environment(args: argparse.Namespace, static_root: Path) -> dict[str, str]:
    """Production settings with fresh random secrets: nothing here is reused anywhere."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE"))}
    environment.update({
        "DJANGO_SETTINGS_MODULE": "benchmarks.http_site",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "EMAIL_URL": f"smtp://{HOST}:2525",  # never reached: no page measured sends e-mail
        "BENCHMARK_STATIC_ROOT": str(static_root),
        "GUNICORN_BIND": f"{HOST}:{args.port}",
        "PYTHONPATH": str(ROOT),
    })
    if args.workers:
        environment["GUNICORN_WORKERS"] = str(args.workers)
    for name in ("DJANGO_SECRET_KEY", "FIELD_ENCRYPTION_KEY", "FIELD_SIGNING_KEY", "BLIND_INDEX_KEY",
                 "SHOP_TEST_PROVIDER_WEBHOOK_SECRET"):
        environment[name] = secrets.token_urlsafe(48)
    return environment


def manage(environment: dict[str, str], *arguments: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=environment,
                            capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"manage.py {' '.join(arguments)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result.stdout


def database_analyze(url: str) -> None:
    """Bring the planner's statistics up to date after the bulk writes above, as autovacuum does on a
    production server (a server run with autovacuum off, as CI's is, would otherwise plan the
    measured queries from no statistics at all: a person's rails read 0.8 ms instead of 0.1 ms)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("ANALYZE")


def database_create(url: str) -> None:
    """Create the benchmark's database when it does not exist yet (through the server's own database)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


PREPARE = """
import json, sys
from decimal import Decimal
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from personalization.recommendations.models import ModelVersionStatus, Rail, RecommendationList
from personalization.segments.models import SegmentDiscount, SegmentMembership, SegmentRun
from primitives.subjects import Subject
from privacy.models import ConsentSource
from privacy.purposes import CONSENT_PURPOSES
from privacy.services import consent_decide
from shop.accounts.models import User
from shop.catalog.fragments import catalog_version_bump
from shop.catalog.models import Category, Product, ProductVariant
from shop.pricing.models import PriceChange

grow, password = int(sys.argv[1]), sys.argv[2]
if grow > 1 and not Product.objects.filter(slug__endswith="-copy-1").exists():
    with transaction.atomic():
        originals = list(Product.objects.prefetch_related("variants"))
        for copy in range(1, grow):
            products = Product.objects.bulk_create([
                Product(title=p.title, slug=f"{p.slug}-copy-{copy}", description=p.description, category_id=p.category_id,
                        price=p.price, is_published=p.is_published, popularity=0, created_at=p.created_at)
                for p in originals])
            ProductVariant.objects.bulk_create([
                ProductVariant(product=new, sku=f"{v.sku}-C{copy}", name=v.name, price=v.price, base_price=v.base_price,
                               stock_quantity=v.stock_quantity, position=v.position)
                for new, original in zip(products, originals) for v in original.variants.all()])
def can_sign_in(user, **fields):
    user.password = make_password(password)
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})

customer = (User.objects.filter(orders__isnull=False).annotate(n=Count("orders")).order_by("-n", "pk").first())
can_sign_in(customer)
# A consenting customer with a "Recommended for you" list who is in the newest segment run, whose
# segment has a personal price (a discount): the home page shows both.
run = SegmentRun.objects.order_by("-computed_at", "-id").first()
listed = RecommendationList.objects.filter(version__status=ModelVersionStatus.ACTIVE, rail=Rail.FOR_YOU).values("user_id")
membership = (SegmentMembership.objects.filter(run=run, user_id__in=listed).exclude(user=customer)
              .order_by("user_id").first())
fan = membership.user
can_sign_in(fan)
consent_decide(subject=Subject.for_user(fan), choices=dict.fromkeys(CONSENT_PURPOSES, True),
               source=ConsentSource.SETTINGS)
if not SegmentDiscount.objects.filter(segment=membership.segment, enabled=True).exists():
    SegmentDiscount.objects.create(segment=membership.segment, percent=Decimal("5"),
                                   reason="Thank you for shopping with us")
# A merchant who signs in with a second factor (an authenticator app's code), as the admin requires.
staff = User.objects.filter(email="benchmark-staff@attuned.test").first() or User(email="benchmark-staff@attuned.test")
can_sign_in(staff, is_staff=True, is_superuser=True, is_active=True)
Authenticator.objects.filter(user=staff).delete()
totp_secret = generate_totp_secret()
TOTP.activate(staff, totp_secret)
priced = (PriceChange.objects.values("product_id").annotate(n=Count("id")).order_by("-n", "product_id").first()
          or {"product_id": Product.objects.order_by("pk").values_list("pk", flat=True).first()})
category = Category.objects.annotate(n=Count("products")).order_by("-n").first()
product = (Product.objects.filter(is_published=True, variants__stock_quantity__gt=10)
           .order_by("-popularity", "pk").first())
in_stock = list(ProductVariant.objects.filter(stock_quantity__gt=10, product__is_published=True)
                .order_by("-product__popularity", "pk").values_list("pk", flat=True)[:3])
catalog_version_bump()  # no fragment from an earlier run is served
print("PREPARED " + json.dumps({
    "email": customer.email, "orders": customer.n, "category": category.get_absolute_url(),
    "product": product.get_absolute_url(), "variants": in_stock, "products": Product.objects.count(),
    "fan": fan.email, "segment": membership.segment, "staff": staff.email, "totp_secret": totp_secret,
    "customer_id": customer.pk, "priced_product_id": priced["product_id"],
}))
"""

# Searches timed in-process with the fragment cache off (every one counted and read afresh):
# words from the catalog's titles, and the same words misspelt.
SEARCH_TIMING = """
import json, random, statistics, time
from shop.catalog.models import Product
from shop.catalog.selectors import product_search_results

random.seed(16)
words = sorted({w.lower() for t in Product.objects.values_list("title", flat=True)[:5000] for w in t.split()
                if w.isalpha() and len(w) > 4})
chosen = random.sample(words, 40)
typos = [w[:2] + w[3] + w[2] + w[4:] for w in chosen[:20]]
samples = {}
for kind, terms in (("words", chosen), ("misspelt", typos)):
    times = []
    for term in terms:
        started = time.perf_counter()
        results = product_search_results(query=term)
        results.count()
        list(results[:24])
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    samples[kind] = {"searches": len(times), "p50_ms": round(statistics.median(times), 1),
                     "p95_ms": round(times[int(len(times) * 0.95) - 1], 1), "max_ms": round(times[-1], 1)}
print("SEARCH " + json.dumps(samples))
"""


class Browser:
    """A minimal HTTP client for preparing sessions: keeps cookies (Secure ones too: this is 127.0.0.1)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, dict]:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        headers = {"Host": HOST, "Cookie": self.cookie_header()}
        body = None
        if form is not None:
            body = urlencode(form)
            headers.update({"Content-Type": "application/x-www-form-urlencoded",
                            "Referer": f"http://{HOST}:{self.port}{path}"})
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                value, _, attributes = rest.partition(";")
                if value in ("", '""') or "max-age=0" in attributes.lower().replace(" ", ""):
                    self.cookies.pop(name.strip(), None)  # a deletion, as a browser reads it
                else:
                    self.cookies[name.strip()] = value
        text = response.read().decode("utf-8", "replace")
        connection.close()
        return response.status, text, dict(response.getheaders())

    def post_and_follow(self, path: str, form: dict) -> str:
        """Submit a form and open the page it redirects to, as a browser does: the messages the
        form left ("Added to your cart", "Signed in") are shown there once, and then gone, so the
        pages measured afterwards are those a shopper sees on coming back to them."""
        status, _, headers = self.request("POST", path, form)
        assert status == 302, f"{path} answered {status}"
        location = urlsplit(headers.get("Location", "")).path
        status, _, _ = self.request("GET", location)
        assert status == 200, f"{location}, after {path}, answered {status}"
        return location

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items() if value)

    def csrf_token(self, path: str) -> str:
        status, html, _ = self.request("GET", path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if status != 200 or not match:
            sys.exit(f"no form with a CSRF token at {path} ({status})")
        return match.group(1)


def totp_code(secret: str, at: float | None = None) -> str:
    """The authenticator app's code now (RFC 6238: 30-second steps, six digits, HMAC-SHA1)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def sign_in(browser: Browser, email: str, password: str, totp_secret: str = "") -> None:
    """Sign in through the shop's login page, and with the second factor when one is asked for."""
    token = browser.csrf_token("/accounts/login/")
    location = browser.post_and_follow("/accounts/login/", {"csrfmiddlewaretoken": token,
                                                            "login": email, "password": password})
    if totp_secret and "2fa" in location:
        token = browser.csrf_token(location)
        browser.post_and_follow(location, {"csrfmiddlewaretoken": token, "code": totp_code(totp_secret)})


def wait_until_up(port: int, server: subprocess.Popen, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn stopped while starting; its output is above.")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", BARE, headers={"Host": HOST})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("gunicorn did not answer in time.")


def wait_until_idle(url: str) -> None:
    """Wait for the requests of the previous run to be answered: wrk stops after its time, but the
    requests it had sent (up to one per client, several seconds' worth for a slow page) are still
    queued at the workers, and the next run would otherwise begin behind them. A request sent now
    is answered once they are."""
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=300)
    connection.request("GET", BARE, headers={"Host": HOST})
    connection.getresponse().read()
    connection.close()


def run_wrk(url: str, clients: int, seconds: int, cookie: str, script: Path) -> dict:
    wait_until_idle(url)
    command = ["wrk", f"-t{min(2, clients)}", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(script), "-H", f"Host: {HOST}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    report = json.loads(output.split("WRK-JSON ", 1)[1].splitlines()[0])
    seconds_taken = report["duration_us"] / 1e6
    return {
        "rps": round(report["requests"] / seconds_taken, 1),
        "requests": report["requests"],
        "p50_ms": round(report["p50_us"] / 1000, 1),
        "p95_ms": round(report["p95_us"] / 1000, 1),
        "p99_ms": round(report["p99_us"] / 1000, 1),
        "max_ms": round(report["max_us"] / 1000, 1),
        "errors": report["connect"] + report["read"] + report["write"] + report["timeout"],
        "non_2xx": report["non_2xx"],
    }


def measure_against_personal_bare(page_url: str, personal_bare_url: str, clients: int, args: argparse.Namespace,
                                  cookie: str, script: Path) -> dict:
    """A person's page against the floor of any page of theirs (the personal bare view, same cookie),
    in `--rounds` rounds: the floor, the page, the floor, the page, ..., the floor. Each round's
    ratio is the page's rate over the mean of the floor runs on either side of it; the page's row
    is its round with the median ratio (with every round's ratio beside it), so that a burst of
    load from elsewhere on the machine moves one round, not the result."""
    floors = [run_wrk(personal_bare_url, clients, args.duration, cookie, script)]
    rounds = []
    for _ in range(args.rounds):
        measured = run_wrk(page_url, clients, args.duration, cookie, script)
        floors.append(run_wrk(personal_bare_url, clients, args.duration, cookie, script))
        around = (floors[-2]["rps"] + floors[-1]["rps"]) / 2
        rounds.append({**measured, "personal_bare_rps": round(around, 1),
                       "personal_bare_p99_ms": max(floors[-2]["p99_ms"], floors[-1]["p99_ms"]),
                       "ratio_to_personal_bare": round(measured["rps"] / around, 3) if around else None})
    ratios = sorted(run["ratio_to_personal_bare"] or 0 for run in rounds)
    middle = next(run for run in rounds if (run["ratio_to_personal_bare"] or 0) == ratios[len(ratios) // 2])
    return {**middle, "rounds_ratio_to_personal_bare": [run["ratio_to_personal_bare"] for run in rounds],
            "rounds_p99_ms": [run["p99_ms"] for run in rounds],
            "errors": sum(run["errors"] for run in rounds), "non_2xx": sum(run["non_2xx"] for run in rounds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCHMARK_DATABASE_URL", f"postgres://postgres@{HOST}:5432/attuned_http_benchmark"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCHMARK_REDIS_URL", f"redis://{HOST}:6379/14"))
    parser.add_argument("--duration", type=int, default=10, help="seconds per page and number of clients")
    parser.add_argument("--clients", default="16,64")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of a person's page against their bare view")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: config/gunicorn.py)")
    parser.add_argument("--grow", type=int, default=1, help="copies of the catalog (10: ten times the products)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--page", action="append", default=[], help="only this page, by name (repeat for more; "
                                                                     "the bare views are always measured)")
    args = parser.parse_args()
    local_only(args.database_url, "The database")
    local_only(args.redis_url, "Redis")
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmark measures PostgreSQL: pass a postgres:// URL.")
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: install Debian's package (scripts/apt-install wrk).")
    clients = [int(number) for number in args.clients.split(",")]

    work = Path(tempfile.mkdtemp(prefix="attuned-http-benchmark-"))
    environment = server_environment(args, work / "static")
    print(f"Database {args.database_url}, Redis {args.redis_url}; preparing ...", flush=True)
    database_create(args.database_url)
    manage(environment, "migrate", "--noinput", "-v0")
    if "PRODUCTS 0" in manage(environment, "shell", "-c",
                              "from shop.catalog.models import Product; print('PRODUCTS', Product.objects.count())"):
        print("Importing the shipped data set (about a minute) ...", flush=True)
        manage(environment, "import_online_retail", str(DATA), "--end-today", "--no-progress")
    if "SERVING None" in manage(environment, "shell", "-c",
                                "from personalization.recommendations.selectors import model_version_serving; "
                                "print('SERVING', model_version_serving())"):
        print("Training the recommenders (the product, home and cart pages show their rails) ...", flush=True)
        manage(environment, "train_recommenders", "--no-progress")
    if "RUNS 0" in manage(environment, "shell", "-c", "from personalization.segments.models import SegmentRun; "
                                                      "print('RUNS', SegmentRun.objects.count())"):
        print("Computing the customer segments (a consenting customer's home shows a segment price) ...",
              flush=True)
        manage(environment, "compute_segments")
    if "Created" in manage(environment, "create_demo_demand_rule"):
        print("Demand pricing on: the demo's rule, prices recomputed ...", flush=True)
        manage(environment, "recompute_prices")
    manage(environment, "collectstatic", "--noinput", "-v0")
    password = secrets.token_urlsafe(24)
    prepared_output = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         f"import sys; sys.argv = ['', '{args.grow}', '{password}']\n{PREPARE}"],
        cwd=ROOT, env=environment, capture_output=True, text=True)
    if "PREPARED " not in prepared_output.stdout:
        sys.exit(f"Preparing the data failed:\n{prepared_output.stderr[-4000:]}")
    prepared = json.loads(prepared_output.stdout.split("PREPARED ", 1)[1].splitlines()[0])
    database_analyze(args.database_url)

    timing_output = subprocess.run([sys.executable, "manage.py", "shell", "-c", SEARCH_TIMING], cwd=ROOT,
                                   env={**environment, "SHOP_SHARED_FRAGMENTS": "false"},
                                   capture_output=True, text=True)
    if "SEARCH " not in timing_output.stdout:
        sys.exit(f"Timing searches failed:\n{timing_output.stderr[-4000:]}")
    search_uncached = json.loads(timing_output.stdout.split("SEARCH ", 1)[1].splitlines()[0])
    print(f"Uncached searches on {prepared['products']} products: {search_uncached}", flush=True)

    script = work / "report.lua"
    script.write_text(WRK_REPORT)
    log = open(work / "gunicorn.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application", "-c", "config/gunicorn.py"],
                              cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        wait_until_up(args.port, server)
        visitor = Browser(args.port)
        for variant in prepared["variants"]:
            token = visitor.csrf_token(prepared["product"])
            visitor.post_and_follow("/cart/add/", {"csrfmiddlewaretoken": token, "variant": variant, "quantity": 1})
        customer, fan, staff = Browser(args.port), Browser(args.port), Browser(args.port)
        sign_in(customer, prepared["email"], password)
        sign_in(fan, prepared["fan"], password)
        sign_in(staff, prepared["staff"], password, prepared["totp_secret"])
        staff_cookie = staff.cookie_header()
        pages = {
            "bare view": (BARE, ""),
            "home": ("/", ""),
            "category": (prepared["category"], ""),
            "product": (prepared["product"], ""),
            "search": ("/search/?q=lantern", ""),
            "cart (3 lines)": ("/cart/", visitor.cookie_header()),
            "account orders": ("/account/orders/", customer.cookie_header()),
            "home, consenting customer": ("/", fan.cookie_header()),
            "admin dashboard": ("/admin/", staff_cookie),
            "admin order list": ("/admin/orders/order/", staff_cookie),
            "admin product list": ("/admin/catalog/product/", staff_cookie),
            "admin product page": (f"/admin/catalog/product/{prepared['priced_product_id']}/change/", staff_cookie),
            "admin price changes": ("/admin/pricing/pricechange/", staff_cookie),
            "admin customer page": (f"/admin/customers/{prepared['customer_id']}/", staff_cookie),
        }
        if args.page:
            chosen = set(args.page)
            if unknown := chosen - set(pages):
                sys.exit(f"no such page: {', '.join(sorted(unknown))} (pages: {', '.join(pages)})")
            pages = {name: page for name, page in pages.items() if name in chosen or name == "bare view"}
        queries = {}
        for name, (path, cookie) in pages.items():
            browser = Browser(args.port)
            browser.cookies = dict(part.split("=", 1) for part in cookie.split("; ") if part)
            for _ in range(20):  # warm up every worker's templates, connections and the fragments
                status, html, headers = browser.request("GET", path)
            if status != 200:
                sys.exit(f"{name} ({path}) answered {status}")
            if name == "cart (3 lines)" and html.count('class="cart-line"') != 3:
                sys.exit("the cart does not hold 3 lines")
            rows = html.count('class="status status--')
            if name == "account orders" and rows != 20:
                sys.exit(f"the order list does not show 20 orders ({rows})")
            if name == "home, consenting customer" and ("Recommended for you" not in html
                                                       or "Your price" not in html):
                sys.exit("the consenting customer's home shows no \"Recommended for you\" or no personal price")
            queries[name] = int(headers.get("X-Benchmark-Queries", -1))
        # The bare view is measured before every page and after the last one: each page's ratio is
        # to the mean of the bare runs on either side of it, so a machine whose load drifts
        # during the run (other work on it) skews ratios far less than absolute numbers.
        bare_url = f"http://{HOST}:{args.port}{BARE}"
        personal_bare_url = f"http://{HOST}:{args.port}{PERSONAL_BARE}"
        results: dict[str, dict] = {}
        bare_runs: dict[str, list[dict]] = {}
        for count in clients:
            runs = bare_runs.setdefault(str(count), [])
            for name, (path, cookie) in pages.items():
                if name == "bare view":
                    continue
                print(f"  {name} at {count} clients ...", flush=True)
                runs.append(run_wrk(bare_url, count, args.duration, "", script))
                page_url = f"http://{HOST}:{args.port}{path}"
                if cookie:
                    measured = measure_against_personal_bare(page_url, personal_bare_url, count, args, cookie, script)
                else:
                    measured = run_wrk(page_url, count, args.duration, cookie, script)
                results.setdefault(name, {})[str(count)] = {**measured, "queries": queries[name]}
            runs.append(run_wrk(bare_url, count, args.duration, "", script))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        log.close()

    for count, runs in bare_runs.items():
        for index, name in enumerate(name for name in pages if name != "bare view"):
            around = (runs[index]["rps"] + runs[index + 1]["rps"]) / 2
            results[name][count]["bare_rps"] = round(around, 1)
            results[name][count]["ratio"] = round(results[name][count]["rps"] / around, 3) if around else None
        middle = sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]
        results.setdefault("bare view", {})[count] = {
            **middle, "queries": queries["bare view"], "ratio": 1.0,
            "runs_rps": [run["rps"] for run in runs],
            "errors": sum(run["errors"] for run in runs), "non_2xx": sum(run["non_2xx"] for run in runs)}
    results = {"bare view": results.pop("bare view"), **results}

    report = {
        "benchmark": "http",
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "platform": platform.platform(),
                    "load_before": os.getloadavg()},
        "gunicorn_workers": args.workers or "config/gunicorn.py default",
        "duration_s": args.duration,
        "rounds": args.rounds,
        "products": prepared["products"],
        "customer_orders": prepared["orders"],
        "pages": {name: path for name, (path, _) in pages.items()},
        "results": results,
        "search_uncached_in_process": search_uncached,
    }
    print()
    print(f"{'page':<26} {'clients':>7} {'req/s':>8} {'ratio':>6} {'p50':>7} {'p95':>7} {'p99':>7} "
          f"{'errors':>6} {'non-2xx':>7} {'queries':>7} {'ratio to personal bare':>22}")
    for name, by_clients in results.items():
        for count, row in by_clients.items():
            personal = row.get("ratio_to_personal_bare")
            ratio = "-" if row["ratio"] is None else f"{row['ratio']:.2f}"
            print(f"{name:<26} {count:>7} {row['rps']:>8.0f} {ratio:>6} {row['p50_ms']:>6.1f}ms "
                  f"{row['p95_ms']:>6.1f}ms {row['p99_ms']:>6.1f}ms {row['errors']:>6} {row['non_2xx']:>7} "
                  f"{row['queries']:>7} {'' if personal is None else f'{personal:.2f}':>22}")
    RESULTS.mkdir(exist_ok=True)
    out = args.out or RESULTS / f"http-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"\nSearches run afresh in-process (no cache), {prepared['products']} products: {search_uncached}")
    print(f"Written to {out}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
