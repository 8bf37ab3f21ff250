"""Personal data in the payments app, for the privacy registry (plain data, no imports).

No card data is ever stored: the provider's card form turns a card into a token.
"""

MODELS = {
    "payments.Payment": {
        "fields": {
            "id": "not_personal", "idempotency_key": "not_personal", "fingerprint": "not_personal",
            "checkout": "pseudonymous", "order": "pseudonymous", "provider": "not_personal",
            "reference": "pseudonymous", "amount": "not_personal", "currency": "not_personal",
            "status": "not_personal", "message": "not_personal", "action_url": "not_personal",
            "snapshot": "pseudonymous",  # priced lines and totals; account, address and browser by id only
            "created_at": "not_personal", "updated_at": "not_personal",
        },
        "purpose": "Take payment for orders and account for it",
        "legal_basis": "legal_obligation",
        "retention": "10 years with its order (tax law)",
        "subject": "order__user",
        "parent": "order",
        "visitor_keys": "snapshot__subject__visitor_id",  # the browser the order was placed from
        "export": True,
        "erasure": "keep",  # for accounting; the ids in the snapshot are removed
        "scrubber": "shop.payments.personal_data_rules.payment_snapshot_ids_scrub",
        "recipients": ["Payment provider"],
        "data_subjects": "Customers",
    },
    "payments.Refund": {
        "fields": {
            "id": "not_personal", "payment": "pseudonymous", "idempotency_key": "not_personal",
            "amount": "not_personal", "currency": "not_personal", "status": "not_personal",
            "order_status": "not_personal", "requested_by": "pseudonymous", "reference": "pseudonymous",
            "reason": "not_personal", "message": "not_personal", "created_at": "not_personal",
            "updated_at": "not_personal",
        },
        "purpose": "Refund payments and account for it",
        "legal_basis": "legal_obligation",
        "retention": "10 years with its order (tax law)",
        "subject": "payment__order__user",
        "parent": "payment",
        "export": True,
        "erasure": "keep",
        "recipients": ["Payment provider"],
        "data_subjects": "Customers",
    },
    "payments.TestProviderCharge": {
        "fields": {
            "id": "not_personal", "reference": "pseudonymous", "idempotency_key": "not_personal",
            "token": "not_personal", "amount": "not_personal", "currency": "not_personal",
            "status": "not_personal", "message": "not_personal", "return_url": "not_personal",
            "refunded_amount": "not_personal", "refund_keys": "not_personal", "created_at": "not_personal",
        },
        "purpose": "Record card payments taken by the built-in payment service of demonstration shops",
        "legal_basis": "legitimate_interest",
        "retention": "While the demonstration shop runs (no card details are held)",
        "subject": None,
        "export": False,
        "erasure": "keep",
    },
    "payments.ProviderEvent": {
        "fields": {"id": "not_personal", "provider": "not_personal", "event_id": "not_personal",
                   "received_at": "not_personal"},
        "purpose": "Act on each payment provider notification once, however often it is delivered",
        "legal_basis": "legitimate_interest",
        "retention": "1 day (well past the providers' five-minute replay window), then purged daily",
        "retention_days": 1,
        "retention_basis": "the notification's arrival",
        "retention_purge": "shop.payments.personal_data_rules.provider_events_purge",
        "subject": None,
        "export": False,
        "erasure": "keep",
    },
}
