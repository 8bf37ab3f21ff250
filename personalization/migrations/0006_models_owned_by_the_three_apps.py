"""The label's models leave its state: recommendations, marketing and segments own them, on the same tables.

State only: the tables and their rows stay where they are.
"""

from django.db import migrations

# Models that point at another one go first, so the state never holds a dangling reference.
MODELS = ["BehaviourEvent", "RecommendationList", "RetrainingRequest", "PreviewAuditEntry", "ModelVersion",
          "MarketingEmail", "Subscriber", "Campaign", "SegmentMembership", "SegmentDiscount", "SegmentRun"]


class Migration(migrations.Migration):

    dependencies = [
        ('personalization', '0005_segment_discount'),
        ('recommendations', '0001_initial'),
        ('marketing', '0001_initial'),
        ('segments', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name=name) for name in MODELS],
            database_operations=[],
        ),
    ]
