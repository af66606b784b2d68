"""The layer rule: nothing below the screens imports Textual, and every post keeps to its wing."""
import pkgutil
import subprocess
import sys
from pathlib import Path

import counter_tui

PACKAGE = Path(counter_tui.__file__).parent
BELOW_SCREENS = ("services", "models", "domain", "commands", "demo")


def _modules(layer: str) -> list[str]:
    """Every module of a layer, found on disk: a new module is checked without editing this test."""
    path = PACKAGE / layer
    return [f"counter_tui.{layer}"] + [m.name for m in pkgutil.walk_packages([str(path)], f"counter_tui.{layer}.")]


def test_every_module_below_the_screens_imports_without_textual():
    modules = [m for layer in BELOW_SCREENS for m in _modules(layer)] + ["counter_tui.db", "counter_tui.cli"]
    assert "counter_tui.services.circulation.lending" in modules  # the walk really goes into the wings
    code = ("import importlib, sys\n"
            f"for name in {modules!r}: importlib.import_module(name)\n"
            "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_folder_holds_more_than_about_twenty_modules():
    crowded = {str(folder.relative_to(PACKAGE)): n for folder in [PACKAGE, *PACKAGE.rglob("*")]
               if folder.is_dir() and (n := len(list(folder.glob("*.py")))) > 21}
    assert crowded == {}
