"""Help (F1 or ?): every key of the screen underneath and the global keys."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from counter_tui.i18n import label, translators

_, n_ = translators(__name__)


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
        table.add_columns(_("Key"), _("What it does"), _("Where"))
        seen = set()
        for key, active in self.under.active_bindings.items():
            binding = active.binding
            # the desk's and the app's keys; not the scan line's own editing keys
            if active.node not in (self.under, self.app) or (key, binding.description) in seen:
                continue
            seen.add((key, binding.description))
            where = _("everywhere") if active.node is self.app else label(self.under.TITLE) or _("this screen")
            table.add_row(self.app.get_key_display(binding), label(binding.description), where)
        with Vertical():
            prompt = getattr(self.under, "PROMPT", "")  # what a scan does here, as the scan line says
            screen = label(getattr(self.under, "TITLE", "")) or _("this screen")
            said = (_("Keys on {screen}. Scan line: {prompt}. Esc closes.", screen=screen, prompt=label(prompt))
                    if prompt else _("Keys on {screen}. Esc closes.", screen=screen))
            yield Static(Content(" " + said))
            yield table

    def action_close(self) -> None:
        self.dismiss(None)
