"""The migration step that hands models of the `personalization` label over to one of its apps.

Each app's first migration takes its models over in state only (their tables stay) and runs
`content_types_handover`, so that permissions, groups and admin log entries follow the models.
"""

from __future__ import annotations

from django.db import migrations

PREVIOUS_LABEL = "personalization"


def _content_types_move(apps, schema_editor, *, models: list[str], source: str, target: str) -> None:
    """Relabel the models' content types. A model that already has a content type under `target`
    keeps both rows as they are."""
    content_type = apps.get_model("contenttypes", "ContentType")
    rows = content_type.objects.using(schema_editor.connection.alias)
    for model in models:
        if not rows.filter(app_label=target, model=model).exists():
            rows.filter(app_label=source, model=model).update(app_label=target)


def content_types_handover(*, models: list[str], to_label: str) -> migrations.RunPython:
    """A reversible step moving the content types of `models` (lower-case names) to `to_label`."""

    def forwards(apps, schema_editor) -> None:
        _content_types_move(apps, schema_editor, models=models, source=PREVIOUS_LABEL, target=to_label)

    def backwards(apps, schema_editor) -> None:
        _content_types_move(apps, schema_editor, models=models, source=to_label, target=PREVIOUS_LABEL)

    return migrations.RunPython(forwards, backwards)
