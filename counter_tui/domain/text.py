"""Text from outside, and text on its way out: no escape codes, no control characters.

A title in a MARC file, a cell of a roster, a name typed into a form may carry what a
terminal or a receipt printer acts on instead of showing: escape sequences (OSC 52 writes
the clipboard of the terminal that shows it, OSC 0 its window title, CSI 2J clears it),
NUL, backspace, DEL, C1 codes (U+0080 to U+009F: U+009B is a CSI of its own) and the
bidirectional controls that turn the text after them around (U+202E, U+2066 to U+2069).

`clean` is the rule for text coming in (the services use it where text enters, so it is
stored clean) and for text going out to a printer, a PDF or the command line (data stored
before the rule, or by a path that missed it, is still shown clean). `without_controls`
is the same rule a character at a time, for a terminal's cells: it takes out only
characters that take no room there, so the screen's layout is unchanged.
"""
from __future__ import annotations

import re

# Whole sequences a terminal or printer acts on, in their 7-bit (ESC ...) and 8-bit (C1) spellings:
# CSI (to its final byte), OSC (to BEL or ST), DCS, SOS, PM and APC (to ST), and the two-character
# escapes (ESC c resets a terminal, ESC ( B picks a character set).
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]")
# Characters no text keeps: the C0 controls but tab and line feed, DEL, the C1 controls, and the
# bidirectional embeddings, overrides and isolates (U+202A to U+202E, U+2066 to U+2069).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The same, tab and line feed too: what a terminal's cell may not hold.
_IN_A_CELL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str | None, *, lines: bool = False) -> str:
    """The text without escape sequences and control characters.

    One line (the default): whitespace runs, line breaks and tabs among them, become one
    space and the ends are trimmed. With `lines` (notes, a letter's paragraphs, a slip,
    a MARC subfield as read): line breaks (CR LF and CR become LF) and tabs stay, and
    nothing else about the spacing changes.
    """
    text = _SEQUENCE.sub("", text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return text if lines else " ".join(text.split())


def without_controls(text: str) -> str:
    """The text without a single control character (tab and line feed too), sequences left as
    text: for what a terminal shows in its cells, where every character taken out took no room."""
    return _IN_A_CELL.sub("", text) if _IN_A_CELL.search(text) else text

