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
        "retention_days": 365,  # PERSONALIZATION_EVENT_RETENTION_DAYS, purged daily
        "retention_basis": "when the event happened",
        "subject": "user",
        "visitor": "visitor_id",
        "export": True,
        "erasure": "delete",
        "data_subjects": "Customers and visitors who consented to personalised recommendations",
    },
}

MODELS.update({
    "personalization.ModelVersion": {
        "fields": {name: "not_personal" for name in (
            "id", "status", "task_id", "started_at", "finished_at", "activated_at", "trained_until", "data_from",
            "parameters", "counts", "metrics", "duration_seconds", "progress", "stage", "error")},
        "purpose": "Keep track of each training of the recommenders: data window, counts and quality",
        "legal_basis": "legitimate_interest",
        "retention": "The serving version and the few before it; older versions are pruned at each training",
        "subject": None,
        "export": False,
        "erasure": "keep",
    },
    "personalization.RecommendationList": {
        "fields": {
            "id": "not_personal",
            "version": "not_personal",
            "rail": "personal",
            "user": "pseudonymous",
            "product": "not_personal",
            "items": "personal",
        },
        "purpose": "Show each consenting customer the recommendations computed for them, with their reasons",
        "legal_basis": "consent",
        "retention": "Until the next trainings replace them, or at once when consent is withdrawn or the "
                     "account is erased",
        "subject": "user",
        "export": True,
        "erasure": "delete",
        "data_subjects": "Customers who consented to personalised recommendations (lists per product or for "
                         "everyone name nobody)",
    },
    "personalization.RetrainingRequest": {
        "fields": {name: "not_personal" for name in ("id", "reason", "requested_at", "due_by", "fulfilled_by")},
        "purpose": "Retrain the recommenders on time after someone's data left the event store",
        "legal_basis": "legal_obligation",
        "retention": "Pruned with the model versions",
        "subject": None,
        "export": False,
        "erasure": "keep",
    },
    "personalization.PreviewAuditEntry": {
        "fields": {
            "id": "not_personal",
            "staff": "personal",
            "customer_pseudonym": "pseudonymous",
            "viewed_at": "not_personal",
            "version": "not_personal",
        },
        "purpose": "Account for every time staff looked at a customer's recommendations",
        "legal_basis": "legitimate_interest",
        "retention": "As long as the audit trail of staff access; the staff member is removed with their account",
        "subject": "staff",
        "export": True,
        "erasure": "anonymise",
        "anonymise_fields": {"staff": None},
        "data_subjects": "Staff members",
    },
})

# Newsletter, marketing e-mails and customer segments.
MODELS.update({
    "personalization.Subscriber": {
        "fields": {
            "id": "not_personal",
            "user": "pseudonymous",
            "email": "personal",
            "email_index": "pseudonymous",
            "consent_key": "pseudonymous",
            "status": "personal",
            "token_nonce": "not_personal",
            "created_at": "personal",
            "confirmation_sent_at": "personal",
            "confirmed_at": "personal",
            "unsubscribed_at": "personal",
        },
        "purpose": "Send the newsletter and personalised e-mails to people who asked for them and confirmed",
        "legal_basis": "consent",
        "retention": "Until the person unsubscribes and asks for erasure, or the account is erased",
        "subject": "user",
        "guest": "email_index",
        # Consent of a person without an account is recorded under this key: it goes with them.
        "visitor_keys": "consent_key",
        "export": True,
        "erasure": "delete",
        "data_subjects": "Customers and newsletter subscribers without an account",
    },
    "personalization.Campaign": {
        "fields": {name: "not_personal" for name in ("id", "key", "kind", "created_at", "updated_at", "counts")},
        "purpose": "Count each marketing sending: eligible, sent, skipped and why",
        "legal_basis": "legitimate_interest",
        "retention": "As long as the shop runs (counts only)",
        "subject": None,
        "export": False,
        "erasure": "keep",
    },
    "personalization.MarketingEmail": {
        "fields": {
            "id": "not_personal",
            "subscriber": "pseudonymous",
            "campaign": "personal",
            "key": "pseudonymous",
            "status": "personal",
            "created_at": "personal",
            "sent_at": "personal",
            "products": "personal",
        },
        "purpose": "Send each marketing e-mail at most once, and prove what was sent to whom",
        "legal_basis": "consent",
        "retention": "With the subscriber",
        "subject": "subscriber__user",
        "parent": "subscriber",
        "export": True,
        "erasure": "delete",
        "data_subjects": "Newsletter subscribers",
    },
    "personalization.SegmentRun": {
        "fields": {name: "not_personal" for name in (
            "id", "computed_at", "customers", "k", "silhouette", "min_size", "suppressed", "segments", "movement")},
        "purpose": "Describe customer segments to the merchant, in groups of at least SEGMENT_MIN_SIZE",
        "legal_basis": "legitimate_interest",
        "retention": "The latest runs (older ones are pruned at each computation)",
        "subject": None,
        "export": False,
        "erasure": "keep",
    },
    "personalization.SegmentMembership": {
        "fields": {"id": "not_personal", "run": "not_personal", "user": "pseudonymous", "segment": "personal"},
        "purpose": "Group consenting customers by recency, frequency and spend for the merchant's reports",
        "legal_basis": "consent",
        "retention": "The latest two computations; at once when personalization consent is withdrawn",
        "subject": "user",
        "export": True,
        "erasure": "delete",
        "data_subjects": "Customers who consented to personalisation",
    },
})

# Segment prices (personalization/pricing.py). The rule names nobody; which rule applies to a person
# follows from their segment membership, so the discount that applies to them now is theirs to see:
# their export has a "personalized prices" section (found by the finder, consent included). Erasure
# and withdrawal delete the membership, after which no rule applies to them.
MODELS.update({
    "personalization.SegmentDiscount": {
        "fields": {
            "id": "not_personal",
            "segment": "personal",
            "percent": "personal",
            "enabled": "not_personal",
            "reason": "personal",
            "created_at": "not_personal",
            "updated_at": "not_personal",
        },
        "purpose": "Give consenting customers of a segment (recency, frequency and spend of their orders) a "
                   "lower price, labelled with its reason",
        "legal_basis": "consent",
        "retention": "The rule is kept while the merchant offers it; it applies to a person only while they "
                     "consent and are in its segment",
        "subject": None,
        "finder": "personalization.pricing.personalized_prices_of",
        "export": True,
        "erasure": "keep",
        "data_subjects": "Customers who consented to personalisation and are in a segment with a discount",
    },
})
