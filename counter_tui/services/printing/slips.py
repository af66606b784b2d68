"""Slips for an 80 mm receipt printer: the layout, and where a finished slip goes.

Each duty composes its own slip (check-out receipt, hold slip, fee receipt) from the
layout helpers here and hands the lines to `deliver`. A slip is plain text, WIDTH
characters wide (Font A on 80 mm paper prints 48; 42 leaves room for printers that
print narrower), written to a file in the slips folder and, when the settings name
a print command, piped to it. The last slip of each desk is kept so it can be reprinted.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from counter_tui.domain.slip_privacy import masked_card, shortened_name
from counter_tui.domain.text import clean
from counter_tui.services import files
from counter_tui.services.library_settings import settings

WIDTH = 42
ENV_SLIPS = "COUNTER_TUI_SLIPS"  # the folder slips are written to
ENV_PRINT = "COUNTER_TUI_PRINT_COMMAND"  # e.g. "lp -d receipt"; the slip arrives on its standard input


def slips_dir() -> Path:
    from counter_tui.services.files import files_root
    return Path(os.environ.get(ENV_SLIPS) or files_root() / "slips")


def print_command() -> str:
    return os.environ.get(ENV_PRINT) or settings().print_command


def cells(text: str) -> int:
    """Columns the text takes on a receipt printer: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip(text: str, width: int = WIDTH) -> str:
    out, used = [], 0
    for ch in text:
        w = cells(ch)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out)


def wrap(text: str, width: int = WIDTH) -> list[str]:
    """Break text into lines of at most `width` columns, at spaces where it can."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in re.split(r"(\s+)", paragraph):
            if cells(line + word) <= width:
                line += word
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = word.lstrip()
            while cells(line) > width:  # a word longer than the line (CJK titles have no spaces)
                head = clip(line, width)
                lines.append(head)
                line = line[len(head):]
        lines.append(line.rstrip())
    return lines


def center(text: str, width: int = WIDTH) -> str:
    text = clip(text, width)
    return " " * ((width - cells(text)) // 2) + text


def pair(left: str, right: str, width: int = WIDTH) -> str:
    """`left ....... right` on one line; the left side is cut short if both do not fit."""
    left = clip(left, max(0, width - cells(right) - 1))
    return left + " " * (width - cells(left) - cells(right)) + right


def reader(name: str, card: str) -> tuple[str, str]:
    """A reader as a slip others may see names them: the name as the library's slip_name setting
    says, and only the card's last four digits (domain/slip_privacy)."""
    return shortened_name(name, settings().slip_name), masked_card(card)


def rule(char: str = "-", width: int = WIDTH) -> str:
    return char * width


def header(title: str, at: datetime) -> list[str]:
    """The library's name, what the slip is, and the local time it was printed (`at` naive is UTC)."""
    local = (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(settings().timezone)
    return [center(settings().library_name), center(title), center(local.strftime("%Y-%m-%d %H:%M")), rule()]


@dataclass(frozen=True)
class Delivered:
    path: Path
    printed: bool  # handed to the print command
    problem: str = ""  # why the print command failed, in one sentence; the file is still there


def _desk_file(desk: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", desk) or "desk"


def deliver(kind: str, lines: list[str], *, at: datetime, desk: str | None = None) -> Delivered:
    """Write the slip to a file, send it to the print command if there is one, and keep it as the last slip."""
    desk = desk or settings().desk
    text = _as_printed("\n".join(lines))
    folder = files.make_folder(slips_dir())  # slips name readers: folder and files are private
    stamp, name = at.strftime("%Y%m%d-%H%M%S"), f"{_desk_file(desk)}-{kind.replace(' ', '-')}"
    path, n = folder / f"{stamp}-{name}.txt", 1
    while path.exists():  # two slips in one second (the clock is kept to the second)
        n += 1
        path = folder / f"{stamp}-{n}-{name}.txt"
    files.write_text(path, text)
    files.write_text(folder / f"last-{_desk_file(desk)}.txt", text, force=True)  # the desk's own, replaced each time
    printed, problem = _send(text)
    return Delivered(path, printed, problem)


def _as_printed(text: str) -> str:
    """The slip as it is saved and printed: no escape codes or control characters, whatever its
    lines carry (a title or name stored before text was cleaned where it enters, or by hand,
    reaches a slip from the database), and fed past the cutter."""
    return clean(text, lines=True).rstrip("\n") + "\n\n\n"


def _send(text: str) -> tuple[bool, str]:
    command = print_command()
    if not command:
        return False, ""
    try:
        subprocess.run(shlex.split(command), input=text.encode("utf-8"), check=True, timeout=20,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except (OSError, subprocess.SubprocessError) as err:
        return False, f"The print command `{command}` failed ({type(err).__name__}); the slip is saved as a file."
    return True, ""


def last_slip(desk: str | None = None) -> str | None:
    path = slips_dir() / f"last-{_desk_file(desk or settings().desk)}.txt"
    return path.read_text(encoding="utf-8") if path.exists() else None


def reprint(desk: str | None = None) -> Delivered | None:
    """Send this desk's last slip again; None when the desk has printed nothing yet."""
    text = last_slip(desk)
    if text is None:
        return None
    path = slips_dir() / f"last-{_desk_file(desk or settings().desk)}.txt"
    printed, problem = _send(_as_printed(text))  # a slip saved before escape codes were taken out
    return Delivered(path, printed, problem)
