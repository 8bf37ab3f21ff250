"""Search answered by indexes on PostgreSQL: a stored search vector with a GIN index, and a
trigram GIN index on titles for misspelt words. SQLite gets a NULL column and no index
(it matches substrings; shop/catalog/search.py)."""

import django.contrib.postgres.search
from django.db import migrations, models

import shop.catalog.search_document

INDEXES = {
    "catalog_product_search_vector_gin": "USING gin (search_vector)",
    "catalog_product_title_trgm_gin": "USING gin (title gin_trgm_ops)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON catalog_product {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0003_images_and_stock_reservations"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="search_vector",
            field=models.GeneratedField(db_persist=True, expression=shop.catalog.search_document.ProductSearchDocument(),
                                        output_field=django.contrib.postgres.search.SearchVectorField(null=True)),
        ),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
