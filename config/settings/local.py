"""Developer machines and the embedded demo: debug on, mail to the console."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
# The demo's merchant (`create_merchant`) signs in with the printed password alone; set
# STAFF_SECOND_FACTOR_REQUIRED=true to try the production rule (an authenticator app).
STAFF_SECOND_FACTOR_REQUIRED = env.bool("STAFF_SECOND_FACTOR_REQUIRED", default=False)
