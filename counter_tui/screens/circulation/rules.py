"""Circulation rules and the calendar (curator, from F9): add, change, remove, from the keyboard.

Two tabs, T switches: the rules (most specific match wins; the default row always stays)
and the closed days. N adds, E or Enter changes, D removes, X explains which rule a reader
and a copy would get. Every change goes through services/rules_admin.py, which refuses
anyone but the curator and audits what it does.
"""
from __future__ import annotations

from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static, TabbedContent, TabPane

from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.screens.explanation import ExplanationDialog, ScanPrompts
from counter_tui.services.circulation import explain, rules_admin
from counter_tui.services.errors import Refusal
from counter_tui.widgets.decision import Decision
from counter_tui.widgets.fields_dialog import Field, FieldsDialog
from counter_tui.widgets.key_bar import KeyBar
from counter_tui.domain.plurals import counted

RULE_FIELDS = [
    ("category", "Reader category (code, or any)"),
    ("item_type", "Item type (code, or any)"),
    ("location", "Location (or any)"),
    ("loan_days", "Loan period, days"),
    ("renewals", "Renewals allowed"),
    ("renew_overdue_days", "Renewable up to, days late"),
    ("fine_amount", "Fine per interval"),
    ("fine_interval_days", "Charge interval, days"),
    ("grace_days", "Grace, days"),
    ("fine_includes_grace", "Grace charged once past? yes/no"),
    ("fine_cap", "Fine cap (empty: none)"),
    ("fine_cap_at_price", "Cap at replacement price? yes/no"),
    ("fines_skip_closed", "Closed days not counted? yes/no"),
    ("holds_allowed", "Holds allowed? yes/no"),
    ("hold_pickup_days", "Days on the hold shelf"),
]
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class RuleForm(FieldsDialog):
    """The rule's fifteen fields, one line each, so the form fits 80x24."""
    DEFAULT_CSS = """
    RuleForm > VerticalScroll { width: 78; max-width: 100%; height: auto; max-height: 100%;
                                border: thick $accent; background: $surface; padding: 0 1; }
    RuleForm Horizontal { height: 1; }
    RuleForm Label { width: 34; }
    RuleForm Input { width: 1fr; }
    RuleForm #dialog-error { color: $error; height: auto; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll(can_focus=False):
            yield Static(f"[b]{self.title_text}[/]\nEnter or Down: next   Up: back   Ctrl+S: save   Esc: cancel")
            for field in self.fields:
                with Horizontal():
                    yield Label(field.label)
                    yield self.make_field(field, compact=True)
            yield Static("", id="dialog-error")


class RulesScreen(Screen):
    TITLE = "Circulation rules and calendar"
    BINDINGS = [
        Binding("n", "add", "New", id="rules.add"),
        Binding("e", "edit", "Edit", id="rules.edit"),
        Binding("d", "remove", "Remove", id="rules.remove"),
        Binding("x", "explain", "Explain", id="rules.explain"),
        Binding("t", "switch_tab", "Rules/Calendar", id="rules.switch_tab"),
        Binding("escape", "app.pop_screen", "Back", id="rules.back"),
    ]
    DEFAULT_CSS = """
    RulesScreen #title { height: 1; background: $primary; padding: 0 1; }
    RulesScreen #status { height: auto; max-height: 2; padding: 0 1; }
    RulesScreen TabbedContent { height: 1fr; }
    RulesScreen TabPane { padding: 0; }
    RulesScreen DataTable { height: 1fr; }
    RulesScreen #detail { height: 3; padding: 0 1; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.rule_lines: dict[int, explain.RuleLine] = {}

    def compose(self) -> ComposeResult:
        yield Static("[b]Circulation rules and calendar[/]  the most specific rule wins", id="title")
        yield Static("", id="status")
        with TabbedContent(initial="rules-tab"):
            with TabPane("Rules", id="rules-tab"):
                table = DataTable(id="rules", cursor_type="row", zebra_stripes=True)
                table.add_column("No.", width=4)
                table.add_column("Category", width=9)
                table.add_column("Item type", width=12)
                table.add_column("Location", width=9)
                table.add_column("Loan", width=4)
                table.add_column("Fine", width=28)
                yield table
                yield Static("", id="detail")
            with TabPane("Closed days", id="calendar-tab"):
                days = DataTable(id="closed", cursor_type="row", zebra_stripes=True)
                days.add_column("Date", width=10)
                days.add_column("Day", width=4)
                days.add_column("Reason", width=50)
                yield days
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#rules", DataTable).focus()
        self.reload()

    def say(self, sentence: str, error: bool = False) -> None:
        self.query_one("#status", Static).update(f"[red]{sentence}[/]" if error else sentence)
        if error:
            self.app.bell()

    @property
    def on_calendar(self) -> bool:
        return self.query_one(TabbedContent).active == "calendar-tab"

    # -- reading ---------------------------------------------------------------------------

    @work(exclusive=True, group="rules-read")
    async def reload(self, select_rule: int | None = None, select_day: date | None = None) -> None:
        lines = await self.app.run_db(explain.rule_lines)
        closed = await self.app.run_db(rules_admin.closed_days)
        self.rule_lines = {line.id: line for line in lines}
        table = self.query_one("#rules", DataTable)
        table.clear()
        for line in lines:
            table.add_row(str(line.id), line.category, line.item_type, line.location,
                          f"{line.rule.loan_days}d", explain.fine_brief(line.rule), key=str(line.id))
        if select_rule is not None and str(select_rule) in table.rows:
            table.move_cursor(row=table.get_row_index(str(select_rule)))
        self.show_detail()
        days = self.query_one("#closed", DataTable)
        days.clear()
        for line in closed:
            days.add_row(line.day.isoformat(), WEEKDAYS[line.day.weekday()], line.reason, key=line.day.isoformat())
        target = select_day or local_date(utc_now(), self.app.settings.timezone)
        upcoming = [i for i, line in enumerate(closed) if line.day >= target]
        if upcoming:
            days.move_cursor(row=upcoming[0])

    @on(DataTable.RowHighlighted, "#rules")
    def show_detail(self) -> None:
        line = self.selected_rule()
        detail = "" if line is None else (f"Rule {line.id}: {explain.scope(line)}"
                                         f"{' (the default)' if line.is_default else ''}. {line.terms}")
        self.query_one("#detail", Static).update(detail)

    def selected_rule(self) -> explain.RuleLine | None:
        table = self.query_one("#rules", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return self.rule_lines.get(int(key))

    def selected_day(self) -> date | None:
        table = self.query_one("#closed", DataTable)
        if table.row_count == 0:
            return None
        return date.fromisoformat(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)

    def action_switch_tab(self) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = "rules-tab" if self.on_calendar else "calendar-tab"
        self.query_one("#closed" if self.on_calendar else "#rules", DataTable).focus()

    @on(TabbedContent.TabActivated)
    def focus_table(self) -> None:
        self.query_one("#closed" if self.on_calendar else "#rules", DataTable).focus()

    @on(DataTable.RowSelected, "#rules")
    def enter_edits(self) -> None:
        self.action_edit()

    # -- writing ---------------------------------------------------------------------------

    async def _until_done(self, dialog: FieldsDialog) -> None:
        """The form runs the service itself: a refusal keeps it open, on the field that was wrong."""
        done = await self.app.push_screen_wait(dialog)
        self.say("Nothing was changed." if done is None else done)

    def action_add(self) -> None:
        if self.on_calendar:
            self.add_closed_days()
        else:
            self.edit_rule(None)

    def action_edit(self) -> None:
        if self.on_calendar:
            self.say("A closed day is removed (D) and added again (N) with its new reason.")
            return
        line = self.selected_rule()
        if line is not None:
            self.edit_rule(line.id)

    def action_remove(self) -> None:
        if self.on_calendar:
            self.remove_closed_day()
        else:
            self.remove_rule()

    @work(group="rules-write")
    async def edit_rule(self, rule_id: int | None) -> None:
        actor = self.app.actor
        if rule_id is None:
            start = rules_admin.form_values(rules_admin.RuleTerms())
            title = "New rule"
        else:
            start = await self.app.run_db(lambda: rules_admin.form_values(
                rules_admin.terms_of(self.rule_lines[rule_id].rule)))
            title = f"Rule {rule_id}"
        saved: list[int] = []

        def run(values: dict[str, str]) -> str:
            saved.append(rules_admin.save_rule(actor, rule_id, rules_admin.read_form(values)))
            return f"Rule {saved[-1]} {'added' if rule_id is None else 'changed'}."

        await self._until_done(RuleForm(title, [Field(name, label, start.get(name, "")) for name, label in RULE_FIELDS],
                                        save=run))
        if saved:
            self.reload(select_rule=saved[-1])

    @work(group="rules-write")
    async def remove_rule(self) -> None:
        line = self.selected_rule()
        if line is None:
            return
        answer = await self.app.push_screen_wait(Decision(
            f"Remove rule {line.id} ({explain.scope(line)})? Loans under it will follow the next "
            f"most specific rule.", {"y": ("yes", "Remove"), "n": ("no", "Keep")}, lambda _: None, "no"))
        if answer != "yes":
            self.say("Nothing was changed.")
            return
        try:
            await self.app.run_db(rules_admin.delete_rule, self.app.actor, line.id)
        except Refusal as refusal:
            self.say(refusal.sentence, error=True)
            return
        self.say(f"Rule {line.id} removed.")
        self.reload()

    @work(group="rules-write")
    async def add_closed_days(self) -> None:
        actor = self.app.actor
        fields = [Field("first", "First closed day (year-month-day)", placeholder="2026-10-01"),
                  Field("last", "Last closed day (empty: just the first)", placeholder="2026-10-07"),
                  Field("reason", "Why the library is closed", placeholder="National Day")]
        added: list[date] = []

        def run(values: dict[str, str]) -> str:
            first = rules_admin.read_day(values["first"], "first")
            last = rules_admin.read_day(values["last"], "last") if values["last"].strip() else first
            count = rules_admin.add_closed_days(actor, first, last, values["reason"])
            added.append(first)
            return f"{counted(count, 'closed day')} added from {first}."

        await self._until_done(FieldsDialog("Close the library", fields, save=run))
        if added:
            self.reload(select_day=added[-1])

    @work(group="rules-write")
    async def remove_closed_day(self) -> None:
        day = self.selected_day()
        if day is None:
            return
        try:
            await self.app.run_db(rules_admin.remove_closed_days, self.app.actor, day)
        except Refusal as refusal:
            self.say(refusal.sentence, error=True)
            return
        self.say(f"The library is open again on {day}.")
        self.reload(select_day=day)

    @work(group="rules-write")
    async def action_explain(self) -> None:
        actor = self.app.actor
        scans = await self.app.push_screen_wait(ScanPrompts(
            "Which rule applies?", ["The reader's card", "The copy's barcode"]))
        if scans is None:
            return
        card, item = scans
        self.app.push_screen(ExplanationDialog(
            "Which rule applies, and why", lambda: explain.explain_rule(actor, card, item).lines()))
