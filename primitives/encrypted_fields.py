"""Encrypted model fields and blind indexes for personal data.

Part of the bottom layer (`primitives`): models of every app may use these fields,
and this module imports nothing of ours (the `primitives_import_nothing_above`
contract in pyproject.toml holds it).

Why not django-cryptography's own `encrypt()` fields: they bind their key when the
field is built (so settings changes and tests never reach them), sign with
`SECRET_KEY` unless told otherwise, and pickle values. These fields use the
library's primitives (`FernetBytes`, `FernetSigner`) with keys read from
`FIELD_ENCRYPTION_KEY` and `FIELD_SIGNING_KEY` each time, store UTF-8 text (never a
pickle), and mark every value with the id of the key pair that wrote it, so rows
written under an old key (listed in `FIELD_ENCRYPTION_OLD_KEYS`) stay readable
during a rotation and are rewritten under the current key when saved.

An encrypted column can only be tested for NULL. Where a value must be found
(a guest's e-mail), add a `BlindIndexField`: an HMAC of the normalised value under
`BLIND_INDEX_KEY`, recomputed on every save.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django import forms
from django.conf import settings
from django.core import validators
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.encoding import force_bytes
from django_cryptography.core.signing import BadSignature, FernetSigner
from django_cryptography.utils.crypto import FernetBytes, InvalidToken

# Stored value: FORMAT_VERSION (1 byte) + key id (8 bytes) + the library's signed token.
FORMAT_VERSION = b"\x01"
KEY_ID_LENGTH = 8


class FieldDecryptionError(ValueError):
    """A stored value that no configured key can read: a missing old key or a damaged row."""


@dataclass(frozen=True)
class FieldKeys:
    """One generation of keys: AES key, HMAC signing key and the id stored with each value."""

    encryption: bytes
    signing: bytes
    key_id: bytes

    def fernet(self) -> FernetBytes:
        return FernetBytes(self.encryption, FernetSigner(self.signing))


def _derive(secret: str, purpose: bytes) -> bytes:
    # HKDF turns a configured secret of any length into a uniform 32-byte key; the
    # purpose label keeps the encryption and signing keys independent.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"attuned:" + purpose).derive(
        force_bytes(secret)
    )


@lru_cache(maxsize=16)
def _field_keys(encryption_secret: str, signing_secret: str) -> FieldKeys:
    if not encryption_secret or not signing_secret:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY and FIELD_SIGNING_KEY must both be set.")
    encryption = _derive(encryption_secret, b"field-encryption")
    signing = _derive(signing_secret, b"field-signing")
    key_id = hmac.new(signing, b"key-id:" + encryption, hashlib.sha256).digest()[:KEY_ID_LENGTH]
    return FieldKeys(encryption=encryption, signing=signing, key_id=key_id)


def current_field_keys() -> FieldKeys:
    """The keys every new value is encrypted with, read from settings now (not at import)."""
    return _field_keys(settings.FIELD_ENCRYPTION_KEY, settings.FIELD_SIGNING_KEY)


def readable_field_keys() -> list[FieldKeys]:
    """Current keys first, then each entry of FIELD_ENCRYPTION_OLD_KEYS.

    An old entry is an encryption key (paired with the current signing key) or
    `encryption_key|signing_key` when the signing key was rotated too.
    """
    keys = [current_field_keys()]
    for entry in getattr(settings, "FIELD_ENCRYPTION_OLD_KEYS", []):
        encryption_secret, _, signing_secret = entry.partition("|")
        keys.append(_field_keys(encryption_secret, signing_secret or settings.FIELD_SIGNING_KEY))
    return keys


def encrypt_bytes(value: bytes) -> bytes:
    keys = current_field_keys()
    return FORMAT_VERSION + keys.key_id + keys.fernet().encrypt(value)


def decrypt_bytes(stored: bytes) -> bytes:
    """Decrypt a stored value with whichever configured key pair wrote it."""
    if stored[:1] != FORMAT_VERSION or len(stored) <= 1 + KEY_ID_LENGTH:
        raise FieldDecryptionError("The stored value is not an encrypted field value.")
    key_id, token = stored[1:1 + KEY_ID_LENGTH], stored[1 + KEY_ID_LENGTH:]
    for keys in readable_field_keys():
        if hmac.compare_digest(keys.key_id, key_id):
            try:
                return keys.fernet().decrypt(token)
            except (BadSignature, InvalidToken) as error:
                raise FieldDecryptionError("The stored value was altered or is damaged.") from error
    raise FieldDecryptionError(
        "No configured key can read this value: add the key it was written with to FIELD_ENCRYPTION_OLD_KEYS."
    )


def encrypt_text(value: str) -> bytes:
    return encrypt_bytes(value.encode("utf-8"))


def decrypt_text(stored: bytes) -> str:
    try:
        return decrypt_bytes(stored).decode("utf-8")
    except UnicodeDecodeError as error:
        raise FieldDecryptionError("The stored value was altered or is damaged.") from error


class EncryptedTextField(models.Field):
    """Text kept encrypted at rest. Only `isnull` lookups work; search through a blind index."""

    description = "Encrypted text"
    empty_strings_allowed = True
    supported_lookups = ("isnull",)

    def get_internal_type(self) -> str:
        return "BinaryField"

    def get_lookup(self, lookup_name: str):
        return super().get_lookup(lookup_name) if lookup_name in self.supported_lookups else None

    def get_transform(self, lookup_name: str):
        return None

    def to_python(self, value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return str(value)

    def get_prep_value(self, value: Any) -> str | None:
        return self.to_python(super().get_prep_value(value))

    def get_db_prep_value(self, value: Any, connection, prepared: bool = False):
        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        return connection.Database.Binary(encrypt_text(value))

    def from_db_value(self, value: Any, expression, connection) -> str | None:
        if value is None:
            return None
        return decrypt_text(bytes(value))

    def formfield(self, **kwargs: Any):
        defaults: dict[str, Any] = {"form_class": forms.CharField, "widget": forms.Textarea}
        defaults.update(kwargs)
        return super().formfield(**defaults)


class EncryptedCharField(EncryptedTextField):
    """A short encrypted text (a name, a phone number). `max_length` is checked, not stored."""

    description = "Encrypted short text"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    def formfield(self, **kwargs: Any):
        defaults: dict[str, Any] = {"form_class": forms.CharField, "max_length": self.max_length,
                                    "widget": forms.TextInput}
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)


class EncryptedEmailField(EncryptedCharField):
    """An encrypted e-mail address, e.g. a guest's. Pair it with a BlindIndexField to look it up."""

    description = "Encrypted e-mail address"
    default_validators = [validators.validate_email]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 254)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs: Any):
        defaults: dict[str, Any] = {"form_class": forms.EmailField, "max_length": self.max_length}
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)


# --- Blind indexes -------------------------------------------------------------

def normalise_email(value: str) -> str:
    # E-mail local parts are case-sensitive in theory, never in practice: lower-case all of it.
    return unicodedata.normalize("NFKC", value).strip().lower()


def normalise_text(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def normalise_phone(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).strip()
    return ("+" if value.startswith("+") else "") + re.sub(r"\D", "", value)


NORMALISERS: dict[str, Callable[[str], str]] = {
    "email": normalise_email,
    "text": normalise_text,
    "phone": normalise_phone,
}


def blind_index(value: str, *, normaliser: str = "email") -> str:
    """The HMAC-SHA256 (hex) of the normalised value under BLIND_INDEX_KEY.

    The normaliser's name is part of the message, so an e-mail and a phone number
    never share an index value; equal e-mails in different tables do, which lets an
    e-mail change be found everywhere.
    """
    normalised = NORMALISERS[normaliser](value)
    message = f"{normaliser}:{normalised}".encode("utf-8")
    return hmac.new(force_bytes(settings.BLIND_INDEX_KEY), message, hashlib.sha256).hexdigest()


class BlindIndexField(models.CharField):
    """The blind index of another field of the same model, recomputed on every save.

    Filter with `Model.objects.filter(email_index=Model._meta.get_field("email_index").index_of(value))`.
    With `save(update_fields=...)`, list this field beside its source.
    """

    description = "Blind index (HMAC) of another field"

    def __init__(self, *args: Any, source: str, normaliser: str = "email", **kwargs: Any) -> None:
        if normaliser not in NORMALISERS:
            raise ValueError(f"Unknown normaliser {normaliser!r}; choose one of {sorted(NORMALISERS)}.")
        self.source = source
        self.normaliser = normaliser
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["normaliser"] = self.normaliser
        for key, default in (("max_length", 64), ("editable", False), ("db_index", True),
                             ("null", True), ("blank", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def index_of(self, value: str | None) -> str | None:
        return blind_index(value, normaliser=self.normaliser) if value else None

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        value = self.index_of(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
