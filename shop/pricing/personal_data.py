"""Demand pricing holds no personal data: rules, public price changes and run counts are about
products, never about who bought them (sales velocity is an aggregate). Declared so that the
registry covers every model.

Format: privacy/registry.py.
"""

_PRICING = {
    "purpose": "Set and explain the public prices of the catalog",
    "legal_basis": "legitimate_interest",
    "retention": "As long as the product is listed",
    "subject": None,
    "export": False,
    "erasure": "keep",
}

MODELS = {
    "pricing.DemandRule": {
        "fields": {"id": "not_personal", "name": "not_personal", "enabled": "not_personal",
                   "category": "not_personal", "max_increase_percent": "not_personal",
                   "max_decrease_percent": "not_personal", "velocity_window_days": "not_personal",
                   "scarce_cover_days": "not_personal", "ample_cover_days": "not_personal",
                   "created_at": "not_personal", "updated_at": "not_personal"},
        **_PRICING,
    },
    "pricing.PriceChange": {
        # Inputs are aggregates (units sold per day, stock); no order or customer is referenced.
        "fields": {"id": "not_personal", "variant": "not_personal", "product": "not_personal",
                   "old_price": "not_personal", "new_price": "not_personal", "reduced_from": "not_personal",
                   "rule": "not_personal", "source": "not_personal", "inputs": "not_personal",
                   "changed_at": "not_personal", "run": "not_personal"},
        **_PRICING,
        "purpose": "Audit every public price change and quote the 30-day lowest price of a reduction",
    },
    "pricing.PricingRun": {
        "fields": {"id": "not_personal", "started_at": "not_personal", "finished_at": "not_personal",
                   "status": "not_personal", "dry_run": "not_personal", "trigger": "not_personal",
                   "variants_seen": "not_personal", "prices_raised": "not_personal",
                   "prices_lowered": "not_personal", "clamped": "not_personal",
                   "duration_seconds": "not_personal", "error": "not_personal"},
        **_PRICING,
        "purpose": "Log the recomputes of demand prices",
    },
}
