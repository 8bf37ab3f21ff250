"""Personal-data declarations for privacy's own models and for third-party apps.

Format: see privacy/registry.py. Classification, briefly: "personal" identifies or
describes a person; "pseudonymous" links to a person only through another table
(ids, keys, foreign keys); "not_personal" says nothing about anyone.

Not declared on purpose: allauth.usersessions (it stores raw IP addresses and user
agents). Installing it makes the registry test fail until someone decides.
Login throttling (allauth rate limits) lives in the cache, not in a table: entries
keyed by IP address or a hash of the e-mail address expire after the rate window
(5 minutes), and an erasure removes those of the person's addresses at once
(privacy.scrubbers.cache_purge).
"""

from django.apps import apps

_NOT_PERSONAL_LOOKUP = {
    "purpose": "Run the site (permissions, model types, notice texts)",
    "legal_basis": "legitimate_interest",
    "retention": "As long as the site runs",
    "subject": None,
    "export": False,
    "erasure": "keep",
}

MODELS = {
    "privacy.ConsentRecord": {
        "fields": {
            "id": "not_personal", "user": "pseudonymous", "visitor_id": "pseudonymous",
            "purpose": "personal", "granted": "personal", "notice_version": "not_personal",
            "text_hash": "not_personal", "source": "personal", "created_at": "personal",
        },
        "purpose": "Prove which consent each person gave or refused, and when (Art. 7(1))",
        "legal_basis": "legal_obligation",
        "retention": "While the account exists; a visitor's records 13 months after their last decision",
        "retention_days": 395,
        "retention_basis": "a visitor's last decision (accounts' records go with the account)",
        "subject": "user",
        "visitor": "visitor_id",
        "export": True,
        "erasure": "delete",
        "data_subjects": "Customers, visitors and newsletter subscribers",
    },
    "privacy.NoticeText": {
        "fields": {"id": "not_personal", "text_hash": "not_personal", "version": "not_personal",
                   "text": "not_personal", "first_shown_at": "not_personal"},
        **_NOT_PERSONAL_LOOKUP,
        "purpose": "Keep the exact wording each consent was given to",
    },
    "privacy.DisclosureRelease": {
        "fields": {"id": "not_personal", "family": "not_personal", "release_key": "not_personal",
                   "period": "not_personal", "values": "not_personal", "epsilon_spent": "not_personal",
                   "reused_from": "not_personal", "released_at": "not_personal"},
        **_NOT_PERSONAL_LOOKUP,
        # Differentially private aggregates: each value is noised so that it says no more
        # about any one person than the declared epsilon allows.
        "purpose": "Show figures counted from people with noise, once per release (docs/privacy.md)",
    },
    "privacy.DisclosureBudget": {
        "fields": {"id": "not_personal", "family": "not_personal", "period": "not_personal",
                   "spent": "not_personal", "releases": "not_personal"},
        **_NOT_PERSONAL_LOOKUP,
        "purpose": "Account for the privacy loss each family of released figures spends per period",
    },
    "admin.LogEntry": {
        "fields": {
            "id": "not_personal", "action_time": "personal", "user": "pseudonymous",
            "content_type": "not_personal", "object_id": "pseudonymous", "object_repr": "personal",
            "action_flag": "not_personal", "change_message": "personal",
        },
        "purpose": "Accountability for changes staff make in the admin",
        "legal_basis": "legitimate_interest",
        "retention": "1 year",
        "retention_days": 365,
        "retention_basis": "the change",
        "subject": "user",
        "finder": "privacy.scrubbers.log_entries_about",
        "export": True,
        # Entries a staff member made go with their account (the foreign key cascades);
        # entries about a person keep that a change was made, not whom it was made to.
        "erasure": "anonymise",
        "anonymiser": "privacy.scrubbers.log_entries_anonymise",
        "data_subjects": "Staff (and the customers whose records they edit, named in object_repr)",
    },
    "auth.Permission": {
        "fields": {"id": "not_personal", "name": "not_personal", "content_type": "not_personal",
                   "codename": "not_personal"},
        **_NOT_PERSONAL_LOOKUP,
    },
    "auth.Group": {"fields": {"id": "not_personal", "name": "not_personal"}, **_NOT_PERSONAL_LOOKUP},
    "auth.Group_permissions": {
        "fields": {"id": "not_personal", "group": "not_personal", "permission": "not_personal"},
        **_NOT_PERSONAL_LOOKUP,
    },
    "contenttypes.ContentType": {
        "fields": {"id": "not_personal", "app_label": "not_personal", "model": "not_personal"},
        **_NOT_PERSONAL_LOOKUP,
    },
    "sessions.Session": {
        "fields": {"session_key": "pseudonymous", "session_data": "personal", "expire_date": "not_personal"},
        "purpose": "Keep the cart and the login between pages",
        "legal_basis": "contract",
        "retention": "Until the session expires (two weeks), then removed by the daily purge",
        "retention_days": 14,
        "retention_basis": "the last request of the session",
        "subject": None,  # the session's user is inside the signed data, not a column
        "finder": "privacy.scrubbers.sessions_of",
        "export": False,
        "erasure": "delete",
        "data_subjects": "Customers and visitors",
    },
    "account.EmailAddress": {
        "fields": {"id": "not_personal", "user": "pseudonymous", "email": "personal",
                   "verified": "not_personal", "primary": "not_personal"},
        "purpose": "Log in, confirm and reach the account holder (kept in plain text: allauth looks it up)",
        "legal_basis": "contract",
        "retention": "Until the address is removed or the account is closed",
        "subject": "user",
        "export": True,
        "erasure": "delete",
        "data_subjects": "Customers and staff",
    },
    "account.EmailConfirmation": {
        "fields": {"id": "not_personal", "email_address": "pseudonymous", "created": "personal",
                   "sent": "personal", "key": "pseudonymous"},
        "purpose": "Confirm that an e-mail address belongs to the account holder",
        "legal_basis": "contract",
        "retention": "Until confirmed or expired (3 days)",
        "subject": "email_address__user",
        "parent": "email_address",
        "export": False,
        "erasure": "delete",
        "data_subjects": "Customers and staff",
    },
}

MODELS["privacy.DataRequest"] = {
    "fields": {
        "id": "not_personal", "pseudonym": "pseudonymous", "kind": "not_personal", "status": "not_personal",
        "user": "pseudonymous", "email_index": "pseudonymous", "visitor_id": "pseudonymous",
        "created_at": "not_personal", "deadline": "not_personal", "confirmed_at": "not_personal",
        "due_at": "not_personal", "completed_at": "not_personal", "progress": "not_personal", "blocked_reason": "not_personal",
        "file_expires_at": "not_personal",
    },
    "purpose": "Answer requests to download or erase personal data, and prove we did (Art. 5(2), 12)",
    "legal_basis": "legal_obligation",
    "retention": "3 years after the request; once the person is erased it names no one",
    "retention_days": 3 * 365,
    "retention_basis": "the request",
    "subject": "user",
    "guest": "email_index",
    "visitor": "visitor_id",
    "visitor_keys": "visitor_id",  # the browser each request was made from
    "export": True,
    "erasure": "anonymise",
    "anonymise_fields": {"user": None, "email_index": None, "visitor_id": None},
    "data_subjects": "Customers, guests and visitors",
}
MODELS["privacy.VisitorLink"] = {
    "fields": {"id": "not_personal", "user": "pseudonymous", "visitor_id": "pseudonymous",
               "created_at": "personal"},
    "purpose": "Find what a browser recorded before its user logged in (consent decisions, a cart), so that "
               "the person's download and deletion include it",
    "legal_basis": "legal_obligation",
    "retention": "While the account exists",
    "subject": "user",
    "visitor_keys": "visitor_id",
    "export": True,
    "erasure": "delete",
    "data_subjects": "Customers",
}
MODELS["privacy.ExportArchive"] = {
    "fields": {"id": "not_personal", "request": "pseudonymous", "data": "personal", "size": "not_personal",
               "created_at": "not_personal"},
    "purpose": "Hand a person the copy of their data they asked for",
    "legal_basis": "legal_obligation",
    "retention": "7 days (PRIVACY_EXPORT_TTL_DAYS), then deleted; at once on erasure",
    "retention_days": 7,
    "retention_basis": "the copy being ready",
    "subject": "request__user",
    "parent": "request",
    "export": False,  # it is the export
    "erasure": "delete",
    "data_subjects": "Customers and guests who asked for their data",
}
MODELS["privacy.AuditEntry"] = {
    "fields": {"id": "not_personal", "at": "not_personal", "action": "not_personal", "request": "pseudonymous",
               "pseudonym": "pseudonymous", "actor": "pseudonymous", "detail": "not_personal"},
    "purpose": "Prove each step of a data request, and each look by staff at a customer's details",
    "legal_basis": "legal_obligation",
    "retention": "3 years",
    "retention_days": 3 * 365,
    "retention_basis": "the entry",
    "subject": "actor",  # staff; a customer appears only under a request's random pseudonym
    "export": False,
    "erasure": "anonymise",
    "anonymise_fields": {"actor": None},
    "data_subjects": "Staff",
}

MODELS["privacy.ReencryptionCheckpoint"] = {
    "fields": {"id": "not_personal", "label": "not_personal", "keys": "not_personal", "last_pk": "not_personal",
               "rows": "not_personal", "finished": "not_personal", "updated_at": "not_personal"},
    **_NOT_PERSONAL_LOOKUP,
    "purpose": "Resume a key rotation where it stopped",
}

# Declared only when installed: a declaration for a missing model is itself a registry error.
if apps.is_installed("allauth.mfa"):
    MODELS["mfa.Authenticator"] = {
        "fields": {"id": "not_personal", "user": "pseudonymous", "type": "not_personal", "data": "personal",
                   "created_at": "personal", "last_used_at": "personal"},
        "purpose": "Second factor for logging in",
        "legal_basis": "contract",
        "retention": "Until removed by the account holder or the account is closed",
        "subject": "user",
        "export": False,  # holds secrets; the export says that a second factor exists
        "erasure": "delete",
    }
