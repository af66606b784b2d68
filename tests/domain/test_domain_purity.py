"""The domain layer is plain Python: no Textual, no Peewee, no database, no network."""

import ast
import subprocess
import sys
from pathlib import Path

import counter_tui.domain

# every module of the domain, found on disk: a new one is checked without editing this list
MODULES = sorted(p.stem for p in Path(counter_tui.domain.__file__).parent.glob("*.py") if p.stem != "__init__")
# stdnum.util itself imports ssl/socket for its optional online checks, so the
# network rule is checked on our own import lines rather than in sys.modules.
FORBIDDEN = ["textual", "peewee", "playhouse", "sqlite3", "psycopg2", "psycopg"]
ALLOWED_IMPORTS = {
    "__future__", "collections", "csv", "dataclasses", "datetime", "enum", "functools", "io", "re", "stdnum",
    "typing", "unicodedata", "zoneinfo", "pypinyin", "opencc",  # pinyin and simplified characters
}


def test_domain_loads_no_ui_or_database_code():
    imports = "; ".join(f"import counter_tui.domain.{name}" for name in MODULES)
    check = f"{imports}; import sys; print(sorted(m for m in {FORBIDDEN!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_domain_modules_import_only_plain_libraries():
    folder = Path(counter_tui.domain.__file__).parent
    for name in MODULES:
        tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                roots = {(node.module or "").split(".")[0]}
            else:
                continue
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("counter_tui.domain"):
                continue  # another domain module: plain Python too, checked here in its turn
            assert roots <= ALLOWED_IMPORTS, f"{name}.py imports {roots - ALLOWED_IMPORTS}"
