"""One training at a time, across workers: a lock in the shared cache (Redis in production)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

LOCK_KEY = "personalization:training-lock"


class TrainingLock:
    """Held under an owner (the task id); expires after the longest a training may run."""

    def __init__(self, owner: str) -> None:
        self.owner = owner

    def acquire(self) -> bool:
        """Take the lock, or take it back when this owner already holds it (a redelivered task)."""
        if cache.add(LOCK_KEY, self.owner, timeout=settings.CELERY_LONG_TASK_TIME_LIMIT):
            return True
        return cache.get(LOCK_KEY) == self.owner

    def release(self) -> None:
        if cache.get(LOCK_KEY) == self.owner:
            cache.delete(LOCK_KEY)

    @staticmethod
    def holder() -> str | None:
        return cache.get(LOCK_KEY)
