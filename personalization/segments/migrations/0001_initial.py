"""The segments models, on the tables the personalization label's migrations built (state only)."""

import django.db.models.deletion
import personalization.segments.models
from django.conf import settings
from django.db import migrations, models

from personalization.handover import content_types_handover


MODELS = ["segmentrun", "segmentmembership", "segmentdiscount"]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('personalization', '0005_segment_discount'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist (built by the personalization label's migrations): only the state moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SegmentRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('computed_at', models.DateTimeField(db_index=True)),
                        ('customers', models.PositiveIntegerField(default=0)),
                        ('k', models.PositiveSmallIntegerField(default=0)),
                        ('silhouette', models.FloatField(blank=True, null=True)),
                        ('min_size', models.PositiveIntegerField()),
                        ('suppressed', models.PositiveIntegerField(default=0, help_text='Customers in no reported segment.')),
                        ('segments', models.JSONField(default=list)),
                        ('movement', models.JSONField(default=list)),
                    ],
                    options={
                        'db_table': 'personalization_segmentrun',
                        'ordering': ['-computed_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='SegmentDiscount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('segment', models.CharField(choices=personalization.segments.models.segment_choices, help_text="Segments come from the recency, frequency and monetary value of a customer's orders only; country, device, browsing intensity and sensitive attributes are never inputs.", max_length=40)),
                        ('percent', models.DecimalField(decimal_places=2, help_text="How much lower than the public price, in percent: more than 0, at most PERSONALIZATION_MAX_SEGMENT_DISCOUNT. Never below the product's price floor.", max_digits=5, verbose_name='discount (%)')),
                        ('enabled', models.BooleanField(default=True)),
                        ('reason', models.CharField(help_text='Shown to the shopper beside the price, e.g. "Thank you for being a loyal customer".', max_length=80)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'verbose_name': 'personalized price (segment discount)',
                        'verbose_name_plural': 'personalized prices (segment discounts)',
                        'db_table': 'personalization_segmentdiscount',
                        'ordering': ['segment', '-enabled', '-updated_at'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('enabled', True)), fields=('segment',), name='segment_discount_one_enabled_per_segment', violation_error_message='This segment already has an enabled discount: disable that one first.'), models.CheckConstraint(condition=models.Q(('percent__gt', 0), ('percent__lt', 100)), name='segment_discount_only_lower', violation_error_message='A segment price can only be lower: personalized mark-ups are not allowed.')],
                    },
                ),
                migrations.CreateModel(
                    name='SegmentMembership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('segment', models.CharField(max_length=40)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='segments.segmentrun')),
                    ],
                    options={
                        'db_table': 'personalization_segmentmembership',
                        'constraints': [models.UniqueConstraint(fields=('run', 'user'), name='segment_membership_once_per_run')],
                    },
                ),
            ],
            database_operations=[],
        ),
        content_types_handover(models=MODELS, to_label="segments"),
    ]
