"""Personal data held by the recommendations, for the privacy registry (format: privacy/registry.py)."""

MODELS = {
    "recommendations.BehaviourEvent": {
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
        "letter": {"group": "browsing", "heading": "What you viewed, put in your basket and bought",
                   "origin": "Recorded by the shop as you browsed.",
                   "presenter": "personalization.recommendations.letter.behaviour_event_item"},
        "data_subjects": "Customers and visitors who consented to personalised recommendations",
    },
}

MODELS.update({
    "recommendations.ModelVersion": {
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
    "recommendations.RecommendationList": {
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
        # Each stored entry's reason, in words, beside the entry in the person's copy.
        "explainer": "personalization.recommendations.serving.reason_text",
        "erasure": "delete",
        "letter": {"group": "recommendations", "heading": "Lists of recommendations for you",
                   "origin": "Worked out by the shop's recommender from your browsing and orders.",
                   "presenter": "personalization.recommendations.letter.recommendation_list_item",
                   "product_ids_in": "items"},
        "data_subjects": "Customers who consented to personalised recommendations (lists per product or for "
                         "everyone name nobody)",
    },
    "recommendations.RetrainingRequest": {
        "fields": {name: "not_personal" for name in ("id", "reason", "requested_at", "due_by", "fulfilled_by")},
        "purpose": "Retrain the recommenders on time after someone's data left the event store",
        "legal_basis": "legal_obligation",
        "retention": "Pruned with the model versions",
        "subject": None,
        "export": False,
        "erasure": "keep",
    },
    "recommendations.PreviewAuditEntry": {
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
        "letter": {"group": "staff", "heading": "Customers' recommendations you looked at",
                   "origin": "Recorded by the back office when you looked.",
                   "presenter": "personalization.recommendations.letter.preview_item"},
        "anonymise_fields": {"staff": None},
        "data_subjects": "Staff members",
    },
})
