"""Proof of consent: an append-only record per decision, and the exact texts decided on."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .purposes import CONSENT_PURPOSES, PURPOSES_BY_KEY


class ConsentSource(models.TextChoices):
    BANNER = "banner", "Consent banner"
    SETTINGS = "settings", "Privacy settings"
    GPC = "gpc", "Global Privacy Control signal"
    LOGIN = "login", "Carried over from this browser at login"
    IMPORT = "import", "Imported"
    API = "api", "API"


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

