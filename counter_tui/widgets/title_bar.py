"""A screen's title line: what the screen is, the library, and who is signed in.

It redraws itself whenever someone else signs in (Ctrl+O), on every open screen, so a
screen never names the person who left the desk.
"""
from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from counter_tui.i18n import label


class TitleBar(Static):
    DEFAULT_CSS = "TitleBar { height: 1; background: $primary; color: $text; padding: 0 1; }"

    def __init__(self, title: str, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.title = title

    def on_mount(self) -> None:
        self.watch(self.app, "actor", self._redraw)  # called now, and after each sign-in

    def _redraw(self, actor=None) -> None:
        self.update(Content.from_markup("[b]$title[/]  $library  [dim]$who[/]", title=label(self.title),
                                        library=self.app.settings.library_name,
                                        who=actor.full_name if actor is not None else ""))
