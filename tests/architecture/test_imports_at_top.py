"""Imports sit at the top of a module. An import inside a function is allowed only where Django or
Celery need it, never to dodge a cycle (a cycle hidden in a function is still a cycle):

- in an app's `apps.py`: registrations in `ready()` run once the app registry is loaded;
- a module queuing its own package's task (`from .tasks import ...`): tasks call the services
  that queue them, one package, one direction per call;
- scientific libraries that only training and segmentation use (scikit-learn, SciPy,
  threadpoolctl), so web processes do not load them;
- the bootstrap modules that run before Django is set up or while apps load (Celery's app,
  gunicorn's hooks, the health check's broker probe, the admin site).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUR_PACKAGES = ("shop", "privacy", "personalization", "merchant", "primitives", "config")
BOOTSTRAP_MODULES = {"config/celery.py", "config/gunicorn.py", "config/health.py", "config/admin.py"}
TRAINING_LIBRARIES = ("sklearn", "scipy", "threadpoolctl")


def _allowed(path: str, statement: ast.Import | ast.ImportFrom) -> bool:
    if path.endswith("/apps.py") or path in BOOTSTRAP_MODULES:
        return True
    if isinstance(statement, ast.ImportFrom):
        if statement.level == 1 and statement.module == "tasks":
            return True
        names = [statement.module or ""]
    else:
        names = [alias.name for alias in statement.names]
    return all(name.split(".")[0] in TRAINING_LIBRARIES for name in names)


def imports_inside_functions(root: Path = ROOT, packages=OUR_PACKAGES) -> list[str]:
    found = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            relative = path.relative_to(root).as_posix()
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for statement in ast.walk(node):
                    if isinstance(statement, ast.Import | ast.ImportFrom) and not _allowed(relative, statement):
                        found.append(f"{relative}:{statement.lineno} in {node.name}()")
    return sorted(set(found))


def test_no_import_inside_a_function_except_where_django_or_celery_need_it():
    assert imports_inside_functions() == []


def test_an_import_dodging_a_cycle_inside_a_function_is_found(tmp_path):
    (tmp_path / "dodger").mkdir()
    (tmp_path / "dodger" / "services.py").write_text(
        "def run():\n    from .tasks import queue\n    from shop.orders.models import Order\n    import sklearn\n")
    (tmp_path / "dodger" / "apps.py").write_text("def ready():\n    from . import receivers\n")

    assert imports_inside_functions(tmp_path, ("dodger",)) == ["dodger/services.py:3 in run()"]
