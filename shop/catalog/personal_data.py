"""The catalog holds no personal data; it is declared so that the registry covers every model.

Format: privacy/registry.py.
"""

_CATALOG = {
    "purpose": "Describe what the shop sells",
    "legal_basis": "legitimate_interest",
    "retention": "As long as the product is listed or referenced by an order",
    "subject": None,
    "export": False,
    "erasure": "keep",
}

MODELS = {
    "catalog.Category": {
        "fields": {"id": "not_personal", "name": "not_personal", "slug": "not_personal", "parent": "not_personal",
                   "description": "not_personal", "position": "not_personal"},
        **_CATALOG,
    },
    "catalog.Product": {
        "fields": {"id": "not_personal", "title": "not_personal", "slug": "not_personal",
                   "description": "not_personal", "category": "not_personal", "price": "not_personal",
                   "reduced_from": "not_personal", "price_floor": "not_personal", "price_ceiling": "not_personal",
                   "is_published": "not_personal",
                   "popularity": "not_personal",  # an aggregate count of buyers, never who
                   "created_at": "not_personal", "updated_at": "not_personal",
                   "search_vector": "not_personal"},
        **_CATALOG,
    },
    "catalog.ProductVariant": {
        "fields": {"id": "not_personal", "product": "not_personal", "sku": "not_personal", "name": "not_personal",
                   "base_price": "not_personal", "price": "not_personal", "price_rule": "not_personal",
                   "price_changed_at": "not_personal", "reduced_from": "not_personal", "stock_quantity": "not_personal", "position": "not_personal"},
        **_CATALOG,
    },
    "catalog.ProductImage": {
        "fields": {"id": "not_personal", "product": "not_personal", "image": "not_personal",
                   "thumbnail": "not_personal", "alt_text": "not_personal", "position": "not_personal"},
        **_CATALOG,
    },
    "catalog.StockReservation": {
        # The holder is a checkout's random token; the reservation says nothing of who holds it.
        "fields": {"id": "not_personal", "variant": "not_personal", "holder": "not_personal",
                   "quantity": "not_personal", "expires_at": "not_personal", "created_at": "not_personal"},
        **_CATALOG,
        "purpose": "Hold stock for a checkout for a few minutes",
        "retention": "Until the checkout ends or the reservation expires",
        "erasure": "delete",
    },
}
