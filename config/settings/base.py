"""Settings shared by every environment. Values that vary come from config.env."""

from datetime import timedelta
from decimal import Decimal

from csp.constants import NONCE, NONE, SELF

from config.env import (
    BASE_DIR,
    DEVELOPMENT_BLIND_INDEX_KEY,
    DEVELOPMENT_FIELD_ENCRYPTION_KEY,
    DEVELOPMENT_FIELD_SIGNING_KEY,
    DEVELOPMENT_SECRET_KEY,
    DEVELOPMENT_TEST_PROVIDER_WEBHOOK_SECRET,
    env,
)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# --- Field encryption -------------------------------------------------------
# Personal data is encrypted with its own keys, never derived from SECRET_KEY, so
# rotating SECRET_KEY (sessions, CSRF) never makes personal data unreadable.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", default=DEVELOPMENT_FIELD_ENCRYPTION_KEY)
FIELD_SIGNING_KEY = env("FIELD_SIGNING_KEY", default=DEVELOPMENT_FIELD_SIGNING_KEY)
# Old keys, newest first, tried on read so that keys rotate without downtime.
FIELD_ENCRYPTION_OLD_KEYS = env.list("FIELD_ENCRYPTION_OLD_KEYS", default=[])
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY", default=DEVELOPMENT_BLIND_INDEX_KEY)
# django-cryptography's own names for the same keys.
CRYPTOGRAPHY_KEY = FIELD_ENCRYPTION_KEY
SIGNING_BACKEND = "django.core.signing.TimestampSigner"

# --- Privacy -------------------------------------------------------------------
# Bump the version whenever the purposes, what a purpose covers or the cookie table change:
# everyone is asked again, and decisions under older versions stop counting. Other wording
# changes give a new text hash (archived) without asking again (docs/privacy.md).
PRIVACY_NOTICE_VERSION = "2026-11-30"  # personalization now also groups customers and gives loyalty prices
PRIVACY_CONSENT_COOKIE_NAME = "attuned_consent"
# Consent and its cookie last at most 12 months (values above 365 are capped).
PRIVACY_CONSENT_MAX_AGE_DAYS = env.int("PRIVACY_CONSENT_MAX_AGE_DAYS", default=365)
# Delete my account: days during which the person can cancel (0: at the next run).
ERASURE_GRACE_DAYS = env.int("ERASURE_GRACE_DAYS", default=14)
# Download my data: the archive (encrypted, in the database) can be fetched this many days.
PRIVACY_EXPORT_TTL_DAYS = env.int("PRIVACY_EXPORT_TTL_DAYS", default=7)
PRIVACY_EXPORTS_PER_DAY = env.int("PRIVACY_EXPORTS_PER_DAY", default=3)
# Figures counted from people (rails' "bought by about N customers", consent rates, segment sizes
# and profiles, model versions' and campaigns' counts) leave the database only with noise added
# (differential privacy, privacy/disclosure/). Per family: the privacy loss (epsilon) each release
# spends, and the total a family may spend per calendar month (UTC); past it, the last release is
# shown again. Smaller epsilon: more noise, less said about anyone (docs/privacy.md).
PRIVACY_DISCLOSURE_FAMILIES = {
    # once per model version (daily training); epsilon per figure
    "rail_customers": {"epsilon": env.float("PRIVACY_EPSILON_RAILS", default=0.5), "budget": 16.0},
    # once per ISO week
    "consent_rates": {"epsilon": env.float("PRIVACY_EPSILON_CONSENT_RATES", default=0.5), "budget": 3.0},
    # once per segment run
    "segment_reports": {"epsilon": env.float("PRIVACY_EPSILON_SEGMENTS", default=1.0), "budget": 6.0},
    # once per model version
    "model_version_counts": {"epsilon": env.float("PRIVACY_EPSILON_MODEL_VERSIONS", default=0.5), "budget": 16.0},
    # once per ISO week
    "campaign_counts": {"epsilon": env.float("PRIVACY_EPSILON_CAMPAIGNS", default=0.5), "budget": 3.0},
}

# --- Applications -----------------------------------------------------------
INSTALLED_APPS = [
    # The admin signs staff in through the shop's login, with a second factor (config.admin).
    "config.admin.ShopAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served as our own static files
    "csp",
    "shop.accounts",
    "shop.catalog",
    "shop.orders",
    "shop.cart",
    "shop.checkout",
    "shop.payments",
    "shop.storefront",
    "shop.demo_import",
    "shop.pricing",  # demand rules, the recompute and the price history (the seam is shop/pricing/__init__.py)
    "privacy",
    "personalization",  # no models: the migration history of the three apps below
    "personalization.segments",
    "personalization.recommendations",
    "personalization.marketing",
    "merchant",  # the admin dashboard: reads shop and privacy, owns no models
]

MIDDLEWARE = [
    # First: forwarded headers are dropped unless a configured proxy sent them.
    "config.middleware.TrustedProxyMiddleware",
    "config.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Before anything reads the request: a NUL byte is a 400, never a database error.
    "config.middleware.RejectNulBytesMiddleware",
    "config.middleware.ApiAddressLengthMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before SessionMiddleware: sees every cookie set inside it, drops those lacking consent.
    "privacy.middleware.CookieConsentGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "privacy.middleware.ConsentMiddleware",
    "config.middleware.PrivatePagesNoStoreMiddleware",
    "config.middleware.SessionIdleTimeoutMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "shop.storefront.context_processors.storefront",
                "privacy.context_processors.consent",
            ],
        },
    }
]

# --- Data stores -------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections (opening one costs more than a page's queries), checked for health
# before each request reuses them. 0 closes each request's connection.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_CONN_HEALTH_CHECKS", default=True)
# The few queries a person's every page runs, compiled once (primitives.compiled_queries), are also
# prepared on a PostgreSQL server. Off behind a pooler that shares server connections per
# transaction (PgBouncer's transaction mode), which cannot keep prepared statements.
DATABASE_PREPARED_QUERIES = env.bool("DATABASE_PREPARED_QUERIES", default=True)
if DATABASE_PREPARED_QUERIES and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Only those queries bind their parameters on the server; Django's own cursors bind them in the
    # client and never prepare anything, whatever this says.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["prepare_threshold"] = 0
    # And each is planned once: its constants are written into it and the person's id is its only
    # parameter, so one plan suits everyone. Left to choose, the server planned a person's rails
    # afresh for every read (0.6-0.8 ms, against 0.2 ms to run them). This applies to prepared
    # statements only, which no other query is.
    _options["options"] = f"{_options.get('options', '')} -c plan_cache_mode=force_generic_plan".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: a write-ahead log lets readers and a writer (the server, a command)
    # work at once, and syncing at checkpoints rather than at every commit makes a one-row write
    # about 0.3 ms instead of 1.7 ms. A power cut may lose the last commits, never corrupt the file.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Bounded waits: an unreachable Redis is an error in seconds, not a hung request.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 3, "socket_timeout": 3}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ------------------------------------------------------------------
# Without Redis, tasks run eagerly in-process: the embedded default needs no servers.
# Eager tasks still take a producer from the pool: the in-process memory transport, named
# with a host so that kombu does not warn about one missing, and no network is touched.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
# Results are kept only where a broker is: tests and callers that wait on a task use them.
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_RESULT_EXPIRES = 60 * 60
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Time limits: a task is told to stop (soft) and then killed (hard). Long tasks (model
# training) declare `time_limit=CELERY_LONG_TASK_TIME_LIMIT` themselves.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=5 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = max(CELERY_TASK_TIME_LIMIT - 30, CELERY_TASK_TIME_LIMIT * 4 // 5)
CELERY_LONG_TASK_TIME_LIMIT = env.int("CELERY_LONG_TASK_TIME_LIMIT", default=60 * 60)
# Redis hands an unacknowledged task to another worker after this long: longer than the
# longest task may run, so a slow task is never run twice at once, and a killed worker's
# task comes back soon after.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT",
                                  default=max(CELERY_TASK_TIME_LIMIT, CELERY_LONG_TASK_TIME_LIMIT) + 5 * 60),
}
# Workers write a heartbeat to the cache this often (seconds; 0: off); readiness fails when
# HEALTH_WORKER_MAX_AGE is set and the last heartbeat is older than that.
HEALTH_WORKER_HEARTBEAT_SECONDS = env.int("HEALTH_WORKER_HEARTBEAT_SECONDS", default=15 if REDIS_URL else 0)
HEALTH_WORKER_MAX_AGE = env.int("HEALTH_WORKER_MAX_AGE", default=0)
HEALTH_TIMEOUT_SECONDS = 3
# Without a broker, `run_scheduled_jobs --every` runs this schedule beside the web server (`make demo`,
# `make serve`); with one, beat does, and the loop refuses to start (so does production).
SCHEDULED_JOBS_IN_PROCESS = env.bool("SCHEDULED_JOBS_IN_PROCESS", default=not REDIS_URL)
CELERY_BEAT_SCHEDULE = {
    "refresh-product-popularity": {
        "task": "shop.orders.tasks.refresh_product_popularity",
        "schedule": 60 * 60,
    },
    "release-expired-checkouts": {"task": "shop.checkout.tasks.release_expired_checkouts", "schedule": 60},
    "reconcile-payments": {"task": "shop.checkout.tasks.reconcile_payments", "schedule": 5 * 60},
    "reconcile-refunds": {"task": "shop.orders.tasks.reconcile_refunds", "schedule": 5 * 60},
    "purge-abandoned-carts": {"task": "shop.cart.tasks.purge_abandoned_carts", "schedule": 24 * 60 * 60},
    "purge-expired-behaviour-events": {
        "task": "personalization.recommendations.tasks.purge_expired_behaviour_events",
        "schedule": 24 * 60 * 60,
    },
    "process-privacy-requests": {"task": "privacy.tasks.process_privacy_requests", "schedule": 5 * 60},
    "purge-expired-personal-data": {"task": "privacy.tasks.purge_expired_personal_data", "schedule": 24 * 60 * 60},
    "train-recommenders": {"task": "personalization.recommendations.tasks.train_recommenders", "schedule": 24 * 60 * 60},
    "retrain-recommenders-if-requested": {
        "task": "personalization.recommendations.tasks.retrain_recommenders_if_requested",
        "schedule": 60 * 60,
    },
    "compute-customer-segments": {"task": "personalization.segments.tasks.compute_customer_segments",
                                  "schedule": 24 * 60 * 60},
    "send-weekly-digest": {"task": "personalization.marketing.tasks.start_weekly_digest", "schedule": 7 * 24 * 60 * 60},
    "send-cart-reminders": {"task": "personalization.marketing.tasks.send_cart_reminders", "schedule": 60 * 60},
    "recompute-demand-prices": {"task": "shop.pricing.tasks.recompute_demand_prices", "schedule": 60 * 60},
    "purge-old-price-history": {"task": "shop.pricing.tasks.purge_old_price_history", "schedule": 24 * 60 * 60},
}
# Behavioural events are kept this long, then purged (and at once on withdrawal).
PERSONALIZATION_EVENT_RETENTION_DAYS = env.int("PERSONALIZATION_EVENT_RETENTION_DAYS", default=365)
# An "also bought" pair or a trending product needs this many distinct consenting customers.
PERSONALIZATION_MIN_SUPPORT = env.int("PERSONALIZATION_MIN_SUPPORT", default=3)
# After a withdrawal or an erasure, the models are retrained within this many hours.
PERSONALIZATION_RETRAIN_DEADLINE = timedelta(hours=env.int("PERSONALIZATION_RETRAIN_DEADLINE_HOURS", default=24))
# Model versions kept besides the serving one (older ones are pruned after each training).
PERSONALIZATION_KEEP_VERSIONS = env.int("PERSONALIZATION_KEEP_VERSIONS", default=3)
# BLAS threads a training may use (a worker shares its machine with the web processes).
PERSONALIZATION_TRAINING_THREADS = env.int("PERSONALIZATION_TRAINING_THREADS", default=2)
# The largest discount a segment price may give (percent); a larger one is refused in the admin.
PERSONALIZATION_MAX_SEGMENT_DISCOUNT = env.int("PERSONALIZATION_MAX_SEGMENT_DISCOUNT", default=30)

# --- Authentication ----------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# E-mails name the shop (SHOP_NAME) and its public address, not the request's host.
ACCOUNT_ADAPTER = "shop.accounts.adapter.ShopAccountAdapter"
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/ip,10/5m/key"}
# Every door that takes a password counts against login_failed (shop/accounts/login_limits.py).
ACCOUNT_FORMS = {"change_password": "shop.accounts.forms.PasswordChangeForm"}
LOGIN_REDIRECT_URL = "storefront:home"
# Two-factor login (allauth): an authenticator app, with recovery codes as the fallback.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("SHOP_NAME", default="Attuned")
# A staff member's first authenticator needs the link e-mailed to their verified address, checked
# again when the code is entered (shop/accounts/second_factor.py).
MFA_FORMS = {"activate_totp": "shop.accounts.second_factor.StaffActivateTOTPForm"}
# Staff whose permissions reach customers' details or refunds need it before the admin opens.
STAFF_SECOND_FACTOR_REQUIRED = env.bool("STAFF_SECOND_FACTOR_REQUIRED", default=True)
LOGIN_URL = "account_login"

# --- REST framework ----------------------------------------------------------
# The API (config/api_urls.py): API tokens or the session (with CSRF); JSON bodies only, so a
# form on another site cannot post to it; one error shape (shop.api.errors).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "shop.accounts.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PARSER_CLASSES": ["shop.api.parsers.ShopJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "shop.api.pagination.ShopPagination",
    "PAGE_SIZE": 24,
    "EXCEPTION_HANDLER": "shop.api.errors.api_exception_handler",
    # Throttles count the connecting address (X-Forwarded-For only behind TRUSTED_PROXIES, below).
    "NUM_PROXIES": 0,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["shop.api.throttling.ClientRateThrottle",
                                 "shop.api.throttling.SensitiveRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "client": env("API_RATE_CLIENT", default="600/min"),
        "search": env("API_RATE_SEARCH", default="60/min"),
        "place_order": env("API_RATE_PLACE_ORDER", default="20/hour"),
        "login": env("API_RATE_LOGIN", default="10/5min"),
        "export": env("API_RATE_EXPORT", default="5/day"),
        "erasure": env("API_RATE_ERASURE", default="5/day"),
    },
}
# An API address longer than this (path and query string) is a 414 (config.middleware).
API_MAX_ADDRESS_LENGTH = env.int("API_MAX_ADDRESS_LENGTH", default=2048)
SPECTACULAR_SETTINGS = {
    "TITLE": f"{env('SHOP_NAME', default='Attuned')} REST API",
    "DESCRIPTION": "The shop for apps and integrations: catalog, recommendations, cart, checkout, orders, "
                   "consent and data requests. Authenticate with "
                   "`Authorization: Bearer <key>` (POST /api/v1/auth/tokens/) or a session (with CSRF).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0, "maximum": 999_999_999_999_999_999}},
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "shop.api.schema.add_error_responses"],
}

# --- Internationalisation, money -----------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
SHOP_CURRENCY = "GBP"
# Catalog prices include the home country's VAT. Shipping elsewhere re-prices each unit
# at that country's rate (rounded half up per unit); countries without a rate are exports.
SHOP_HOME_COUNTRY = "GB"
SHOP_VAT_RATES = {
    "GB": "0.20", "IE": "0.23", "FR": "0.20", "DE": "0.19", "NL": "0.21", "BE": "0.21", "ES": "0.21",
    "IT": "0.22", "PT": "0.23", "SE": "0.25", "DK": "0.25", "AT": "0.20", "PL": "0.23",
}
SHOP_SHIPPING_COUNTRIES = {
    "GB": "United Kingdom", "IE": "Ireland", "FR": "France", "DE": "Germany", "NL": "Netherlands",
    "BE": "Belgium", "ES": "Spain", "IT": "Italy", "PT": "Portugal", "SE": "Sweden", "DK": "Denmark",
    "AT": "Austria", "PL": "Poland", "CH": "Switzerland", "NO": "Norway", "US": "United States",
    "CA": "Canada", "AU": "Australia", "JP": "Japan",
}
SHOP_STOCK_RESERVATION_MINUTES = env.int("SHOP_STOCK_RESERVATION_MINUTES", default=15)
# How long a cart line keeps the unit price it was quoted when added (the lower current price wins).
CART_PRICE_LOCK_MINUTES = env.int("CART_PRICE_LOCK_MINUTES", default=60)
# Cache rendered fragments that are the same for everyone (product grids and details, the
# category navigation) under the catalog version (shop/catalog/fragments.py).
SHOP_SHARED_FRAGMENTS = env.bool("SHOP_SHARED_FRAGMENTS", default=True)
# Payment providers by name; SHOP_PAYMENT_PROVIDER is the one new payments use.
SHOP_PAYMENT_PROVIDERS = {"test": "shop.payments.test_provider.TestProvider"}
SHOP_PAYMENT_PROVIDER = env("SHOP_PAYMENT_PROVIDER", default="test")
SHOP_TEST_PROVIDER_WEBHOOK_SECRET = env("SHOP_TEST_PROVIDER_WEBHOOK_SECRET",
                                        default=DEVELOPMENT_TEST_PROVIDER_WEBHOOK_SECRET)
SHOP_INVOICE_PREFIX = "INV-"
SHOP_NAME = env("SHOP_NAME", default="Attuned")
# The seller on VAT receipts.
SHOP_SELLER_NAME = env("SHOP_SELLER_NAME", default=f"{SHOP_NAME} Ltd")
SHOP_SELLER_ADDRESS = env("SHOP_SELLER_ADDRESS",
                          default="1 Example Street, London, EC1A 1AA, United Kingdom")
SHOP_VAT_NUMBER = env("SHOP_VAT_NUMBER", default="GB000000000")
# Merchant dashboard: groups smaller than this are not shown (the same floor as segments).
SEGMENT_MIN_SIZE = env.int("SEGMENT_MIN_SIZE", default=20)

# --- Demand pricing (shop/pricing) ----------------------------------------------
# A price moves at most this fraction from the price in force 24 hours earlier, however many
# recomputes run (a merchant's own list-price change is applied at once).
PRICING_MAX_DAILY_CHANGE = Decimal(env("PRICING_MAX_DAILY_CHANGE", default="0.10"))
# A product without its own floor or ceiling stays within this fraction of each variant's list price.
PRICING_DEFAULT_BAND = Decimal(env("PRICING_DEFAULT_BAND", default="0.25"))
# The largest increase or decrease (percent) a demand rule may be given.
PRICING_MAX_ADJUSTMENT_PERCENT = Decimal(env("PRICING_MAX_ADJUSTMENT_PERCENT", default="50"))
# Moves smaller than this fraction are not made (no churn of pennies), unless they reach the list price.
PRICING_MIN_CHANGE = Decimal(env("PRICING_MIN_CHANGE", default="0.01"))
# An announced reduction quotes the lowest price of this many days before it (EU price indication).
PRICING_REDUCTION_REFERENCE_DAYS = 30
# A recompute still marked running after this many seconds is taken as crashed, and another may start
# (longer than CELERY_TASK_TIME_LIMIT, after which a worker has killed it; a whole recompute takes ~1 s).
PRICING_RUN_STALE_SECONDS = env.int("PRICING_RUN_STALE_SECONDS", default=15 * 60)
# Price changes and recompute runs are kept this many days, then purged by a daily job (at least
# PRICING_HISTORY_MIN_DAYS: the 30-day reference and the admin's 90-day price chart read them).
PRICING_HISTORY_RETENTION_DAYS = env.int("PRICING_HISTORY_RETENTION_DAYS", default=400)

# --- Static and media ----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- E-mail ------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"{SHOP_NAME} <shop@localhost>")
# Order e-mails (receipts, shipping) come from their own address, never the marketing one.
SHOP_TRANSACTIONAL_FROM_EMAIL = env("SHOP_TRANSACTIONAL_FROM_EMAIL",
                                    default=f"{SHOP_NAME} orders <orders@localhost>")
# Newsletter and personalised e-mails (digest, cart reminders) come from this address only.
SHOP_MARKETING_FROM_EMAIL = env("SHOP_MARKETING_FROM_EMAIL", default=f"{SHOP_NAME} newsletter <news@localhost>")
# A subscriber's cart untouched this long gets one reminder; batches of marketing e-mails per worker and minute.
MARKETING_CART_REMINDER_DELAY_HOURS = env.int("MARKETING_CART_REMINDER_DELAY_HOURS", default=24)
MARKETING_SEND_RATE_LIMIT = env("MARKETING_SEND_RATE_LIMIT", default="20/m")
# Links in e-mails: the shop's public address.
SHOP_BASE_URL = env("SHOP_BASE_URL", default="http://127.0.0.1:8000")

# --- Security ----------------------------------------------------------------
# Sessions end after this long without a request (staff sooner); cookies last as long. Two
# weeks for shoppers, as the cookie table and the sessions' retention in the registry say.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=14 * 24 * 60) * 60
SESSION_STAFF_IDLE_TIMEOUT = env.int("SESSION_STAFF_IDLE_TIMEOUT_MINUTES", default=30) * 60
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
# Pages under these paths show personal data and are sent with Cache-Control: no-store
# (as is every page a signed-in person sees).
PRIVATE_PAGE_PREFIXES = ["/account/", "/accounts/", "/orders/", "/checkout/", "/cart/", "/payments/",
                         "/privacy/", "/admin/",
                         # The API's personal resources (token clients have no session to tell by).
                         "/api/v1/auth/", "/api/v1/cart/", "/api/v1/checkout/", "/api/v1/orders/",
                         "/api/v1/privacy/", "/api/v1/recommendations/"]
# Addresses (or networks) of the reverse proxies in front of the app. Only requests from
# them may set X-Forwarded-Proto / X-Forwarded-For; without any, those headers are ignored.
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=[])
# Health checks are asked over plain HTTP from inside the host or cluster.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Login rate limits count the client's address from X-Forwarded-For, not the proxy's.
    ALLAUTH_TRUSTED_PROXY_COUNT = 1
    # So do the API's throttles: the address the proxy appended, never one the client wrote.
    REST_FRAMEWORK["NUM_PROXIES"] = 1
# Browser features no page of the shop uses are switched off for every page.
PERMISSIONS_POLICY = {
    "accelerometer": [], "autoplay": [], "camera": [], "display-capture": [], "geolocation": [],
    "gyroscope": [], "magnetometer": [], "microphone": [], "midi": [], "payment": [],
    "usb": [], "interest-cohort": [], "browsing-topics": [],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Every template satisfies this policy: no inline script or style without a nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# --- Logging -----------------------------------------------------------------
# Every handler passes through the redaction filter: no e-mail address, phone
# number, token or query string reaches a log.
LOG_LEVEL = env("DJANGO_LOG_LEVEL", default="INFO")
# "plain" lines for people, "json" (one object per line; production's default) for log stores.
LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "config.logging.RequestIdFilter"},
        "redact_personal_data": {"()": "config.logging.RedactPersonalDataFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "redact_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's defaults give "django" (under DEBUG) and "django.server" (runserver's request
        # lines) unfiltered handlers of their own: naming them here replaces those with ours.
        "django": {"level": LOG_LEVEL, "propagate": True},
        "django.server": {"level": LOG_LEVEL, "propagate": True},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
