"""Settings as production reads them, for tests that must not carry their own copy.

config/settings/production.py cannot be imported without real secrets; it starts from base.py
(`from .base import *`), so a setting it does not assign itself is base.py's value."""

import ast
from typing import Any

from django.conf import settings


def production_setting(name: str) -> Any:
    """The value of `name` in production: base.py's, after proving production.py leaves it alone."""
    from config.settings import base

    source = (settings.BASE_DIR / "config" / "settings" / "production.py").read_text()
    assigned = {target.id for node in ast.walk(ast.parse(source)) if isinstance(node, (ast.Assign, ast.AnnAssign))
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                if isinstance(target, ast.Name)}
    if name in assigned:
        raise AssertionError(f"production.py sets {name} itself: read it from there")
    return getattr(base, name)
