"""Signals the orders app sends; the shop does not know who listens (privacy audits them).

customer_details_viewed(order_id: int, staff_user_id: int)
    A staff member was shown an order's decrypted customer details (e-mail, name,
    address, phone) in the admin. Sent as the page is rendered; ids only.
"""

from django.dispatch import Signal

customer_details_viewed = Signal()
