"""Every sentence a person reads, in English or Chinese (gettext catalogues).

Each post's wing has a catalogue of its own (a "domain": circulation, readers, catalogue,
...; "common" for the app, the widgets and what all posts share), so the people who work
on one post translate one file. A module takes its translators from its own name:

    from counter_tui.i18n import translators
    _, n_ = translators(__name__)

    _("Lent {title}: due {due}.", title=..., due=...)          # whole sentences, named places
    n_("{count} copy on the shelf", "{count} copies on the shelf", n, count=n)
    TITLE = N_("Check out")   # a label said later, where it is shown: label(TITLE)

Which language: the desk speaks the signed-in person's language (`use`); printed matter,
which readers receive, speaks the library's (`printing_in`, for the thread that composes
it); the command line follows the locale. Catalogues live in locale/<lang>/LC_MESSAGES/
<domain>.po, compiled to .mo beside them (scripts/translations does both).
"""
from __future__ import annotations

import contextvars
import gettext
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).with_name("locale")
ENGLISH, CHINESE = "en", "zh_CN"
LANGUAGES = {ENGLISH: "English", CHINESE: "中文"}
WINGS = ("circulation", "readers", "fees", "catalogue", "property", "admin", "printing")
COMMON = "common"

_desk_language = ENGLISH  # the signed-in person's: one person at a time per desk process
_printing = contextvars.ContextVar("printing_language", default=None)  # set while composing printed matter


def language_of(code: str | None) -> str:
    """A language code (zh, zh_CN, zh-CN.UTF-8, en_GB ...) as one of LANGUAGES."""
    code = (code or "").replace("-", "_").split(".")[0].lower()
    return CHINESE if code.startswith("zh") else ENGLISH


def locale_language() -> str:
    """The command line's language: the locale's (LC_ALL, LC_MESSAGES, LANG)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(name):
            return language_of(os.environ[name])
    return ENGLISH


def use(language: str) -> None:
    """The desk's language from now on (a sign-in, or the person switching)."""
    global _desk_language
    _desk_language = language if language in LANGUAGES else ENGLISH


def current() -> str:
    return _printing.get() or _desk_language


@contextmanager
def printing_in(language: str) -> Iterator[None]:
    """Compose printed matter in the library's language, whatever the desk speaks."""
    token = _printing.set(language if language in LANGUAGES else ENGLISH)
    try:
        yield
    finally:
        _printing.reset(token)


def domain_of(module: str) -> str:
    """counter_tui.services.circulation.lending -> circulation; anything shared -> common."""
    parts = module.split(".")
    return next((p for p in parts[2:3] if p in WINGS), COMMON) if len(parts) > 2 else COMMON


@cache
def _catalogue(domain: str, language: str) -> gettext.NullTranslations:
    if language == ENGLISH:
        return gettext.NullTranslations()
    return gettext.translation(domain, LOCALE_DIR, [language], fallback=True)


def translators(module: str) -> tuple[Callable[..., str], Callable[..., str]]:
    """`_` and `n_` for a module, bound to its wing's catalogue."""
    domain = domain_of(module)

    def _(message: str, **values) -> str:
        said = _catalogue(domain, current()).gettext(message)
        return said.format(**values) if values else said

    def n_(singular: str, plural: str, n: int, **values) -> str:
        said = _catalogue(domain, current()).ngettext(singular, plural, n)
        return said.format(**values) if values else said

    return _, n_


def N_(message: str) -> str:
    """Mark a label that is said later, not here (a key's description, a screen's title, a
    column heading, a post's name): it goes into the module's catalogue and stays English
    in the code; `label` says it in the current language where it is shown."""
    return message


@cache
def _labels(language: str) -> dict[str, str]:
    """Every catalogue's sentences of one language, for labels shown away from their module."""
    merged: dict[str, str] = {}
    if language == ENGLISH:
        return merged
    for domain in (COMMON, *WINGS):
        catalogue = _catalogue(domain, language)
        merged.update({k: v for k, v in getattr(catalogue, "_catalog", {}).items() if isinstance(k, str) and v})
    return merged


def label(text: str) -> str:
    """A label marked with N_, in the current language."""
    return _labels(current()).get(text, text)
