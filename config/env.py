"""The one place where the environment is read.

Every setting that varies between machines comes from here, so local, test and
production exercise the same code paths. With nothing set, the project runs on
the *embedded default*: SQLite, Celery tasks executed eagerly, mail to the console.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file is a convenience for developers; real deployments set variables.
_env_file = BASE_DIR / ".env"
if _env_file.exists():
    environ.Env.read_env(str(_env_file))

# Well-known development values. Production refuses to start with any of them.
DEVELOPMENT_SECRET_KEY = "attuned-development-secret-key-not-for-production"
DEVELOPMENT_FIELD_ENCRYPTION_KEY = "attuned-development-field-encryption-key"
DEVELOPMENT_FIELD_SIGNING_KEY = "attuned-development-field-signing-key"
DEVELOPMENT_BLIND_INDEX_KEY = "attuned-development-blind-index-key"
DEVELOPMENT_TEST_PROVIDER_WEBHOOK_SECRET = "attuned-test-provider-webhook-secret"
