"""One error log for the library: what went wrong that no one expected, at a desk or in a command.

The clerk reads one sentence; the traceback goes here, so a library can report the bug. The log
is `errors.log` in the library's data folder (services/files.library_folder("logs")), rotating
(logging.handlers.RotatingFileHandler: a megabyte, then the five before it as errors.log.1 ...),
private like every file with personal data. Each entry names when, where (the desk's screen or
the command), the desk and the staff member (username), and the traceback; nothing more of the
reader than the audit trail holds (no scanned text, no screen contents, no local variables), and
no escape codes.
"""
from __future__ import annotations

import logging
import os
import threading
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_NAME = "errors.log"
MAX_BYTES = 1_000_000
KEPT = 5

_lock = threading.Lock()
_logger = logging.getLogger("counter_tui.errors")
_logger.propagate = False  # not to the terminal under the desk, nor to Textual's devtools only
_logger.setLevel(logging.ERROR)


class _PrivateRotatingFileHandler(RotatingFileHandler):
    """Every file of the log, the new one after a rotation too, is made private before it is written."""

    def _open(self):
        from counter_tui.services.files import create_private_file
        create_private_file(Path(self.baseFilename))
        return super()._open()


def log_path() -> Path:
    from counter_tui.services.files import library_folder
    return library_folder("logs") / LOG_NAME


def _handler(path: Path) -> logging.Handler:
    for handler in _logger.handlers:
        if getattr(handler, "baseFilename", None) == str(path):
            return handler
    for handler in list(_logger.handlers):  # the library's folder moved (another settings file, a test)
        _logger.removeHandler(handler)
        handler.close()
    handler = _PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=KEPT, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    _logger.addHandler(handler)
    return handler


def record(error: BaseException, where: str, *, actor=None, desk: str | None = None) -> Path | None:
    """Write `error` with its traceback to the log; the log's path, or None when it cannot be written
    (a full disk must not turn one error into two: the caller still says its sentence)."""
    from counter_tui.domain.text import clean
    from counter_tui.services.library_settings import settings
    try:
        with _lock:
            path = log_path()
            _handler(path)
            who = getattr(actor, "username", None) or "no one signed in"
            trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
            _logger.error(clean(f"{where}; desk {desk or settings().desk}; staff {who}; process {os.getpid()}",
                                lines=False) + "\n" + clean(trace, lines=True).rstrip("\n"))
            return path
    except Exception:  # noqa: BLE001 - the log is a help, never a second failure
        return None


def where_said(path: Path | None) -> str:
    """The end of the clerk's sentence: where the details are."""
    return f"The details are in {path}." if path else "The error log could not be written."
