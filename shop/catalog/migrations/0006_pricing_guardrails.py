from decimal import Decimal

import django.core.validators
from django.db import migrations, models


def list_price_is_current_price(apps, schema_editor):
    apps.get_model("catalog", "ProductVariant").objects.update(base_price=models.F("price"))


def decimal(**options):
    return models.DecimalField(max_digits=10, decimal_places=2, **options)


class Migration(migrations.Migration):

    dependencies = [("catalog", "0005_trigram_operator_cost")]

    operations = [
        migrations.AddField("product", "reduced_from", decimal(null=True, blank=True, editable=False)),
        migrations.AddField("product", "price_floor", decimal(
            null=True, blank=True, validators=[django.core.validators.MinValueValidator(Decimal("0"))])),
        migrations.AddField("product", "price_ceiling", decimal(
            null=True, blank=True, validators=[django.core.validators.MinValueValidator(Decimal("0"))])),
        migrations.AddField("productvariant", "base_price", decimal(
            verbose_name="list price", null=True,
            validators=[django.core.validators.MinValueValidator(Decimal("0"))])),
        migrations.RunPython(list_price_is_current_price, migrations.RunPython.noop, elidable=True),
        migrations.AlterField("productvariant", "base_price", decimal(
            verbose_name="list price", validators=[django.core.validators.MinValueValidator(Decimal("0"))])),
        migrations.AddField("productvariant", "price_rule",
                            models.CharField(max_length=60, default="list", editable=False)),
        migrations.AddField("productvariant", "price_changed_at",
                            models.DateTimeField(null=True, blank=True, editable=False)),
        migrations.AddField("productvariant", "reduced_from", decimal(null=True, blank=True, editable=False)),
    ]
