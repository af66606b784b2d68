"""A question the clerk answers with one key, while scans behind it wait in order.

A scanner keeps typing while the dialog is open. Characters go into a buffer here and
each Enter hands the buffered scan back to the desk's queue, so nothing is dropped and
a stray Enter never answers the question.
"""
from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class Decision(ModalScreen[str]):
    DEFAULT_CSS = """
    Decision { align: center middle; }
    Decision > Vertical { width: 70; max-width: 100%; height: auto; border: thick $warning;
                          background: $surface; padding: 1 2; }
    Decision .choices { margin-top: 1; color: $text-muted; }
    """

    def __init__(self, question: str, choices: dict[str, tuple[str, str]],
                 forward_scan: Callable[[str], None], cancel: str = "") -> None:
        """`choices`: key -> (answer, label). Escape answers `cancel`."""
        super().__init__()
        self.question = question
        self.choices = choices
        self.forward_scan = forward_scan
        self.cancel = cancel
        self._buffer = ""

    def compose(self) -> ComposeResult:
        labels = "   ".join(f"[b]{key.upper()}[/] {label}" for key, (_, label) in self.choices.items())
        with Vertical():
            yield Static(self.question)
            yield Static(labels + "   [b]Esc[/] cancel", classes="choices")

    def on_mount(self) -> None:
        self.app.bell()

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        if event.key in ("enter", "ctrl+j", "ctrl+m", "tab"):
            if self._buffer.strip():
                self.forward_scan(self._buffer)
            self._buffer = ""
        elif not self._buffer and event.key in self.choices:
            self.dismiss(self.choices[event.key][0])
        elif not self._buffer and event.key == "escape":
            self.dismiss(self.cancel)
        elif event.is_printable and event.character:
            self._buffer += event.character
