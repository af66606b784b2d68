"""Forms of the Readers screen: labelled one-line fields, Enter moves on, Ctrl+S saves, Esc cancels.

The form calls its `save` function itself (on the database thread), so a refusal is
shown under the fields and the form stays open with what the clerk typed; nothing is
saved until the service accepts it.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from counter_tui.services.errors import Refusal
from counter_tui.widgets.scan_input import EDITING, TERMINATORS


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    value: str = ""
    options: tuple[tuple[str, str], ...] = ()  # (label, value): a Select instead of typing
    placeholder: str = ""




class FormInput(Input):
    """A form's one-line field: Enter moves on at once, so keys typed ahead land in the right field."""

    async def _on_key(self, event: events.Key) -> None:
        form = self.screen
        target = form._widget(form.current)
        if event.key in TERMINATORS:
            form.advance()  # from the current field, even if this key was typed before the focus moved
        elif target is not self and event.is_printable and event.character:
            if isinstance(target, Input):  # typed ahead: it belongs to the field the clerk is in now
                target.insert_text_at_cursor(event.character)
        elif event.key in EDITING and isinstance(target, Input):
            await target.run_action(EDITING[event.key])
        else:
            return  # typing into this field, or Ctrl+S, Esc and the like in their turn
        event.stop()
        event.prevent_default()  # Input's own handler and bindings must not run as well


class FormScreen(ModalScreen[Any]):
    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > Vertical { width: 78; max-width: 100%; height: auto; max-height: 100%;
                            border: thick $accent; background: $surface; padding: 0 1; }
    FormScreen .row { height: 1; margin-bottom: 1; }
    FormScreen .row Label { width: 17; }
    FormScreen .row Input, FormScreen .row Select { width: 1fr; }
    FormScreen .row Input { background: $boost; }
    FormScreen .row Input:focus { background: $primary 30%; }
    FormScreen #form-title { text-style: bold; margin-bottom: 1; }
    FormScreen #form-status { height: auto; min-height: 1; }
    FormScreen #form-hint { color: $text-muted; }
    """
    BINDINGS = [
        # not a priority binding: it then waits behind keys typed just before it, in the field's queue
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    def __init__(self, title: str, fields: list[Field], save: Callable[[dict[str, str]], Any]) -> None:
        """`save(values)` runs on the database thread; it returns the result or raises a Refusal."""
        super().__init__()
        self.form_title = title
        self.fields = fields
        self.save_values = save
        self.current = 0  # the field the clerk is typing into, moved at once on Enter
        self._moving_to: int | None = None  # where Enter sent the focus, until it gets there

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.form_title, id="form-title")
            for field in self.fields:
                with Horizontal(classes="row"):
                    yield Label(field.label)
                    if field.options:
                        yield Select(field.options, value=field.value or Select.NULL, compact=True,
                                     prompt=field.placeholder or "choose", id=f"field-{field.key}")
                    else:
                        yield FormInput(field.value, placeholder=field.placeholder, compact=True,
                                        select_on_focus=False, id=f"field-{field.key}")
            yield Static("", id="form-status")
            yield Static("Enter: next field · Down: open a list · Ctrl+S: save · Esc: cancel",
                         id="form-hint")

    def on_mount(self) -> None:
        self._widget(0).focus()

    def _widget(self, index: int) -> Input | Select:
        return self.query_one(f"#field-{self.fields[index].key}")

    def _index_of(self, widget) -> int:
        return next(i for i, f in enumerate(self.fields) if widget.id == f"field-{f.key}")

    def values(self) -> dict[str, str]:
        found = {}
        for i, field in enumerate(self.fields):
            value = self._widget(i).value
            found[field.key] = "" if value is Select.NULL or value is None else str(value)
        return found

    def advance(self) -> None:
        """Enter: on to the next field, or save on the last one."""
        if self.current == len(self.fields) - 1:
            self.action_save()
            return
        self.current += 1
        self._moving_to = self.current
        self._widget(self.current).focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Tab (or a click) moved to another field. Focus news of the fields Enter passed
        through arrives late and in any order: only the field focused now counts."""
        if event.widget is not self.focused or not (event.widget.id or "").startswith("field-"):
            return
        index = self._index_of(event.widget)
        if self._moving_to is not None:
            if index == self._moving_to:
                self._moving_to = None  # Enter's move has landed
            return
        self.current = index

    def on_key(self, event: events.Key) -> None:
        """Enter on a closed list moves on too (Down or Space opens it)."""
        if event.key in TERMINATORS and isinstance(self.focused, Select) and not self.focused.expanded:
            event.stop()
            event.prevent_default()
            self.advance()

    @on(Select.Changed)
    def chosen(self, event: Select.Changed) -> None:
        index = self._index_of(event.select)
        if event.select.has_focus and index == self.current and index < len(self.fields) - 1:
            self.advance()

    def say(self, sentence: str, style: str = "bold red") -> None:
        self.query_one("#form-status", Static).update(Text(sentence, style=style))

    def action_save(self) -> None:
        self._save(self.values())

    @work(exclusive=True, group="form-save", exit_on_error=False)
    async def _save(self, values: dict[str, str]) -> None:
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(self.app.db_executor, self.save_values, values)
        except Refusal as refusal:
            self.say(refusal.sentence)
            self.app.bell()
            return
        except Exception as exc:  # a bug must not lose what the clerk typed
            self.app.log.error(f"form {self.form_title!r} failed: {exc!r}")
            self.say(f"Something went wrong; nothing was saved: {exc}")
            self.app.bell()
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)
