"""Pick one reader from a name search."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from counter_tui.services.readers.patrons import PatronMatch


class PatronPicker(ModalScreen[int | None]):
    DEFAULT_CSS = """
    PatronPicker { align: center middle; }
    PatronPicker > Vertical { width: 76; max-width: 100%; height: 80%; border: thick $accent;
                              background: $surface; }
    PatronPicker OptionList { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="picker.cancel")]

    def __init__(self, text: str, matches: list[PatronMatch]) -> None:
        super().__init__()
        self.text = text
        self.matches = matches

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f" Readers matching [b]{self.text}[/]: arrows to move, Enter to choose")
            yield OptionList(*[Option(f"{m.name:<18} {m.card}  {m.category:<10} {m.department}", id=str(m.id))
                               for m in self.matches])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)
