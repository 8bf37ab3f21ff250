"""Which status changes an order may make. Every change goes through `orders.services`.

    from \\ to   paid  shipped  delivered  cancelled  refunded
    pending      yes     -         -          yes        -
    paid          -     yes        -          yes*       yes*
    shipped       -      -        yes          -         yes*
    delivered     -      -         -           -         yes*
    cancelled     -      -         -           -          -
    refunded      -      -         -           -          -

    * the payment is refunded through the provider and the units go back into stock, once.

Imported orders (delivered or cancelled) follow the same table.
"""

from .models import OrderStatus

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED, OrderStatus.REFUNDED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED, OrderStatus.REFUNDED}),
    OrderStatus.DELIVERED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.REFUNDED: frozenset(),
}
# Leaving these statuses returns the money (and the units) to the customer.
MONEY_BACK = frozenset({OrderStatus.CANCELLED, OrderStatus.REFUNDED})


class OrderTransitionError(Exception):
    def __init__(self, message: str, *, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


def transition_check(current: str, target: str) -> None:
    if target not in ALLOWED_TRANSITIONS.get(current, frozenset()):
        raise OrderTransitionError(
            f"An order that is {OrderStatus(current).label.lower()} cannot become "
            f"{OrderStatus(target).label.lower()}."
        )
