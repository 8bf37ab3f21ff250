"""The segments' names, in the merchant's words (segmentation gives each cluster one of them)."""

LOYAL, NEW, LAPSING, BIG_BASKETS, OCCASIONAL = "loyal", "new", "lapsing", "big baskets", "occasional"
# In the order the admin offers them.
SEGMENT_NAMES = (LOYAL, NEW, BIG_BASKETS, OCCASIONAL, LAPSING)
