"""Readable product titles and categories from the data set's upper-case descriptions."""

import re

# Words that stay upper case in a title: units, acronyms, sizes.
_KEEP_UPPER = {"LED", "UK", "USA", "USB", "DIY", "XL", "XXL", "S", "M", "L", "TV", "CD", "DVD"}
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}

_TOKEN = re.compile(r"\S+")


def _title_word(word: str, *, first: bool) -> str:
    bare = word.strip(".,'\"()")
    if not bare:
        return word
    if any(ch.isdigit() for ch in bare) or bare in _KEEP_UPPER:
        # "S/3", "3D", "12" and acronyms read better as written.
        return word.upper()
    lower = word.lower()
    if not first and lower in _SMALL_WORDS:
        return lower
    # Capitalise each part of a hyphenated or slashed word: "T-LIGHT" -> "T-Light".
    return re.sub(r"(?<!')[a-z]+", lambda m: m.group(0).capitalize(), lower)


# Artefacts of the data set's typing: a leading "*" on some descriptions, a comma without
# the space after it ("PEN,COAL"), and a possessive or plural "'S" after a number ("50'S").
_LEADING_MARKS = re.compile(r"^[\s*]+")
_COMMA_WITHOUT_SPACE = re.compile(r",(?=[^\s\d])")
_UPPER_APOSTROPHE_S = re.compile(r"(?<=\w)'S\b")


def readable_title(description: str) -> str:
    """Turn 'WHITE HANGING HEART T-LIGHT HOLDER' into 'White Hanging Heart T-Light Holder'."""
    text = _COMMA_WITHOUT_SPACE.sub(", ", _LEADING_MARKS.sub("", description))
    words = _TOKEN.findall(" ".join(text.split()))
    title = " ".join(_title_word(word, first=index == 0) for index, word in enumerate(words))
    return _UPPER_APOSTROPHE_S.sub("'s", title)


# Ordered: the first rule whose keyword occurs in the description wins, so the
# seasonal and specific rules come before the broad ones.
CATEGORY_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Home Decor", ("HOT WATER BOTTLE", "HAND WARMER", "HOTTIE", "COAT HANGER", "DOORSTOP")),
    ("Lighting", ("LANTERN", "LIGHT", "LIGHTS", "LAMP", "NIGHTLIGHT", "CHANDELIER", "CANDLE", "T-LIGHT",
                  "TEALIGHT", "CANDLEHOLDER")),
    ("Christmas", ("CHRISTMAS", "XMAS", "ADVENT", "SANTA", "REINDEER", "SNOWFLAKE", "BAUBLE")),
    ("Party & Celebrations", ("PARTY", "BIRTHDAY", "BUNTING", "BALLOON", "NAPKIN", "EASTER", "WEDDING",
                              "CONFETTI", "CAKE CASES", "PAPER CUP", "PAPER PLATE")),
    ("Kitchen & Dining", ("MUG", "CUP", "PLATE", "BOWL", "TEAPOT", "TEA", "COFFEE", "JUG", "GLASS", "BAKING",
                          "CAKE", "LUNCH BOX", "LUNCHBOX", "RECIPE", "KITCHEN", "APRON", "TEA TOWEL", "SPOON",
                          "CUTLERY", "JAM", "BOTTLE", "EGG", "TRAY", "COASTER", "CHOPSTICK", "STRAW")),
    ("Bags & Storage", ("BAG", "BASKET", "STORAGE", "BOX", "TIN", "HOLDER", "CASE", "JAR", "DRAWER", "TRUNK",
                        "CRATE", "CHEST", "POUCH")),
    ("Stationery & Gift Wrap", ("CARD", "PAPER", "NOTEBOOK", "PEN", "PENCIL", "WRAP", "STICKER", "ENVELOPE",
                                "NOTE", "JOURNAL", "ERASER", "RIBBON", "TAPE", "STAMP", "TAG", "CALENDAR",
                                "DIARY", "BOOK")),
    ("Toys & Games", ("TOY", "GAME", "DOLL", "PUZZLE", "SPACEBOY", "DOMINO", "JIGSAW", "SKIPPING", "PLAYHOUSE",
                      "TEDDY", "KIT", "CRAYON", "COLOURING", "SOLDIER", "SPINNING TOP", "BUBBLES")),
    ("Jewellery & Accessories", ("NECKLACE", "BRACELET", "EARRING", "RING", "HAIR", "PURSE", "UMBRELLA",
                                 "BROOCH", "CHARM", "BEAD", "DIAMANTE", "WALLET", "SCARF", "GLOVES",
                                 "HANDBAG", "KEYRING", "MIRROR COMPACT")),
    ("Garden & Outdoors", ("GARDEN", "PLANT", "WATERING", "BIRD", "FLOWER POT", "POT", "PICNIC", "DOORMAT",
                           "PARASOL", "SEED", "HERB", "WIND")),
    ("Home Decor", ("HEART", "SIGN", "FRAME", "CLOCK", "MIRROR", "CUSHION", "HOOK", "DECORATION", "ORNAMENT",
                    "VASE", "WREATH", "GARLAND", "HANGING", "PLAQUE", "DOOR", "THROW", "QUILT", "WALL",
                    "SHELF", "CABINET", "COAT HANGER", "BLANKET")),
)
FALLBACK_CATEGORY = "Gifts & Curiosities"

CATEGORY_DESCRIPTIONS: dict[str, str] = {
    "Christmas": "Decorations, cards and gifts for the festive season.",
    "Party & Celebrations": "Candles, bunting and tableware for birthdays, weddings and every party.",
    "Lighting": "Lanterns, lamps and lights for a warm glow.",
    "Kitchen & Dining": "Mugs, plates, baking things and lunch boxes.",
    "Bags & Storage": "Bags, baskets, boxes and tins to keep things tidy.",
    "Stationery & Gift Wrap": "Cards, notebooks, wrapping paper and stickers.",
    "Toys & Games": "Toys, games and craft kits for children of all ages.",
    "Jewellery & Accessories": "Necklaces, hair things, purses and umbrellas.",
    "Garden & Outdoors": "Pots, planters, picnic things and gifts for the garden.",
    "Home Decor": "Signs, frames, clocks, cushions and hanging hearts.",
    FALLBACK_CATEGORY: "Everything else worth giving.",
}


_WORD = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")


def category_for(description: str) -> str:
    """The category a product belongs to, from whole words (or their plurals) in its description."""
    text = " " + " ".join(_WORD.findall(description.upper())) + " "
    for category, keywords in CATEGORY_RULES:
        if any(f" {keyword} " in text or f" {keyword}S " in text for keyword in keywords):
            return category
    return FALLBACK_CATEGORY
