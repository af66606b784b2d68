"""Command-line subcommands: one package per post, one module per area of its work.

cli.py finds them: every module in a post's package that has a `register(subparsers,
db_option, open_library)` adds its subcommands. A new post adds its package here and
edits no list.
"""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def post_modules() -> list[ModuleType]:
    """Every module of every post's package that registers subcommands, in a stable order."""
    found = []
    for post in sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg):
        package = importlib.import_module(f"{__name__}.{post}")
        for name in sorted(m.name for m in pkgutil.iter_modules(package.__path__)):
            module = importlib.import_module(f"{package.__name__}.{name}")
            if hasattr(module, "register"):
                found.append(module)
    return found
