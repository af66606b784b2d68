"""What the file-import screens (MARC records, reader rosters) share: a summary line, a
progress bar that a thread worker feeds with messages, and keys that wait while it runs."""
from __future__ import annotations

from textual import on
from textual.message import Message
from textual.screen import Screen
from textual.widgets import ProgressBar, Static


class FileImportScreen(Screen):
    busy = False  # a worker is reading or writing: the keys that start one are dimmed

    class Progress(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done, self.total = done, total

    def say(self, sentence: str, style: str = "") -> None:
        summary = self.query_one("#summary", Static)
        summary.update(sentence)
        summary.styles.color = {"red": "red", "green": "green", "yellow": "yellow"}.get(style)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.refresh_bindings()

    @on(Progress)
    def show_progress(self, message: Progress) -> None:
        self.query_one(ProgressBar).update(total=max(message.total, 1), progress=message.done)

    def action_close(self) -> None:
        if not self.busy:
            self.app.pop_screen()
