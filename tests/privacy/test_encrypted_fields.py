"""Encrypted personal data: unreadable at rest, independent of SECRET_KEY, rotatable without downtime."""

import pytest
from django.core.exceptions import FieldError
from django.db import connection, models
from django.test import override_settings
from django.test.utils import isolate_apps

from primitives.encrypted_fields import (
    BlindIndexField,
    EncryptedCharField,
    EncryptedEmailField,
    FieldDecryptionError,
    current_field_keys,
)

with isolate_apps("privacy"):
    class SecretNote(models.Model):
        """A stand-in for the shop's addresses and guest orders, in a table of its own."""

        name = EncryptedCharField(max_length=100)
        phone = EncryptedCharField(max_length=30, null=True, blank=True)
        email = EncryptedEmailField()
        email_index = BlindIndexField(source="email")

        class Meta:
            app_label = "privacy"
            db_table = "privacy_test_secret_note"


@pytest.fixture(scope="module")
def secret_note_table(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            editor.create_model(SecretNote)
        yield SecretNote
        with connection.schema_editor() as editor:
            editor.delete_model(SecretNote)


@pytest.fixture
def note(secret_note_table, db):
    return SecretNote.objects.create(name="Ada Lovelace", phone="+44 20 7946 0958", email="Ada@Example.com")


def raw_row(note_id: int) -> tuple[bytes, ...]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, phone, email, email_index FROM {SecretNote._meta.db_table} WHERE id = %s",
                       [note_id])
        name, phone, email, index = cursor.fetchone()
    return bytes(name), bytes(phone), bytes(email), index


def test_the_raw_columns_hold_no_plain_value(note):
    name, phone, email, index = raw_row(note.pk)

    for column, plain in ((name, "Ada Lovelace"), (phone, "+44 20 7946 0958"), (email, "Ada@Example.com")):
        assert plain.encode() not in column
        assert plain.lower().encode() not in column.lower()
    assert "ada" not in index.lower() and "example" not in index.lower()


def test_values_read_back_as_written(note):
    fresh = SecretNote.objects.get(pk=note.pk)

    assert (fresh.name, fresh.phone, fresh.email) == ("Ada Lovelace", "+44 20 7946 0958", "Ada@Example.com")


def test_personal_data_stays_readable_after_secret_key_changes(note):
    with override_settings(SECRET_KEY="a-completely-different-secret-key-for-sessions-and-csrf"):
        fresh = SecretNote.objects.get(pk=note.pk)

    assert fresh.name == "Ada Lovelace"


def test_the_encryption_key_is_read_from_settings_when_used(note):
    # The contrast to the SECRET_KEY test: a different FIELD_ENCRYPTION_KEY really is used.
    with override_settings(FIELD_ENCRYPTION_KEY="another-field-key", FIELD_ENCRYPTION_OLD_KEYS=[]):
        with pytest.raises(FieldDecryptionError):
            SecretNote.objects.get(pk=note.pk)


def test_rotation_reads_old_rows_and_resaves_them_under_the_new_key(note, settings):
    old_key = settings.FIELD_ENCRYPTION_KEY
    old_key_id = current_field_keys().key_id
    assert raw_row(note.pk)[0][1:9] == old_key_id

    with override_settings(FIELD_ENCRYPTION_KEY="the-new-field-encryption-key", FIELD_ENCRYPTION_OLD_KEYS=[old_key]):
        rotated = SecretNote.objects.get(pk=note.pk)
        assert rotated.name == "Ada Lovelace"
        rotated.save()
        new_key_id = current_field_keys().key_id
    assert raw_row(note.pk)[0][1:9] == new_key_id != old_key_id

    # Once every row is re-saved, the old key can go.
    with override_settings(FIELD_ENCRYPTION_KEY="the-new-field-encryption-key", FIELD_ENCRYPTION_OLD_KEYS=[]):
        assert SecretNote.objects.get(pk=note.pk).email == "Ada@Example.com"


def test_rotating_the_signing_key_too_uses_a_key_pair_entry(note, settings):
    old_pair = f"{settings.FIELD_ENCRYPTION_KEY}|{settings.FIELD_SIGNING_KEY}"

    with override_settings(FIELD_ENCRYPTION_KEY="new-encryption-key", FIELD_SIGNING_KEY="new-signing-key",
                           FIELD_ENCRYPTION_OLD_KEYS=[old_pair]):
        assert SecretNote.objects.get(pk=note.pk).phone == "+44 20 7946 0958"
    with override_settings(FIELD_SIGNING_KEY="new-signing-key", FIELD_ENCRYPTION_OLD_KEYS=[]):
        with pytest.raises(FieldDecryptionError):
            SecretNote.objects.get(pk=note.pk)


def test_an_altered_ciphertext_is_refused_not_misread(note):
    name = bytearray(raw_row(note.pk)[0])
    name[40] ^= 0x01
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {SecretNote._meta.db_table} SET name = %s WHERE id = %s",
                       [connection.Database.Binary(bytes(name)), note.pk])

    with pytest.raises(FieldDecryptionError, match="altered"):
        SecretNote.objects.get(pk=note.pk)


def test_null_stays_null(secret_note_table, db):
    note = SecretNote.objects.create(name="Grace Hopper", phone=None, email="grace@example.com")

    assert SecretNote.objects.get(pk=note.pk).phone is None
    assert SecretNote.objects.filter(phone__isnull=True).count() == 1


def test_encrypted_fields_cannot_be_searched_by_value(note):
    with pytest.raises(FieldError):
        SecretNote.objects.filter(name="Ada Lovelace").count()


def test_the_blind_index_finds_a_normalised_email(note):
    index = SecretNote._meta.get_field("email_index")

    found = SecretNote.objects.filter(email_index=index.index_of("  ada@EXAMPLE.com ")).get()

    assert found.pk == note.pk
    assert not SecretNote.objects.filter(email_index=index.index_of("ada@example.org")).exists()


def test_the_blind_index_follows_an_email_change_on_save(note):
    index = SecretNote._meta.get_field("email_index")

    note.email = "countess@example.com"
    note.save()

    assert SecretNote.objects.filter(email_index=index.index_of("Countess@example.com")).get().pk == note.pk
    assert not SecretNote.objects.filter(email_index=index.index_of("ada@example.com")).exists()


def test_the_blind_index_depends_on_its_own_key(note):
    index = SecretNote._meta.get_field("email_index")
    before = index.index_of("ada@example.com")

    with override_settings(SECRET_KEY="another-secret-key-entirely"):
        assert index.index_of("ada@example.com") == before
    with override_settings(BLIND_INDEX_KEY="another-blind-index-key"):
        assert index.index_of("ada@example.com") != before


def test_reencrypting_finishes_a_rotation_so_the_old_key_can_go(secret_note_table, db, settings):
    from privacy.rotation import personal_data_reencrypt

    old_key = settings.FIELD_ENCRYPTION_KEY
    notes = [SecretNote.objects.create(name=f"Person {n}", email=f"p{n}@example.com") for n in range(5)]

    with override_settings(FIELD_ENCRYPTION_KEY="rotated-field-key", FIELD_ENCRYPTION_OLD_KEYS=[old_key],
                           BLIND_INDEX_KEY="rotated-blind-index-key"):
        assert personal_data_reencrypt(models_to_rewrite=[SecretNote], batch_size=2) == {"privacy.SecretNote": 5}
    with override_settings(FIELD_ENCRYPTION_KEY="rotated-field-key", FIELD_ENCRYPTION_OLD_KEYS=[],
                           BLIND_INDEX_KEY="rotated-blind-index-key"):
        assert [n.name for n in SecretNote.objects.order_by("pk")] == [n.name for n in notes]
        index = SecretNote._meta.get_field("email_index")
        assert SecretNote.objects.get(email_index=index.index_of("P3@example.com")).pk == notes[3].pk
