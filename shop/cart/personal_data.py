"""Personal data in the cart app, for the privacy registry (plain data, no imports)."""

MODELS = {
    "cart.Cart": {
        "fields": {
            "id": "not_personal",
            "user": "pseudonymous",
            "visitor_key": "pseudonymous",
            "created_at": "not_personal",
            "updated_at": "not_personal",
            "revision": "not_personal",  # a count of changes to its lines, for the session's copy
        },
        "purpose": "Keep what a shopper means to buy between visits",
        "legal_basis": "contract",
        "retention": "Visitors' carts: 30 days after the last change; accounts' carts: while the account exists",
        "subject": "user",
        "visitor": "visitor_key",
        "export": True,
        "erasure": "delete",
    },
    "cart.CartLine": {
        "fields": {
            "id": "not_personal",
            "cart": "pseudonymous",
            "variant": "not_personal",
            "quantity": "not_personal",
            "added_at": "not_personal",
            # The unit price quoted to this shopper when adding the line: a personalized price
            # (a segment's rule and reason) says something about the person.
            "quoted_price": "personal",
            "quoted_public_price": "not_personal",
            "quoted_rule": "personal",
            "quoted_personalized": "personal",
            "quoted_reason": "personal",
            "price_locked_until": "not_personal",
        },
        "purpose": "Keep what a shopper means to buy between visits",
        "legal_basis": "contract",
        "retention": "Deleted with its cart",
        "subject": "cart__user",
        "parent": "cart",
        "export": True,
        "erasure": "delete",
    },
}
