"""Help (F1 or ?): every key of the screen underneath and the global keys."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 72; max-width: 100%; height: 90%; border: thick $accent; background: $surface; }
    HelpScreen DataTable { height: 1fr; }
    """
    BINDINGS = [Binding("escape,f1,q", "close", "Close help", id="help.close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        table = DataTable(cursor_type="row")
        table.add_columns("Key", "What it does", "Where")
        seen = set()
        for key, active in self.under.active_bindings.items():
            binding = active.binding
            # the desk's and the app's keys; not the scan line's own editing keys
            if active.node not in (self.under, self.app) or (key, binding.description) in seen:
                continue
            seen.add((key, binding.description))
            where = "everywhere" if active.node is self.app else self.under.TITLE or "this screen"
            table.add_row(self.app.get_key_display(binding), binding.description, where)
        with Vertical():
            prompt = getattr(self.under, "PROMPT", "")  # what a scan does here, as the scan line says
            yield Static(f" [b]Keys[/] on {getattr(self.under, 'TITLE', '') or 'this screen'}. "
                         + (f"Scan line: {prompt}. " if prompt else "") + "Esc closes.")
            yield table

    def action_close(self) -> None:
        self.dismiss(None)
