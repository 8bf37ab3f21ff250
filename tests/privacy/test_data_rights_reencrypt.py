"""privacy_reencrypt resumes where it stopped and verifies every value it rewrote."""

from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from primitives.encrypted_fields import current_field_keys
from privacy.models import ReencryptionCheckpoint
from privacy.rotation import personal_data_reencrypt
from tests.privacy.test_encrypted_fields import SecretNote, secret_note_table  # noqa: F401


def key_id_of_name(note_id: int) -> bytes:
    """The key id stored with the name column, read from the table itself."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name FROM {SecretNote._meta.db_table} WHERE id = %s", [note_id])
        return bytes(cursor.fetchone()[0])[1:9]


NEW_KEYS = {"FIELD_ENCRYPTION_KEY": "resumed-field-key", "BLIND_INDEX_KEY": "resumed-blind-index-key"}


def test_an_interrupted_rotation_resumes_after_the_last_verified_batch(secret_note_table, db, settings):  # noqa: F811
    old_key = settings.FIELD_ENCRYPTION_KEY
    notes = [SecretNote.objects.create(name=f"Person {n}", email=f"p{n}@example.com") for n in range(5)]

    with override_settings(**NEW_KEYS, FIELD_ENCRYPTION_OLD_KEYS=[old_key]):
        first = personal_data_reencrypt(models_to_rewrite=[SecretNote], batch_size=2, max_batches=1)  # stopped
        checkpoint = ReencryptionCheckpoint.objects.get(label="privacy.SecretNote")
        assert first == {"privacy.SecretNote": 2} and checkpoint.last_pk == str(notes[1].pk)
        new_key_id = current_field_keys().key_id
        assert key_id_of_name(notes[1].pk) == new_key_id and key_id_of_name(notes[2].pk) != new_key_id

        second = personal_data_reencrypt(models_to_rewrite=[SecretNote], batch_size=2)
        third = personal_data_reencrypt(models_to_rewrite=[SecretNote], batch_size=2)

    assert second == {"privacy.SecretNote": 3}  # only the rows not yet rewritten
    assert third == {"privacy.SecretNote": 0}  # finished under these keys: nothing to do
    with override_settings(**NEW_KEYS, FIELD_ENCRYPTION_OLD_KEYS=[]):
        assert [n.name for n in SecretNote.objects.order_by("pk")] == [n.name for n in notes]
        assert all(key_id_of_name(n.pk) == current_field_keys().key_id for n in notes)
        assert personal_data_reencrypt(models_to_rewrite=[SecretNote], restart=True) == {"privacy.SecretNote": 5}


def test_new_keys_start_the_rotation_over(secret_note_table, db, settings):  # noqa: F811
    SecretNote.objects.create(name="Ada", email="ada@example.com")
    with override_settings(**NEW_KEYS, FIELD_ENCRYPTION_OLD_KEYS=[settings.FIELD_ENCRYPTION_KEY]):
        assert personal_data_reencrypt(models_to_rewrite=[SecretNote]) == {"privacy.SecretNote": 1}
        old_new = settings.FIELD_ENCRYPTION_KEY
    with override_settings(FIELD_ENCRYPTION_KEY="yet-another-key", BLIND_INDEX_KEY="resumed-blind-index-key",
                           FIELD_ENCRYPTION_OLD_KEYS=[old_new, settings.FIELD_ENCRYPTION_KEY]):
        assert personal_data_reencrypt(models_to_rewrite=[SecretNote]) == {"privacy.SecretNote": 1}


def test_the_command_says_each_table_was_verified(db, capsys):
    call_command("privacy_reencrypt", "--batch-size", "50")
    assert "rows rewritten and verified" in capsys.readouterr().out
