"""The purposes a visitor can consent to, in the words the banner and settings show."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Purpose:
    key: str
    label: str
    description: str
    # Necessary processing needs no consent: it cannot be switched off, and no record is kept.
    required: bool = False


NECESSARY = "necessary"
PREFERENCES = "preferences"
ANALYTICS = "analytics"
PERSONALIZATION = "personalization"
MARKETING = "marketing"

PURPOSES: tuple[Purpose, ...] = (
    Purpose(
        NECESSARY, "Necessary",
        "Keeps the shop working: your cart, your login, protection against forged forms, and "
        "remembering the choices you make here. Always on.",
        required=True,
    ),
    Purpose(
        PREFERENCES, "Preferences",
        "Remembers settings you choose, such as how you like product lists sorted.",
    ),
    Purpose(
        ANALYTICS, "Analytics",
        "Counts visits and pages in aggregate so we can see what works and fix what does not. "
        "No advertising networks.",
    ),
    Purpose(
        PERSONALIZATION, "Personalised recommendations",
        "Keeps a record of the products you view and buy to suggest others you may like, and puts "
        "you in a customer group from your orders (how recently, how often, how much) that may "
        "get a lower price, never a higher one. Without it you still see best-sellers and the "
        "price everyone pays, and nothing about your browsing is stored.",
    ),
    Purpose(
        MARKETING, "Marketing",
        "Lets us send you offers by e-mail that match your interests. Never shared with advertisers.",
    ),
)

PURPOSES_BY_KEY: dict[str, Purpose] = {purpose.key: purpose for purpose in PURPOSES}
# The purposes a decision records: everything that needs consent.
CONSENT_PURPOSES: tuple[str, ...] = tuple(p.key for p in PURPOSES if not p.required)
# What a Global Privacy Control signal refuses.
GPC_REFUSED_PURPOSES: tuple[str, ...] = (MARKETING, PERSONALIZATION)


class UnknownPurpose(ValueError):
    """A purpose nobody declared: a programming error or a forged form, never silently ignored."""


def purpose_check(key: str) -> str:
    if key not in PURPOSES_BY_KEY:
        raise UnknownPurpose(f"Unknown consent purpose {key!r}.")
    return key
