"""Files the library writes (sheets, documents, exports): whole or not at all.

A file is made under a scratch name beside its place and moved there in one step, so a
reader of the folder (a printer queue, a backup) never sees half a file, and a failure
leaves nothing behind.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from counter_tui.services.errors import Refusal

T = TypeVar("T")


def write_atomically(output: Path, render: Callable[[Path], T], *,
                     before_moving: Callable[[], None] | None = None,
                     unwritten: str = "nothing was printed") -> T:
    """Call render(scratch_path), then `before_moving()` (to record it), then move the file into place.

    An OSError while rendering becomes a refusal naming the file; `unwritten` ends that sentence.
    """
    scratch = output.with_name(f".{output.name}.{os.getpid()}.part")
    try:
        try:
            result = render(scratch)
        except OSError as exc:
            raise Refusal(f"{output} cannot be written ({exc.strerror}); {unwritten}.") from None
        if before_moving is not None:
            before_moving()
        os.replace(scratch, output)
        return result
    finally:
        if os.path.exists(scratch):
            os.remove(scratch)
