"""How long a session lives while its person is idle, and the stamp a login starts it with.

Kept with the accounts (whose login starts the clock); config's SessionIdleTimeoutMiddleware
pushes the expiry forward while someone is active.
"""

from __future__ import annotations

import time

from django.conf import settings

SESSION_SEEN_KEY = "_idle_seen"
# How often an active session's expiry is pushed forward (one write per session at most this often).
SESSION_REFRESH_SECONDS = 60


def session_idle_timeout(user) -> int:
    """Seconds of inactivity after which this person's session ends."""
    if user is not None and user.is_authenticated and user.is_staff:
        return settings.SESSION_STAFF_IDLE_TIMEOUT
    return settings.SESSION_IDLE_TIMEOUT


def session_stamp_on_login(sender, request, user, **kwargs) -> None:
    """A new login starts its idle clock (staff get their shorter timeout at once)."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_SEEN_KEY] = int(time.time())
        request.session.set_expiry(session_idle_timeout(user))
