"""Personal data in the checkout app, for the privacy registry (plain data, no imports)."""

MODELS = {
    "checkout.Address": {
        "fields": {
            "id": "not_personal",
            "user": "pseudonymous",
            "full_name": "personal",  # encrypted, like every personal field below
            "line1": "personal",
            "line2": "personal",
            "city": "personal",
            "postcode": "personal",
            "country": "not_personal",  # needed for VAT; a country alone names nobody
            "phone": "personal",
            "created_at": "not_personal",
        },
        "purpose": "Deliver orders",
        "legal_basis": "contract",
        "retention": "With the order it delivers (10 years, tax law), then anonymised",
        "subject": "user",
        "referenced_by": ["orders.Order.shipping_address", "checkout.Checkout.shipping_address"],
        "export": True,
        "erasure": "anonymise",
        "anonymise_fields": {"user": None, "full_name": "", "line1": "", "line2": "", "city": "",
                             "postcode": "", "phone": ""},
        "recipients": ["Carrier"],
        "data_subjects": "Customers",
    },
    "checkout.ShippingMethod": {
        "fields": {"id": "not_personal", "code": "not_personal", "name": "not_personal",
                   "description": "not_personal", "price": "not_personal", "countries": "not_personal",
                   "is_active": "not_personal", "position": "not_personal"},
        "purpose": "Offer ways to ship",
        "legal_basis": "legitimate_interest",
        "retention": "While offered",
        "subject": None,
        "export": False,
        "erasure": "keep",
    },
    "checkout.Checkout": {
        "fields": {
            "id": "not_personal",
            "token": "not_personal",
            "cart": "pseudonymous",
            "user": "pseudonymous",
            "email": "personal",  # a guest's e-mail, encrypted
            "email_index": "pseudonymous",
            "shipping_address": "personal",
            "shipping_method": "not_personal",
            "status": "not_personal",
            "reserved_until": "not_personal",
            "created_at": "not_personal",
            "updated_at": "not_personal",
        },
        "purpose": "Take an order from cart to payment",
        "legal_basis": "contract",
        "retention": "Deleted 30 days after its last change (a placed order keeps what it needs)",
        "retention_days": 30,
        "retention_basis": "the checkout's last change",
        "retention_purge": "shop.checkout.personal_data_rules.checkouts_purge",
        "subject": "user",
        "guest": "email_index",
        "visitor_keys": "cart__visitor_key",  # the browser whose cart was checked out
        "export": True,
        "erasure": "delete",
        "data_subjects": "Customers",
    },
}
