"""The cycle finder that `make check` runs finds a cycle between packages, and only between packages."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("package_cycles", ROOT / "scripts" / "package_cycles.py")
package_cycles_script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(package_cycles_script)


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _cycles(tmp_path, files, top_level):
    _tree(tmp_path, files)
    try:
        return package_cycles_script.package_cycles(top_level=top_level, root=tmp_path, cache=False)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [module for module in sys.modules if module.split(".")[0] in top_level]:
            del sys.modules[name]


def test_a_cycle_between_two_sibling_packages_is_found_with_its_imports(tmp_path):
    found = _cycles(tmp_path, {
        "cyclehouse/__init__.py": "",
        "cyclehouse/upstairs/__init__.py": "",
        "cyclehouse/upstairs/views.py": "from cyclehouse.downstairs import models\n",
        "cyclehouse/downstairs/__init__.py": "",
        "cyclehouse/downstairs/models.py": "",
        "cyclehouse/downstairs/services.py": "def go():\n    from cyclehouse.upstairs import views\n",
    }, ("cyclehouse",))

    assert found == [(["cyclehouse.downstairs", "cyclehouse.upstairs"], [
        "cyclehouse.downstairs.services -> cyclehouse.upstairs.views",
        "cyclehouse.upstairs.views -> cyclehouse.downstairs.models"])]


def test_modules_of_one_package_may_import_each_other_and_stairs_going_one_way_pass(tmp_path):
    found = _cycles(tmp_path, {
        "onewayhouse/__init__.py": "",
        "onewayhouse/upstairs/__init__.py": "",
        "onewayhouse/upstairs/services.py": "from onewayhouse.upstairs import tasks\nfrom onewayhouse.downstairs import models\n",
        "onewayhouse/upstairs/tasks.py": "from onewayhouse.upstairs import services\n",
        "onewayhouse/downstairs/__init__.py": "",
        "onewayhouse/downstairs/models.py": "",
    }, ("onewayhouse",))

    assert found == []
