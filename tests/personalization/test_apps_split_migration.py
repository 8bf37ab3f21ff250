"""A database built before personalization became three apps migrates to them with every row kept.

The code of the last commit before the split is exported from git and run as it was: it migrates a
fresh SQLite file, imports the committed sample, trains, computes segments and writes one row of
each remaining model; then this checkout's `migrate` runs on the same file. Counts, stored lists,
the groups' permissions and the admin's log entries must read the same through the new apps.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, SAMPLE_DATA

# The last commit with a single "personalization" app holding all eleven models.
PRE_SPLIT_COMMIT = "95cafb39346f9652af6d1ab0b8b061e435b7e369"

MOVED = {
    "recommendations": ["BehaviourEvent", "ModelVersion", "RecommendationList", "RetrainingRequest",
                        "PreviewAuditEntry"],
    "marketing": ["Subscriber", "Campaign", "MarketingEmail"],
    "segments": ["SegmentRun", "SegmentMembership", "SegmentDiscount"],
}
# Both code versions run on a SQLite file of their own, whatever the suite's DATABASE_URL: once, in
# the SQLite run.
pytestmark = pytest.mark.embedded_processes
NEW_LABEL = {name.lower(): label for label, names in MOVED.items() for name in names}

# One row of each model that the sample, training and segments leave empty, written with the old code.
WRITE_THE_REST = """
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from personalization.models import (Campaign, MarketingEmail, ModelVersion, PreviewAuditEntry, RetrainingRequest,
                                    SegmentDiscount, SegmentMembership, Subscriber)
from shop.accounts.models import User

now = timezone.now()
staff = User.objects.create_user(email="clerk@example.com", password=None, is_staff=True)
version = ModelVersion.objects.get(status="active")
RetrainingRequest.objects.create(reason="merchant", requested_at=now, due_by=now, fulfilled_by=version)
PreviewAuditEntry.objects.create(staff=staff, customer_pseudonym="0123456789abcdef", viewed_at=now, version=version)
subscriber = Subscriber.objects.create(email="reader@example.com", created_at=now, status="confirmed")
campaign = Campaign.objects.create(key="digest-2026-W49", kind="digest", created_at=now, updated_at=now,
                                   counts={"eligible": 1})
MarketingEmail.objects.create(subscriber=subscriber, campaign=campaign, key="digest-2026-W49:1", status="sent",
                              created_at=now, products=[1])
segment = SegmentMembership.objects.values_list("segment", flat=True).first()
SegmentDiscount.objects.create(segment=segment, percent=5, enabled=True, reason="Thank you")
analysts = Group.objects.create(name="Recommendation analysts")
analysts.permissions.set(Permission.objects.filter(content_type__app_label="personalization",
                                                   codename__in=["view_recommendationlist", "view_campaign", "view_segmentrun"]))
LogEntry.objects.log_actions(user_id=staff.pk, queryset=[version], action_flag=CHANGE, change_message="Looked")
"""

# What the database holds, read through whichever models the code running it has.
DUMP = """
import json
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType

LABEL = {label!r}
NAMES = {names!r}
models = {{name: apps.get_model(LABEL.get(name, "personalization"), name) for name in NAMES}}
lists = models["RecommendationList"].objects.order_by("pk").values_list("user_id", "product_id", "rail", "items")
print(json.dumps({{
    "counts": {{name: model._base_manager.count() for name, model in models.items()}},
    "lists": [list(row) for row in lists],
    "groups": {{group.name: sorted([p.content_type.app_label, p.content_type.model, p.codename]
                                   for p in group.permissions.select_related("content_type"))
               for group in Group.objects.order_by("name")}},
    "models": sorted([ct.app_label, ct.model] for ct in ContentType.objects.all()),
    "personalization_content_types": sorted(ContentType.objects.filter(app_label="personalization")
                                            .values_list("model", flat=True)),
    "log": [[entry.content_type.app_label, entry.content_type.model, str(entry.get_edited_object())]
            for entry in LogEntry.objects.order_by("pk")],
}}))
"""


def manage(code: Path, database: Path, *arguments: str) -> str:
    """Run `manage.py` of the code at `code` on the SQLite file, as a deployment would: no Redis (tasks
    in-process), the local settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("REDIS_URL", "DJANGO_"))}
    env.update(DATABASE_URL=f"sqlite:///{database}", DJANGO_SETTINGS_MODULE="config.settings.local",
               PYTHONPATH=str(code))
    finished = subprocess.run([sys.executable, "manage.py", *arguments], cwd=code, env=env, capture_output=True,
                              text=True, timeout=600)
    assert finished.returncode == 0, f"{' '.join(arguments)} failed:\n{finished.stdout}\n{finished.stderr}"
    return finished.stdout


def state(code: Path, database: Path, *, label: dict[str, str]) -> dict:
    names = [name for names in MOVED.values() for name in names]
    output = manage(code, database, "shell", "-c", DUMP.format(label=label, names=names))
    return json.loads(output.strip().splitlines()[-1])


def pre_split_code(destination: Path) -> Path:
    """The pre-split commit's files, exported from this checkout's git history."""
    if shutil.which("git") is None:
        pytest.fail("git is needed to export the pre-split code.")
    found = subprocess.run(["git", "-C", str(PROJECT_ROOT), "cat-file", "-e", f"{PRE_SPLIT_COMMIT}^{{commit}}"],
                           capture_output=True)
    if found.returncode != 0:
        pytest.fail(f"Commit {PRE_SPLIT_COMMIT} is not in this checkout's history: clone with full history "
                    "(CI does) to test the migration of a database built before the split.")
    destination.mkdir()
    archive = subprocess.run(["git", "-C", str(PROJECT_ROOT), "archive", PRE_SPLIT_COMMIT], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(destination)], input=archive, check=True)
    return destination


def test_a_database_built_before_the_split_keeps_every_row_list_permission_and_log_entry(tmp_path):
    old = pre_split_code(tmp_path / "pre-split")
    database = tmp_path / "db.sqlite3"
    manage(old, database, "migrate", "--no-input")
    manage(old, database, "import_online_retail", str(SAMPLE_DATA), "--no-progress")
    manage(old, database, "train_recommenders")
    manage(old, database, "compute_segments")
    manage(old, database, "shell", "-c", WRITE_THE_REST)
    before = state(old, database, label={})

    manage(PROJECT_ROOT, database, "migrate", "--no-input")
    after = state(PROJECT_ROOT, database, label={name: NEW_LABEL[name.lower()] for name in before["counts"]})

    assert all(before["counts"].values()), before["counts"]  # every model has rows to carry over
    assert after["counts"] == before["counts"]
    assert before["lists"] and after["lists"] == before["lists"]
    relabelled = {group: sorted([NEW_LABEL.get(model, label), model, codename]
                                for label, model, codename in permissions)
                  for group, permissions in before["groups"].items()}
    # Every group keeps what it held, relabelled; a role gains only permissions of models that the
    # pre-split code did not have (added since, e.g. privacy's disclosure budget for the Owner).
    known_before = {(NEW_LABEL.get(model, label), model) for label, model in before["models"]}
    assert set(after["groups"]) == set(relabelled)
    for group, permissions in relabelled.items():
        gained = [p for p in after["groups"][group] if p not in permissions]
        assert [p for p in permissions if p not in after["groups"][group]] == [], group
        assert [p for p in gained if (p[0], p[1]) in known_before] == [], group
    assert ["recommendations", "recommendationlist", "view_recommendationlist"] in after["groups"][
        "Recommendation analysts"]
    assert ["segments", "segmentdiscount", "change_segmentdiscount"] in after["groups"]["Owner"]
    assert len(before["personalization_content_types"]) == 11
    assert after["personalization_content_types"] == []
    assert after["log"] == [["recommendations", "modelversion", before["log"][0][2]]]
    assert before["log"][0][:2] == ["personalization", "modelversion"]
