"""Personal data held by the orders app, for the privacy registry (plain data, no imports).

Format: privacy/registry.py. Orders are kept for tax law; on erasure they lose every
link to the person (account, e-mail and its blind index, name, address, phone) and
keep what accounting needs: amounts, tax, VAT rate, lines with SKUs, dates, invoice
number and the shipping country (the VAT rate depends on it; a country alone names
nobody).
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
            "shipping_country": "not_personal",  # kept for VAT
            "placed_at": "not_personal",
            "email": "personal",  # a guest's address, encrypted
            "email_index": "pseudonymous",  # blind index of it, for lookups
            "shipping_address": "pseudonymous",  # the address row is anonymised in place
            "shipping_method": "not_personal",
            "subtotal": "not_personal",
            "shipping_total": "not_personal",
            "tax_total": "not_personal",
            "vat_rate": "not_personal",
            "invoice_number": "not_personal",
            "checkout_token": "not_personal",
        },
        "purpose": "Fulfil and account for orders",
        "legal_basis": "legal_obligation",
        "retention": "10 years after the order, then anonymised (tax law)",
        "retention_days": 3653,
        "retention_basis": "the order (then anonymised)",
        "retention_purge": "shop.orders.personal_data_rules.orders_anonymise_expired",
        "erasure_blocker": "shop.orders.personal_data_rules.open_orders_block_erasure",
        "subject": "user",
        "guest": "email_index",
        "export": True,
        "erasure": "anonymise",
        # The shipping address row is anonymised in place (checkout.Address), so the
        # order keeps pointing at its (now nameless) destination.
        "anonymise_fields": {"user": None, "email": None, "email_index": None},
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
            "unit_price": "not_personal",  # kept for tax law; names no one once the order is anonymised
            # Which rule produced the price; a personalized one names the person's segment
            # ("segment:<name>"), generalised to "personalized" on erasure.
            "price_rule": "personal",
            "price_personalized": "personal",
            "public_unit_price": "not_personal",  # what anyone else paid
            # Why a personal price applied ("Because you often buy lamps"): says something about the
            # person, generalised on erasure like the rule.
            "price_reason": "personal",
            "reduced_from": "not_personal",  # an announced reduction of the public price
        },
        "purpose": "Fulfil and account for orders",
        "legal_basis": "legal_obligation",
        "retention": "10 years after the order (tax law); lines name no one once the order is anonymised",
        "subject": "order__user",
        "parent": "order",
        "export": True,
        "erasure": "keep",
        # Kept for tax law; a personalized price's rule and reason lose the segment they name.
        "scrubber": "shop.pricing.personal_prices.order_lines_personal_prices_generalise",
        "data_subjects": "Customers",
    },
    "orders.OrderStatusChange": {
        "fields": {"id": "not_personal", "order": "pseudonymous", "from_status": "not_personal",
                   "to_status": "not_personal", "changed_by": "pseudonymous", "note": "personal",
                   "changed_at": "not_personal"},
        "purpose": "Keep an audit trail of what happened to each order",
        "legal_basis": "legal_obligation",
        "retention": "With its order",
        "subject": "order__user",
        "parent": "order",
        "finder": "shop.orders.personal_data_rules.status_changes_by",  # a staff member's changes and notes
        "export": True,
        # Kept with the order; an e-mail address quoted in a note is replaced.
        "erasure": "keep",
        "scrubber": "shop.orders.personal_data_rules.status_change_notes_scrub",
        "data_subjects": "Customers and staff",
    },
    "orders.OrderEmail": {
        "fields": {"id": "not_personal", "order": "pseudonymous", "kind": "not_personal",
                   "sent_at": "not_personal"},
        "purpose": "Send each order e-mail once",
        "legal_basis": "contract",
        "retention": "With its order",
        "subject": "order__user",
        "parent": "order",
        "export": True,
        "erasure": "keep",
        "data_subjects": "Customers",
    },
    "orders.InvoiceSequence": {
        "fields": {"id": "not_personal", "prefix": "not_personal", "last_number": "not_personal"},
        "purpose": "Number invoices without gaps",
        "legal_basis": "legal_obligation",
        "retention": "Indefinitely",
        "subject": None,
        "export": False,
        "erasure": "keep",
    },
}
