"""What the commands print reaches the terminal without escape codes or control characters.

`fines explain`, the import reports, the lists: they print titles, names and reasons from the
database and from files, which may carry escape codes (stored before text was cleaned where it
enters, or written some other way). cli.main runs every command inside `cleaned_output`, so
standard output and standard error, and the sentence a command ends with, pass through
domain/text.clean once, whatever printed them. A carriage return the command writes itself (a
progress line that rewrites itself) stays one.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from counter_tui.domain.text import clean


def _shown(text: str) -> str:
    return "\r".join(clean(part, lines=True) for part in text.split("\r")) if text else text


class _Cleaned:
    """A text stream writing what it is given without escape codes; everything else is the stream's."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(_shown(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


@contextmanager
def cleaned_output() -> Iterator[None]:
    """Standard output and error cleaned while the command runs; the words it exits with too."""
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Cleaned(stdout), _Cleaned(stderr)
    try:
        yield
    except SystemExit as exit:
        if isinstance(exit.code, str):
            raise SystemExit(_shown(exit.code)) from None
        raise
    finally:
        sys.stdout, sys.stderr = stdout, stderr
