"""Personalization: three apps over the shop, recommendations, marketing (the newsletter) and segments.

Segments is the shared piece at the bottom; recommendations may use it; marketing may use both
(its digest reads the serving recommendation lists). See the import-linter contracts in pyproject.toml.
"""
