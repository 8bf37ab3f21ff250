"""Personal data held by the accounts app, for the privacy registry (plain data, no imports).

Format and classification rules: privacy/registry.py. Every concrete field is listed.
"""

MODELS = {
    "accounts.User": {
        "fields": {
            "id": "pseudonymous",
            "password": "personal",  # a hash, but a credential of this person
            "last_login": "personal",
            "is_superuser": "not_personal",
            "email": "personal",  # plain text: allauth looks it up and sends to it
            "is_staff": "not_personal",
            "is_active": "not_personal",
            "date_joined": "personal",
            "imported_customer_number": "pseudonymous",
        },
        "purpose": "Let customers log in, see their orders and manage their data",
        "legal_basis": "contract",
        "retention": "Until the account is closed; then deleted (orders are anonymised)",
        "subject": "self",
        "export": True,
        "erasure": "delete",
        "data_subjects": "Customers and staff",
    },
    "accounts.User_groups": {
        "fields": {"id": "not_personal", "user": "pseudonymous", "group": "not_personal"},
        "purpose": "Give staff the permissions of their role",
        "legal_basis": "legitimate_interest",
        "retention": "While the account exists",
        "subject": "user",
        "export": False,
        "erasure": "delete",
        "data_subjects": "Staff",
    },
    "accounts.User_user_permissions": {
        "fields": {"id": "not_personal", "user": "pseudonymous", "permission": "not_personal"},
        "purpose": "Give staff individual permissions",
        "legal_basis": "legitimate_interest",
        "retention": "While the account exists",
        "subject": "user",
        "export": False,
        "erasure": "delete",
        "data_subjects": "Staff",
    },
    "accounts.SavedAddress": {
        "fields": {
            "id": "not_personal",
            "user": "pseudonymous",
            "full_name": "personal",  # encrypted, like every personal field below
            "line1": "personal",
            "line2": "personal",
            "city": "personal",
            "postcode": "personal",
            "country": "not_personal",  # a country alone names nobody
            "phone": "personal",
            "created_at": "not_personal",
            "updated_at": "not_personal",
        },
        "purpose": "Let customers pick a delivery address they keep in their account at checkout",
        "legal_basis": "contract",
        "retention": "Until the customer deletes it or closes the account",
        "subject": "user",
        "export": True,
        "erasure": "delete",
        "data_subjects": "Customers",
    },
    "accounts.ApiToken": {
        "fields": {
            "id": "not_personal",
            "user": "pseudonymous",
            "name": "personal",  # the label its owner gave it
            "key_hash": "personal",  # a credential of this person (a hash of it)
            "prefix": "pseudonymous",
            "created_at": "personal",
            "last_used_at": "personal",
        },
        "purpose": "Let customers use the shop's REST API from their own apps",
        "legal_basis": "contract",
        "retention": "Until the customer revokes it or closes the account",
        "subject": "user",
        "export": True,
        "erasure": "delete",
        "data_subjects": "Customers",
    },
}
