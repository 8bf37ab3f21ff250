"""The shop never imports personalization or privacy, except the leaf module primitives.encrypted_fields."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED: set[str] = set()


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module in {"privacy", "personalization"}:
                # `from privacy import consent` imports privacy.consent
                found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
            elif node.level == 0 and node.module:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in {
            "import_module", "__import__"
        } and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            found.append((node.lineno, node.args[0].value))
    return found


def forbidden(module: str) -> bool:
    top = module.split(".")[0]
    if top == "personalization":
        return True
    if top == "privacy":
        return module not in ALLOWED
    return False


def test_shop_imports_neither_personalization_nor_privacy_beyond_fields():
    offences = []
    for path in sorted((ROOT / "shop").rglob("*.py")):
        for line, module in imported_modules(path):
            if forbidden(module):
                offences.append(f"{path.relative_to(ROOT)}:{line} imports {module}")

    assert offences == []


def test_encrypted_fields_import_nothing_of_ours():
    path = ROOT / "primitives" / "encrypted_fields.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))

    relative = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level > 0]
    ours = {"primitives", "shop", "privacy", "personalization", "merchant", "config"}
    own = [module for _, module in imported_modules(path) if module.split(".")[0] in ours]

    assert relative == [] and own == []


def test_the_check_catches_a_forbidden_import(tmp_path):
    offender = tmp_path / "views.py"
    offender.write_text("from privacy.consent import has_consent\nimport personalization.recommenders\n"
                        "from privacy import consent, selectors\nfrom primitives.encrypted_fields import EncryptedCharField\n"
                        "import importlib\nimportlib.import_module('privacy.models')\n")

    flagged = [module for _, module in imported_modules(offender) if forbidden(module)]

    assert flagged == ["privacy.consent", "personalization.recommenders", "privacy.consent", "privacy.selectors",
                       "privacy.models"]
