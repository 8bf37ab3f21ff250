from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm gives search its typo tolerance on PostgreSQL; a no-op on SQLite."""

    dependencies = [("catalog", "0001_initial")]

    operations = [TrigramExtension()]
