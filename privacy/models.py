"""Proof of consent (an append-only record per decision, the exact texts decided on), the data
requests people make (download my data, delete my account) and the audit log of both."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from primitives.audit import audit_trail

from .purposes import CONSENT_PURPOSES, PURPOSES_BY_KEY


class ConsentSource(models.TextChoices):
    BANNER = "banner", "Consent banner"
    SETTINGS = "settings", "Privacy settings"
    GPC = "gpc", "Global Privacy Control signal"
    LOGIN = "login", "Carried over from this browser at login"
    IMPORT = "import", "Imported"
    API = "api", "API"
    ERASURE = "erasure", "Account deletion requested"
    NEWSLETTER = "newsletter", "Newsletter sign-up (confirmed by e-mail) or unsubscribe link"
    COOKIE = "cookie", "Carried by this browser's consent cookie into a new session"


class AppendOnlyError(RuntimeError):
    """Consent records are evidence: they are never changed or deleted one by one."""


class ConsentRecordQuerySet(models.QuerySet["ConsentRecord"]):
    def update(self, **kwargs):
        raise AppendOnlyError("Consent records cannot be updated; record a new decision instead.")


class ConsentRecord(models.Model):
    """One decision about one purpose by one subject, under one version of the notice.

    The subject is an account or, for anonymous visitors, a random visitor id held in a
    signed cookie. No IP address, user agent or other request detail is stored.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    visitor_id = models.UUIDField(null=True, blank=True)
    purpose = models.CharField(max_length=32, choices=[(key, PURPOSES_BY_KEY[key].label) for key in CONSENT_PURPOSES])
    granted = models.BooleanField()
    notice_version = models.CharField(max_length=32)
    text_hash = models.CharField("SHA-256 of the text shown", max_length=64)
    source = models.CharField(max_length=16, choices=ConsentSource.choices)
    created_at = models.DateTimeField(db_index=True)

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "notice_version", "created_at"]),
            models.Index(fields=["visitor_id", "notice_version", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, visitor_id__isnull=True)
                | Q(user__isnull=True, visitor_id__isnull=False),
                name="consent_record_one_subject",
            ),
            # A Global Privacy Control signal is recorded once per subject, purpose and notice
            # version, even when parallel requests carry it.
            models.UniqueConstraint(
                fields=["user", "purpose", "notice_version"], condition=Q(source="gpc", user__isnull=False),
                name="consent_record_one_gpc_per_user",
            ),
            models.UniqueConstraint(
                fields=["visitor_id", "purpose", "notice_version"],
                condition=Q(source="gpc", visitor_id__isnull=False),
                name="consent_record_one_gpc_per_visitor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {'granted' if self.granted else 'refused'} ({self.get_source_display()})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Consent records cannot be changed; record a new decision instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Consent records are deleted only with their subject or by retention.")


class NoticeText(models.Model):
    """The exact text of a notice version as shown to people, kept so each text hash can be proven."""

    text_hash = models.CharField(max_length=64, unique=True)
    version = models.CharField(max_length=32, db_index=True)
    text = models.TextField()
    first_shown_at = models.DateTimeField()

    class Meta:
        ordering = ["-first_shown_at"]

    def __str__(self) -> str:
        return f"Notice {self.version} ({self.text_hash[:12]})"



class DataRequestKind(models.TextChoices):
    EXPORT = "export", "Download my data"
    ERASURE = "erasure", "Delete my data"


class DataRequestStatus(models.TextChoices):
    AWAITING_CONFIRMATION = "awaiting", "Waiting for the e-mailed link"
    SCHEDULED = "scheduled", "Scheduled"
    RUNNING = "running", "Being carried out"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


OPEN_STATUSES = (DataRequestStatus.AWAITING_CONFIRMATION, DataRequestStatus.SCHEDULED, DataRequestStatus.RUNNING)
LEGAL_DEADLINE = timedelta(days=30)  # one month (Art. 12(3)); extensions are not automated


class DataRequest(models.Model):
    """One request to download or erase a person's data.

    Who it is about is held only as ids (an account, a visitor key, the blind index of a
    guest's e-mail); the audit log names the request by `pseudonym`, a random id that
    outlives the erasure and says nothing about the person.
    """

    pseudonym = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=DataRequestKind.choices)
    status = models.CharField(max_length=16, choices=DataRequestStatus.choices, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    email_index = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    visitor_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    deadline = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    blocked_reason = models.CharField(max_length=300, blank=True)
    file_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pseudonym}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ExportArchive(models.Model):
    """The ZIP of one export, encrypted with the field keys, until its link expires.

    In the database rather than on a disk, so the worker that builds it and the web
    process that serves it need share nothing else, and it is never in plain text at rest.
    """

    request = models.OneToOneField(DataRequest, on_delete=models.CASCADE, related_name="archive")
    data = models.BinaryField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Archive of {self.request_id} ({self.size} bytes)"


@audit_trail(details=("detail",))
class AuditEntry(models.Model):
    """One step of a data request, or one look by staff at a customer's decrypted details.

    Append-only, written by `privacy.audit.audit_record` through the one audit write path
(primitives.audit). Holds pseudonyms and ids only: never a name, an e-mail or an address.
    """

    at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=40)
    request = models.ForeignKey(DataRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit")
    pseudonym = models.UUIDField(null=True, blank=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class ReencryptionCheckpoint(models.Model):
    """How far `privacy_reencrypt` got in one table under one generation of keys, so it resumes there."""

    label = models.CharField(max_length=100, unique=True)
    keys = models.CharField(max_length=64, help_text="Fingerprint of the keys the rows are being rewritten under.")
    last_pk = models.CharField(max_length=64, blank=True)
    rows = models.PositiveBigIntegerField(default=0)
    finished = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.label}: {'finished' if self.finished else f'after {self.last_pk or 0}'}"


class VisitorLink(models.Model):
    """A browser's visitor id that an account logged in from, kept so the person's export and
    erasure reach what was recorded under it before they logged in (consent given in the
    banner, a cart, a session). Guests' browsers are reached through their orders' payment
    snapshots instead.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    visitor_id = models.UUIDField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "visitor_id"], name="visitor_link_once_per_account")]

    def __str__(self) -> str:
        return f"Browser of account {self.user_id}"


class DisclosureRelease(models.Model):
    """One release of a family of figures counted from people, with the noise already added.

    `values` maps each figure's name to its released value (None: withheld). Pages and the
    admin read these values, never the exact counts, and never draw noise of their own: a
    figure is released once per `release_key` (a model version, a week, a segment run) and
    read back after. A release that the period's budget could not pay for repeats the last
    paid release (`reused_from`) and spends nothing.
    """

    family = models.CharField(max_length=40)
    release_key = models.CharField(max_length=80, help_text="What was released: a model version, a week, a run.")
    period = models.CharField(max_length=16, help_text="The budget period that paid for it (a calendar month, UTC).")
    values = models.JSONField(default=dict)
    epsilon_spent = models.FloatField(default=0.0)
    reused_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    released_at = models.DateTimeField()

    class Meta:
        ordering = ["-released_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["family", "release_key"],
                                               name="disclosure_release_once_per_key")]
        indexes = [models.Index(fields=["family", "released_at"])]

    def __str__(self) -> str:
        return f"{self.family} {self.release_key}"


class DisclosureBudget(models.Model):
    """The privacy loss (epsilon) one family of figures has spent in one period: the ledger row that
    releases lock, so two releases never both spend the last of a budget."""

    family = models.CharField(max_length=40)
    period = models.CharField(max_length=16)
    spent = models.FloatField(default=0.0)
    releases = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-period", "family"]
        constraints = [models.UniqueConstraint(fields=["family", "period"], name="disclosure_budget_once_per_period")]

    def __str__(self) -> str:
        return f"{self.family} {self.period}: {self.spent:g} spent"
