"""A string that names another app's model, permission or module is an import that import-linter
cannot see: it may point down the layers, never up. Privacy does not name the apps above it (they
declare what privacy needs in their personal_data.py), and the shop and the primitives name neither
privacy nor anything above it (registrations in the upper apps' ready() fill the shop's seams)."""

import ast
import re
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]


def _labels_of(*packages: str) -> set[str]:
    return {config.label for config in apps.get_app_configs() if config.name.split(".")[0] in packages}


def _above(package: str) -> set[str]:
    """Package names and app labels a module of `package` must not name in a string."""
    layers = {"primitives": ["shop", "privacy", "personalization", "merchant", "config"],
              "shop": ["privacy", "personalization", "merchant", "config"],
              "privacy": ["personalization", "merchant", "config"]}[package]
    return set(layers) | _labels_of(*layers)


def upward_string_references(root: Path = ROOT, packages=("primitives", "shop", "privacy")) -> list[str]:
    found = []
    for package in packages:
        pattern = re.compile(r"(?<![\w.])(" + "|".join(sorted(map(re.escape, _above(package)))) + r")\.[A-Za-z_]")
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                          if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                          and node.body and isinstance(node.body[0], ast.Expr)
                          and isinstance(node.body[0].value, ast.Constant)}
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                    match = pattern.search(node.value)
                    if match:
                        found.append(f"{path.relative_to(root).as_posix()}:{node.lineno} {match.group(0)!r}")
    return found


def test_no_string_names_a_model_permission_or_module_of_a_layer_above():
    assert upward_string_references() == []


def test_a_string_naming_an_app_above_is_found(tmp_path):
    (tmp_path / "privacy").mkdir()
    (tmp_path / "privacy" / "export.py").write_text(
        '"""Mentions marketing.Subscriber in prose."""\n'
        'KINDS = {"marketing.Subscriber": 1, "orders.Order": 2}\n'
        'TEXT = "while you allowed personalised recommendations."\n')

    assert upward_string_references(tmp_path, ("privacy",)) == ["privacy/export.py:2 'marketing.S'"]
