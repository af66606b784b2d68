"""Keeping the catalogues: extract every sentence of a wing, bring its .po up to date, compile.

A developer's tool (scripts/translations runs it; the tests check with it that nothing is
missing, stale or untranslated). It needs Babel, which the test install brings; the app
itself reads only the compiled .mo files with the standard library's gettext.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

from counter_tui.i18n import CHINESE, COMMON, LOCALE_DIR, WINGS, domain_of

PACKAGE = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "n_": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"{(\w*)[^{}]*}")
DOMAINS = (COMMON, *WINGS)


def modules_of(domain: str) -> list[Path]:
    """The source files whose sentences belong to a domain's catalogue."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        if "demo" in relative.parts or "i18n" in relative.parts:
            continue  # the demo's data is data; the catalogues' own code says nothing to a clerk
        if domain_of(".".join(relative.parts)) == domain:
            found.append(path)
    return found


def extract(domain: str):
    """Every sentence of a domain, as a Babel catalogue (the template)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file
    template = Catalog(project="counter_tui", domain=domain)
    for path in modules_of(domain):
        for line, message, comments, context in extract_from_file("python", str(path), keywords=KEYWORDS,
                                                                   comment_tags=("Translators:",)):
            where = [(str(path.relative_to(PACKAGE.parent)), line)]
            template.add(message, locations=where, auto_comments=comments, context=context)
    return template


def po_path(domain: str, language: str = CHINESE) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


def read(domain: str, language: str = CHINESE):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po
    path = po_path(domain, language)
    if not path.exists():
        return Catalog(locale=language, domain=domain)
    with open(path, "rb") as fh:
        return read_po(fh, locale=language, domain=domain)


def update(domain: str, language: str = CHINESE) -> None:
    """Bring a .po up to date with the code (new sentences added empty, gone ones dropped) and compile it."""
    from babel.messages.pofile import write_po
    catalogue = read(domain, language)
    catalogue.update(extract(domain), no_fuzzy_matching=True)
    catalogue.obsolete.clear()
    path = po_path(domain, language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        write_po(fh, catalogue, width=100, include_previous=False)
    path.with_suffix(".mo").write_bytes(compiled(domain, language))


def compiled(domain: str, language: str = CHINESE) -> bytes:
    from babel.messages.mofile import write_mo
    out = io.BytesIO()
    write_mo(out, read(domain, language))
    return out.getvalue()


def problems(domain: str, language: str = CHINESE) -> list[str]:
    """What is wrong with a domain's catalogue: sentences missing or stale, untranslated,
    fuzzy, with their placeholders changed, or a .mo that is not the .po compiled."""
    said = []
    in_code = {m.id for m in extract(domain) if m.id}
    catalogue = read(domain, language)
    in_po = {m.id for m in catalogue if m.id}
    said += [f"{domain}: not in the catalogue: {_first(i)!r}" for i in sorted(in_code - in_po, key=str)]
    said += [f"{domain}: no longer in the code: {_first(i)!r}" for i in sorted(in_po - in_code, key=str)]
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            said.append(f"{domain}: not translated: {ids[0]!r}")
            continue
        wanted = {p for i in ids for p in PLACEHOLDER.findall(i)}
        for string in strings:
            if {p for p in PLACEHOLDER.findall(string)} != wanted:
                said.append(f"{domain}: the places {sorted(wanted)} changed in {string!r}")
    mo = po_path(domain, language).with_suffix(".mo")
    if in_code and (not mo.exists() or mo.read_bytes() != compiled(domain, language)):
        said.append(f"{domain}: {mo.name} is not the .po compiled (run scripts/translations)")
    return said


def _first(message_id) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id
