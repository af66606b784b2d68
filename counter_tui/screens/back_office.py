"""The back office (F9): every post's tools the signed-in person may use, grouped by post.

Each entry opens with its one letter (or the arrows and Enter); the posts declare their
entries themselves (screens/<post>/__init__.py, see screens/posts.py).
"""
from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from counter_tui.i18n import label, translators
from counter_tui.screens import posts

_, n_ = translators(__name__)


def _columns(menu: list[tuple[posts.Post, list[posts.Entry]]]) -> list[list[tuple[posts.Post, list[posts.Entry]]]]:
    """Posts in menu order over two columns of about equal height, so the menu fits 80x24."""
    total = sum(1 + len(entries) for _, entries in menu)
    left, height = [], 0
    for group in menu:
        if height and height + (1 + len(group[1])) / 2 > total / 2:
            break
        left.append(group)
        height += 1 + len(group[1])
    return [left, menu[len(left):]]


class BackOffice(ModalScreen[None]):
    DEFAULT_CSS = """
    BackOffice { align: center middle; }
    BackOffice > Vertical { width: 80; max-width: 100%; height: auto; max-height: 100%;
                            border: thick $accent; background: $surface; }
    BackOffice Horizontal { height: auto; }
    BackOffice OptionList, BackOffice OptionList:focus { width: 1fr; height: auto; border: none; padding: 0; }
    """
    BINDINGS = [
        Binding("escape,f9", "close", "Close", id="back_office.close"),
        Binding("left,right", "other_column", "Other column", show=False, id="back_office.other_column"),
    ]

    def compose(self) -> ComposeResult:
        menu = posts.entries_for(self.app.actor)
        self.by_key = {e.key: e for _, entries in menu for e in entries}
        with Vertical():
            yield Static(Content.from_markup(" [b]$title[/]   $how", title=_("Back office"),
                                             how=_("press a letter (or arrows and Enter); Esc closes")))
            if not menu:
                yield Static(" " + _("Nothing here for your role."))
                return
            with Horizontal():
                for column in _columns(menu):
                    if column:
                        yield OptionList(*self._options(column))

    @staticmethod
    def _options(column) -> list[Option]:
        options = []
        for post, entries in column:
            options.append(Option(Content.from_markup("[b]$name[/]", name=label(post.name)), disabled=True))
            options += [Option(Content.from_markup("  [b $accent]$key[/]  $label", key=e.key, label=label(e.label)),
                               id=e.id) for e in entries]
        return options

    def on_mount(self) -> None:
        for column in self.query(OptionList):
            column.highlighted = next((i for i, o in enumerate(column.options) if not o.disabled), None)

    def on_key(self, event: events.Key) -> None:
        entry = self.by_key.get(event.character or "")
        if entry is not None:
            event.stop()
            self._open(entry)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._open(next(e for e in self.by_key.values() if e.id == event.option.id))

    def _open(self, entry: posts.Entry) -> None:
        self.dismiss(None)
        self.app.push_screen(posts.load(entry.screen)())

    def action_other_column(self) -> None:
        columns = list(self.query(OptionList))
        if len(columns) == 2:
            (columns[1] if columns[0].has_focus else columns[0]).focus()

    def action_close(self) -> None:
        self.dismiss(None)
