"""Personal data held by the orders app, for the privacy registry (plain data, no imports).

Format: privacy/registry.py. Orders are kept for tax law; on erasure they lose every
link to the person and keep amounts, dates and SKUs.
"""

MODELS = {
    "orders.Order": {
        "fields": {
            "id": "not_personal",
            "number": "not_personal",
            "user": "pseudonymous",
            "status": "not_personal",
            "source": "not_personal",
            "currency": "not_personal",
            "total": "not_personal",
            "shipping_country": "personal",
            "placed_at": "not_personal",
        },
        "purpose": "Fulfil and account for orders",
        "legal_basis": "legal_obligation",
        "retention": "10 years after the order, then anonymised (tax law)",
        "subject": "user",
        "export": True,
        "erasure": "anonymise",
        "anonymise_fields": {"user": None, "shipping_country": ""},
        "recipients": ["Payment provider", "Carrier"],
        "data_subjects": "Customers",
    },
    "orders.OrderLine": {
        "fields": {
            "id": "not_personal",
            "order": "pseudonymous",
            "line_number": "not_personal",
            "variant": "not_personal",
            "product_sku": "not_personal",
            "product_title": "not_personal",
            "quantity": "not_personal",
            "quantity_cancelled": "not_personal",
            "unit_price": "not_personal",
        },
        "purpose": "Fulfil and account for orders",
        "legal_basis": "legal_obligation",
        "retention": "10 years after the order (tax law); lines name no one once the order is anonymised",
        "subject": "order__user",
        "export": True,
        "erasure": "keep",
        "data_subjects": "Customers",
    },
}
