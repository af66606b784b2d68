"""Forms in a dialog, and the one behaviour every form of the app shares.

- Enter or Down goes to the next field, Up to the one before; Enter on the last field (or
  Ctrl+S anywhere) saves; Esc cancels.
- A field that gets the cursor has its text selected: typing replaces what the form offered
  (the whole balance as the amount to pay), Right or End keep it for editing.
- Keys typed ahead of an Enter (a scanner, keys coalesced over ssh) land in the field the
  Enter moved to, in order.
- With a `save` function the form runs it on the database thread and closes with its result.
  A refusal is shown under the fields; the form stays open with everything typed (passwords
  too), and the cursor goes to the field the refusal names (`Refusal.field`), its text
  selected. A refusal about no field in particular leaves the cursor where it was.
- Without `save` the form returns the values; a caller that opens it again with a refusal
  passes `error` and `wrong` (the field to put the cursor in).

FieldsDialog (labels above the fields) and screens/readers/reader_form.py's FormScreen
(a label to the left of each field) are the two layouts of FieldForm.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static
from textual.widgets.input import Selection

from counter_tui.services.errors import Refusal
from counter_tui.widgets.scan_input import EDITING, TERMINATORS


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    value: str = ""
    password: bool = False
    placeholder: str = ""
    options: tuple[tuple[str, str], ...] = ()  # (label, value): a list to choose from instead of typing


def select_all(field: Input) -> None:
    field.selection = Selection(0, len(field.value))


class FormInput(Input):
    """A form's one-line field. Enter, Down and Up move at once, inside the field's own key
    handler, so the keys typed behind them go to the field the cursor moved to.

    Keys come to a field through its own queue: those typed right after an Enter were queued
    here before the focus moved, and are handed on to the field the form is in now."""

    def __init__(self, *args, **kwargs) -> None:
        # the form selects a field's text itself when it moves there: Textual's own selection
        # on focus comes later, after keys typed ahead may already be in the field
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)

    async def _on_key(self, event: events.Key) -> None:
        form = self.screen
        if not isinstance(form, FieldForm):
            return
        target = form.field_widget(form.current)
        if event.key in TERMINATORS:
            form.advance()  # from the current field, even if this key was typed before the focus moved
        elif event.key == "down":
            form.advance(save=False)
        elif event.key == "up":
            form.back()
        elif target is not self and event.is_printable and event.character:
            if isinstance(target, FormInput):  # typed ahead: it belongs to the field the clerk is in now
                target.type_in(event.character)
        elif event.key in EDITING and isinstance(target, Input):
            # Input's editing keys are bindings, which run only after the keys typed behind them
            await target.run_action(EDITING[event.key])
        else:
            return  # typing into this field, or Ctrl+S, Esc and the like in their turn
        event.stop()
        event.prevent_default()  # Input's own handler and bindings must not run as well

    def type_in(self, text: str) -> None:
        """Text typed into this field: it replaces the selected text, as a key press does."""
        if self.selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *self.selection)


class FieldForm(ModalScreen[Any]):
    """What every form does; a subclass lays the fields out (compose) and names STATUS_ID."""

    STATUS_ID = "dialog-error"
    BINDINGS = [
        # not priority bindings: they then wait behind keys typed just before them, in the field's queue
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    def __init__(self, title: str, fields: list[Field], error: str = "", *,
                 save: Callable[[dict[str, str]], Any] | None = None, wrong: str | None = None) -> None:
        """`save(values)` runs on the database thread and returns the form's result or raises a
        Refusal; without it the form returns the values. `error`: a refusal to show at once,
        with the cursor in the field named `wrong`."""
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.error = error
        self.save_values = save
        self.current = 0  # the field the clerk is typing into, moved at once on Enter
        self._moving_to: int | None = None  # where Enter sent the focus, until it gets there
        names = [f.name for f in fields]
        self._first = names.index(wrong) if wrong in names else 0

    # -- the fields --------------------------------------------------------------------------

    def make_field(self, field: Field, **kwargs) -> Input | Select:
        """The widget for one field: a list to choose from, or a line to type in."""
        if field.options:
            return Select(field.options, value=field.value or Select.NULL, compact=True,
                          prompt=field.placeholder or "choose", id=f"field-{field.name}")
        return FormInput(value=field.value, password=field.password, placeholder=field.placeholder,
                         id=f"field-{field.name}", **kwargs)

    def field_widget(self, index: int) -> Input | Select:
        return self.query_one(f"#field-{self.fields[index].name}")

    def _index_of(self, widget) -> int | None:
        return next((i for i, f in enumerate(self.fields) if widget.id == f"field-{f.name}"), None)

    def values(self) -> dict[str, str]:
        found = {}
        for i, field in enumerate(self.fields):
            value = self.field_widget(i).value
            found[field.name] = "" if value is Select.NULL or value is None else str(value)
        return found

    # -- moving between fields ---------------------------------------------------------------

    def on_mount(self) -> None:
        self.go_to(self._first)
        if self.error:
            self.say(self.error)
            self.app.bell()

    def go_to(self, index: int) -> None:
        """Put the cursor in a field, its text selected so that typing replaces it."""
        self.current = index
        self._moving_to = index
        widget = self.field_widget(index)
        if isinstance(widget, Input):
            select_all(widget)
        widget.focus()

    def advance(self, save: bool = True) -> None:
        """Enter (or Down, which never saves): on to the next field, or save on the last one."""
        if self.current < len(self.fields) - 1:
            self.go_to(self.current + 1)
        elif save:
            self.action_save()

    def back(self) -> None:
        """Up: the field before."""
        if self.current > 0:
            self.go_to(self.current - 1)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Tab (or a click) moved to another field. Focus news of the fields Enter passed
        through arrives late and in any order: only the field focused now counts."""
        index = self._index_of(event.widget)
        if event.widget is not self.focused or index is None:
            return
        if self._moving_to is not None:
            if index == self._moving_to:
                self._moving_to = None  # the form's own move has landed
            return
        self.current = index
        if isinstance(event.widget, Input):
            select_all(event.widget)

    def on_key(self, event: events.Key) -> None:
        """On a closed list, Enter moves on and Up goes back (Down or Space opens it)."""
        if not isinstance(self.focused, Select) or self.focused.expanded:
            return
        if event.key in TERMINATORS:
            self.advance()
        elif event.key == "up":
            self.back()
        else:
            return
        event.stop()
        event.prevent_default()

    @on(Select.Changed)
    def chosen(self, event: Select.Changed) -> None:
        index = self._index_of(event.select)
        if event.select.has_focus and index == self.current and index < len(self.fields) - 1:
            self.advance()

    # -- saving ------------------------------------------------------------------------------

    def say(self, sentence: str, style: str = "bold red") -> None:
        self.query_one(f"#{self.STATUS_ID}", Static).update(Text(sentence, style=style))

    def refused(self, refusal: Refusal) -> None:
        """The sentence under the fields, and the cursor in the field it is about."""
        self.error = refusal.sentence
        self.say(refusal.sentence)
        self.app.bell()
        names = [f.name for f in self.fields]
        if refusal.field in names:
            self.go_to(names.index(refusal.field))
        elif isinstance(self.field_widget(self.current), Input):
            select_all(self.field_widget(self.current))

    def action_save(self) -> None:
        if self.save_values is None:
            self.dismiss(self.values())
        else:
            self._save(self.values())

    @work(exclusive=True, group="form-save", exit_on_error=False)
    async def _save(self, values: dict[str, str]) -> None:
        try:
            result = await self.app.run_db(self.save_values, values)
        except Refusal as refusal:
            self.refused(refusal)
            return
        except Exception as exc:  # a bug must not lose what the clerk typed
            self.failed(exc)
            return
        self.dismiss(result)

    def failed(self, exc: Exception) -> None:
        """A bug while saving: said under the fields, which keep what was typed."""
        self.app.log.error(f"form {self.title_text!r} failed: {exc!r}")
        where = self.app.log_error(exc, f"saving the form {type(self).__name__}")
        self.say(f"Something went wrong; nothing was saved: {exc}. {where}")
        self.app.bell()

    def action_cancel(self) -> None:
        self.dismiss(None)


class FieldsDialog(FieldForm):
    """A form with each label above its field."""

    DEFAULT_CSS = """
    FieldsDialog { align: center middle; }
    FieldsDialog > Vertical { width: 64; max-width: 100%; height: auto; max-height: 100%;
                              border: thick $accent; background: $surface; padding: 0 1; }
    FieldsDialog Input { margin: 0; }
    FieldsDialog #dialog-error { color: $error; height: auto; }
    """
    HINT = "Enter or Down: next field, Up: back, Ctrl+S: save, Esc: cancel"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"[b]{self.title_text}[/]  ({self.HINT})")
            for field in self.fields:
                yield Label(field.label)
                yield self.make_field(field)
            yield Static("", id="dialog-error")
