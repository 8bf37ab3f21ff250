"""Personal data held by the customer segments, for the privacy registry (format: privacy/registry.py)."""

MODELS = {
    "segments.SegmentRun": {
        "fields": {name: "not_personal" for name in (
            "id", "computed_at", "customers", "k", "silhouette", "min_size", "suppressed", "segments", "movement")},
        "purpose": "Describe customer segments to the merchant, in groups of at least SEGMENT_MIN_SIZE",
        "legal_basis": "legitimate_interest",
        "retention": "The latest runs (older ones are pruned at each computation)",
        "subject": None,
        "export": False,
        "erasure": "keep",
    },
    "segments.SegmentMembership": {
        "fields": {"id": "not_personal", "run": "not_personal", "user": "pseudonymous", "segment": "personal"},
        "purpose": "Group consenting customers by recency, frequency and spend for the merchant's reports",
        "legal_basis": "consent",
        "retention": "The latest two computations; at once when personalization consent is withdrawn",
        "subject": "user",
        "export": True,
        "erasure": "delete",
        "letter": {"group": "browsing", "heading": "The customer group you are in",
                   "origin": "Worked out by the shop from your orders.",
                   "presenter": "personalization.segments.letter.membership_item"},
        "data_subjects": "Customers who consented to personalisation",
    },
}

# Segment prices (pricing.py). The rule names nobody; which rule applies to a person
# follows from their segment membership, so the discount that applies to them now is theirs to see:
# their export has a "personalized prices" section (found by the finder, consent included). Erasure
# and withdrawal delete the membership, after which no rule applies to them.
MODELS.update({
    "segments.SegmentDiscount": {
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
        "finder": "personalization.segments.pricing.personalized_prices_of",
        "export": True,
        "erasure": "keep",
        "letter": {"group": "browsing", "heading": "Prices for your customer group",
                   "origin": "Set by the shop for the group you are in.",
                   "presenter": "personalization.segments.letter.discount_item"},
        "data_subjects": "Customers who consented to personalisation and are in a segment with a discount",
    },
})
