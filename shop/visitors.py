"""Who is shopping: the signed-in user, or a visitor known by a random key in their session.

The visitor key names nobody: it is random, lives only in the session, and is
the subject of an anonymous visitor's cart and events. It is created only when
the visitor does something that needs it (adding to the cart), never on a
first page view, so browsing sets no cookie.
"""

import secrets

from django.http import HttpRequest

from shop.events import Subject

SESSION_KEY = "visitor_key"


def visitor_key(request: HttpRequest, *, create: bool = False) -> str | None:
    key = request.session.get(SESSION_KEY)
    if key is None and create:
        key = secrets.token_hex(16)
        request.session[SESSION_KEY] = key
    return key


def subject_for(request: HttpRequest) -> Subject:
    if request.user.is_authenticated:
        return Subject(user_id=request.user.pk)
    # Reading the session does not create one: no cookie for a visitor who has none.
    return Subject(visitor_key=request.session.get(SESSION_KEY) if hasattr(request, "session") else None)
