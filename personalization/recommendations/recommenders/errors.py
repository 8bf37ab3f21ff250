"""The one exception the library raises for unusable input."""


class RecommenderDataError(ValueError):
    """Input data cannot be used. The message is written for a person, not a log parser."""
