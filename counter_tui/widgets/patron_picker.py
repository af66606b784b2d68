"""Pick one reader from a name search.

A scanner may keep typing while the list is open. Its characters are kept here and its
Enter hands the scan back to the desk's queue, to be answered once a reader is chosen:
only an Enter with nothing typed before it chooses, so a scan never picks a reader.
"""
from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from counter_tui.services.readers.patrons import PatronMatch

SCAN_ENDS = ("enter", "ctrl+j", "ctrl+m", "tab")


class PatronPicker(ModalScreen[int | None]):
    DEFAULT_CSS = """
    PatronPicker { align: center middle; }
    PatronPicker > Vertical { width: 76; max-width: 100%; height: 80%; border: thick $accent;
                              background: $surface; }
    PatronPicker OptionList { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="picker.cancel")]

    def __init__(self, text: str, matches: list[PatronMatch],
                 forward_scan: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.text = text
        self.matches = matches
        self.forward_scan = forward_scan
        self._buffer = ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.from_markup(" Readers matching [b]$text[/]: arrows to move, Enter to choose, "
                                             "Esc none", text=self.text))
            yield OptionList(*[Option(f"{m.name:<18} {m.card}  {m.category:<10} {m.department}", id=str(m.id))
                               for m in self.matches])

    def on_mount(self) -> None:
        self.app.bell()  # the clerk looks up: the desk waits for a choice

    def on_key(self, event: events.Key) -> None:
        # Runs before the list sees the key: typed characters are a scan in progress.
        if event.key in SCAN_ENDS and self._buffer:
            event.stop()
            event.prevent_default()
            if self.forward_scan is not None and self._buffer.strip():
                self.forward_scan(self._buffer)
            self._buffer = ""
        elif event.is_printable and event.character and event.key not in ("up", "down"):
            event.stop()
            event.prevent_default()
            self._buffer += event.character

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)
