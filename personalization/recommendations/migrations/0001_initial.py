"""The recommendations models, on the tables the personalization label's migrations built (state only)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from personalization.handover import content_types_handover


MODELS = ["behaviourevent", "modelversion", "recommendationlist", "retrainingrequest", "previewauditentry"]


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
                    name='ModelVersion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('training', 'Training'), ('ready', 'Ready'), ('active', 'Serving'), ('retired', 'Retired'), ('failed', 'Failed')], db_index=True, default='training', max_length=16)),
                        ('task_id', models.CharField(blank=True, help_text='The training task that built it.', max_length=64)),
                        ('started_at', models.DateTimeField()),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('activated_at', models.DateTimeField(blank=True, null=True)),
                        ('trained_until', models.DateTimeField(help_text="The model's 'now': no event after it was used.")),
                        ('data_from', models.DateTimeField(blank=True, help_text='The earliest event used.', null=True)),
                        ('parameters', models.JSONField(default=dict)),
                        ('counts', models.JSONField(default=dict, help_text='Subjects, events, products and lists, in numbers.')),
                        ('metrics', models.JSONField(default=dict)),
                        ('duration_seconds', models.FloatField(blank=True, null=True)),
                        ('progress', models.PositiveSmallIntegerField(default=0)),
                        ('stage', models.CharField(blank=True, max_length=80)),
                        ('error', models.TextField(blank=True)),
                    ],
                    options={
                        'db_table': 'personalization_modelversion',
                        'ordering': ['-started_at', '-id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'active')), fields=('status',), name='model_version_one_active')],
                    },
                ),
                migrations.CreateModel(
                    name='PreviewAuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('customer_pseudonym', models.CharField(db_index=True, max_length=32)),
                        ('viewed_at', models.DateTimeField()),
                        ('staff', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('version', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='recommendations.modelversion')),
                    ],
                    options={
                        'verbose_name_plural': 'preview audit entries',
                        'db_table': 'personalization_previewauditentry',
                        'ordering': ['-viewed_at'],
                    },
                ),
                migrations.CreateModel(
                    name='RetrainingRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reason', models.CharField(choices=[('withdrawal', 'Personalization consent withdrawn'), ('erasure', 'Personal data erased'), ('merchant', 'Requested in the admin')], max_length=16)),
                        ('requested_at', models.DateTimeField(db_index=True)),
                        ('due_by', models.DateTimeField()),
                        ('fulfilled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='fulfilled_requests', to='recommendations.modelversion')),
                    ],
                    options={
                        'db_table': 'personalization_retrainingrequest',
                        'ordering': ['-requested_at'],
                    },
                ),
                migrations.CreateModel(
                    name='BehaviourEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('visitor_id', models.UUIDField(blank=True, db_index=True, null=True)),
                        ('kind', models.CharField(choices=[('viewed', 'Viewed a product'), ('added_to_cart', 'Added to cart'), ('removed_from_cart', 'Removed from cart'), ('checkout_started', 'Started checkout'), ('purchased', 'Bought')], max_length=24)),
                        ('quantity', models.PositiveIntegerField(default=1)),
                        ('occurred_at', models.DateTimeField(db_index=True)),
                        ('order', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='orders.order')),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.product')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'personalization_behaviourevent',
                        'ordering': ['occurred_at', 'id'],
                        'indexes': [models.Index(fields=['user', 'occurred_at'], name='personaliza_user_id_86d6a5_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('user__isnull', False), ('visitor_id__isnull', True)), models.Q(('user__isnull', True), ('visitor_id__isnull', False)), _connector='OR'), name='behaviour_event_one_subject')],
                    },
                ),
                migrations.CreateModel(
                    name='RecommendationList',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('rail', models.CharField(choices=[('for_you', 'Recommended for you'), ('buy_again', 'Buy again'), ('also_bought', 'Customers also bought'), ('similar', 'Similar products'), ('trending', 'Trending')], max_length=16)),
                        ('items', models.JSONField(default=list)),
                        ('product', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.product')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lists', to='recommendations.modelversion')),
                    ],
                    options={
                        'db_table': 'personalization_recommendationlist',
                        'indexes': [models.Index(fields=['version', 'rail', 'user'], name='personaliza_version_c5b7e7_idx'), models.Index(fields=['version', 'rail', 'product'], name='personaliza_version_57857e_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('user__isnull', True), ('product__isnull', True), _connector='OR'), name='recommendation_list_one_key')],
                    },
                ),
            ],
            database_operations=[],
        ),
        content_types_handover(models=MODELS, to_label="recommendations"),
    ]
