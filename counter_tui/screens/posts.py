"""The posts behind the counter, as each declares itself to the app.

Each package under screens/ (circulation, readers, catalogue, ...) sets `POST = Post(...)` in
its `__init__.py`: its desks (a mode and an F-key), its back-office entries (F9), the keys
it adds to a title's record in the catalogue, and the desk its people start on. The app,
the F9 menu and the catalogue read them here, so adding a post edits no central list.

A post's `__init__.py` names screens as "module:Class" and imports none of them: a screen's
module loads when it is first opened, not at start-up.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from functools import cache

from counter_tui.services import access


@dataclass(frozen=True)
class Desk:
    """A desk with its own mode and F-key (F2 check out, F5 readers ...)."""
    mode: str
    key: str
    label: str
    roles: tuple[str, ...]  # who may open it; others get a sentence, not the desk
    screen: str  # "module:Class"


@dataclass(frozen=True)
class Entry:
    """A back-office tool (F9), opened over the desk with one key."""
    id: str
    key: str  # the one key in the F9 menu; unique across posts
    label: str
    roles: tuple[str, ...]
    screen: str  # "module:Class", called with no arguments


@dataclass(frozen=True)
class TitleTool:
    """A key on a title's record in the catalogue that opens a screen for that title."""
    key: str
    label: str
    id: str
    roles: tuple[str, ...]  # who sees the key; the service checks again
    screen: str  # "module:Class", called with the title's record number


@dataclass(frozen=True)
class Post:
    name: str  # the heading of its group in the F9 menu
    order: int  # where its group stands in the menu and which post's desk comes first
    desks: tuple[Desk, ...] = ()
    entries: tuple[Entry, ...] = ()
    title_tools: tuple[TitleTool, ...] = ()
    home: dict[str, str] = field(default_factory=dict)  # role -> the mode its people start on


@cache
def posts() -> tuple[Post, ...]:
    """Every post, from the `POST` of each package under screens/, in menu order."""
    from counter_tui import screens
    found = []
    for module in pkgutil.iter_modules(screens.__path__):
        if module.ispkg:
            post = getattr(importlib.import_module(f"{screens.__name__}.{module.name}"), "POST", None)
            if post is not None:
                found.append(post)
    found.sort(key=lambda p: (p.order, p.name))
    keys = [e.key for p in found for e in p.entries]
    clash = sorted({k for k in keys if keys.count(k) > 1})
    if clash:  # a developer's mistake, found at the first start
        raise RuntimeError(f"Two back-office entries share the key(s) {', '.join(clash)}")
    return tuple(found)


def desks() -> tuple[Desk, ...]:
    return tuple(d for p in posts() for d in p.desks)


def desk(mode: str) -> Desk:
    return next(d for d in desks() if d.mode == mode)


def title_tools() -> tuple[TitleTool, ...]:
    return tuple(t for p in posts() for t in p.title_tools)


def entries_for(actor) -> list[tuple[Post, list[Entry]]]:
    """The F9 menu of one person: each post's entries their roles allow, posts with none left out."""
    menu = [(p, [e for e in p.entries if access.may(actor, *e.roles)]) for p in posts()]
    return [(p, allowed) for p, allowed in menu if allowed]


def home_mode(actor) -> str:
    """The desk a person starts on: the first post (in order) that names a home for one of their roles."""
    held = access.roles_of(actor)
    for post in posts():
        for role, mode in post.home.items():
            if role in held:
                return mode
    return "catalogue"  # anyone signed in may search the catalogue


def load(path: str):
    """The class a "module:Class" path names, imported now."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)
