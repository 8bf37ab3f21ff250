"""Spelling: the words of product titles, and the nearest of them to a word nobody sells.

The vocabulary (every word of a published product's title, with how many titles hold it) is
loaded in one query and kept under the catalog version like a fragment, so a misspelt search
costs a match against a few thousand words in memory, never a scan of the products. On SQLite
the corrected words are searched when the words typed find nothing; on both databases the
correction is offered as "Did you mean …?".
"""

from __future__ import annotations

import re
from collections import Counter

from rapidfuzz import fuzz, process

from .fragments import shared_read
from .models import Product

# A word shorter than this is left alone: "mg" is as near "mug" as it is "tag".
MIN_CORRECTABLE_LENGTH = 4
# rapidfuzz's normalised indel similarity (0–100) a title word needs to stand in for a typed one:
# "lanturn" to "lantern" is 85.7, to "lanterns" 80.0; "lamp" to "lantern" is 54.5.
MIN_SIMILARITY = 75.0
# Candidates compared per word before the most common title word among the closest is chosen.
CANDIDATES = 5

_WORD = re.compile(r"[^\W_]+")


def words_of(text: str) -> list[str]:
    """The lower-case words of `text` (letters and digits; punctuation splits words)."""
    return _WORD.findall(text.lower())


def title_vocabulary() -> dict[str, int]:
    """Every word of a published product's title with the number of titles holding it.

    One query, none while the catalog version's copy is kept.
    """
    return shared_read("title-vocabulary", (), _title_vocabulary_load)


def _title_vocabulary_load() -> dict[str, int]:

    counts: Counter[str] = Counter()
    for title in Product.objects.published().values_list("title", flat=True).iterator(chunk_size=2000):
        counts.update(set(words_of(title)))
    return dict(counts)


def closest_title_word(*, word: str, vocabulary: dict[str, int]) -> str | None:
    """The title word nearest to `word` (the most similar, then the most common), or None when
    `word` is a title word itself, too short to correct, or nothing is near enough."""
    word = word.lower()
    if word in vocabulary or len(word) < MIN_CORRECTABLE_LENGTH or not vocabulary:
        return None
    candidates = process.extract(word, vocabulary.keys(), scorer=fuzz.ratio, score_cutoff=MIN_SIMILARITY,
                                 limit=CANDIDATES)
    if not candidates:
        return None
    best, _score, _ = max(candidates, key=lambda found: (round(found[1], 6), vocabulary[found[0]], -len(found[0])))
    return best


def query_correction(*, query: str) -> str | None:
    """`query` with each misspelt word replaced by its closest title word; None when no word changes."""
    vocabulary = title_vocabulary()
    typed = words_of(query)
    corrected = [closest_title_word(word=word, vocabulary=vocabulary) or word for word in typed]
    return " ".join(corrected) if corrected != typed else None
