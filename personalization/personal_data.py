"""Personal data held by personalization, for the privacy registry (format: privacy/registry.py)."""

MODELS = {
    "personalization.BehaviourEvent": {
        "fields": {
            "id": "not_personal",
            "user": "pseudonymous",
            "visitor_id": "pseudonymous",
            "kind": "personal",
            "product": "personal",
            "quantity": "personal",
            "order": "personal",
            "occurred_at": "personal",
        },
        "purpose": "Recommend products from what a person viewed, carted and bought",
        "legal_basis": "consent",
        "retention": "12 months, or until personalization consent is withdrawn",
        "subject": "user",
        "export": True,
        "erasure": "delete",
        "data_subjects": "Customers and visitors who consented to personalised recommendations",
    },
}
