"""Product titles from the data set's descriptions: readable, without typing artefacts."""

import pytest

from shop.demo_import.naming import readable_title


@pytest.mark.parametrize(("description", "title"), [
    ("WHITE HANGING HEART T-LIGHT HOLDER", "White Hanging Heart T-Light Holder"),
    ("50'S CHRISTMAS GIFT BAG LARGE", "50's Christmas Gift Bag Large"),
    ("PEN,COAL", "Pen, Coal"),
    ("SET 3 RETROSPOT TEA,COFFEE,SUGAR", "Set 3 Retrospot Tea, Coffee, Sugar"),
    ("*BOOM BOX SPEAKER BOYS", "Boom Box Speaker Boys"),
    (" * USB LIGHT", "USB Light"),
    ("DOLLY GIRL'S LUNCH BOX", "Dolly Girl's Lunch Box"),
    ("1,000 PIECE JIGSAW", "1,000 Piece Jigsaw"),  # a thousands separator keeps its comma
])
def test_titles_lose_the_data_sets_typing_artefacts(description, title):
    assert readable_title(description) == title
