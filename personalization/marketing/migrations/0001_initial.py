"""The marketing models, on the tables the personalization label's migrations built (state only)."""

import django.db.models.deletion
import personalization.marketing.models
import primitives.encrypted_fields
import uuid
from django.conf import settings
from django.db import migrations, models

from personalization.handover import content_types_handover


MODELS = ["subscriber", "campaign", "marketingemail"]


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
                    name='Campaign',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=64, unique=True)),
                        ('kind', models.CharField(choices=[('digest', 'Weekly digest'), ('cart_reminder', 'Abandoned-cart reminder')], max_length=16)),
                        ('created_at', models.DateTimeField()),
                        ('updated_at', models.DateTimeField()),
                        ('counts', models.JSONField(default=dict, help_text='eligible, queued, sent, failed and skipped by reason')),
                    ],
                    options={
                        'db_table': 'personalization_campaign',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Subscriber',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', primitives.encrypted_fields.EncryptedEmailField(max_length=254)),
                        ('email_index', primitives.encrypted_fields.BlindIndexField(normaliser='email', source='email', unique=True)),
                        ('consent_key', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('status', models.CharField(choices=[('pending', 'Waiting for the e-mailed confirmation'), ('confirmed', 'Confirmed'), ('unsubscribed', 'Unsubscribed')], db_index=True, default='pending', max_length=16)),
                        ('token_nonce', models.CharField(default=personalization.marketing.models._nonce, max_length=32)),
                        ('created_at', models.DateTimeField()),
                        ('confirmation_sent_at', models.DateTimeField(blank=True, null=True)),
                        ('confirmed_at', models.DateTimeField(blank=True, null=True)),
                        ('unsubscribed_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'personalization_subscriber',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='MarketingEmail',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=120, unique=True)),
                        ('status', models.CharField(choices=[('sending', 'Being sent'), ('sent', 'Sent'), ('bounced', 'Refused by the mail server'), ('failed', 'Not sent (mail server unreachable)')], max_length=16)),
                        ('created_at', models.DateTimeField()),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('products', models.JSONField(default=list, help_text='Ids of the products the e-mail showed.')),
                        ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='emails', to='marketing.campaign')),
                        ('subscriber', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='emails', to='marketing.subscriber')),
                    ],
                    options={
                        'db_table': 'personalization_marketingemail',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
            ],
            database_operations=[],
        ),
        content_types_handover(models=MODELS, to_label="marketing"),
    ]
