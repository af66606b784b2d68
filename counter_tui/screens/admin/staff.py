"""Staff accounts (curator): add, disable or enable, change roles, give a new password, unlock."""
from __future__ import annotations


from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from counter_tui.services.admin import staff
from counter_tui.services.access import ROLES
from counter_tui.services.errors import Refusal
from counter_tui.widgets.fields_dialog import Field, FieldsDialog
from counter_tui.widgets.key_bar import KeyBar
from counter_tui.widgets.title_bar import TitleBar


class StaffScreen(Screen):
    TITLE = "Staff accounts"
    BINDINGS = [
        Binding("n", "add", "New account", id="staff.add"),
        Binding("r", "roles", "Roles", id="staff.roles"),
        Binding("p", "password", "New password", id="staff.password"),
        Binding("d", "toggle", "Disable/enable", id="staff.toggle"),
        Binding("u", "unlock", "Unlock", id="staff.unlock"),
        Binding("escape", "app.pop_screen", "Back", id="staff.back"),
    ]
    DEFAULT_CSS = """
    StaffScreen #roles { height: auto; padding: 0 1; color: $text-muted; }
    StaffScreen #status { height: auto; max-height: 2; padding: 0 1; }
    StaffScreen DataTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield TitleBar(self.TITLE, id="title")
        yield Static(f"The roles: {', '.join(ROLES)}", id="roles")  # wraps: at 80 columns they take two lines
        yield Static("", id="status")
        table = DataTable(id="staff", cursor_type="row", zebra_stripes=True)
        table.add_columns("Username", "Name", "Roles", "State")
        yield table
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.reload()

    @work(exclusive=True, group="staff-read")
    async def reload(self) -> None:
        try:
            lines = await self.app.run_db(staff.list_staff, self.app.actor)
        except Refusal as refusal:
            self.say(refusal.sentence, error=True)
            return
        table = self.query_one(DataTable)
        table.clear()
        for line in lines:
            state = "active" if line.active else "disabled"
            if line.locked_until:
                state += ", locked"
            table.add_row(line.username, line.full_name, ",".join(line.roles), state, key=line.username)

    def say(self, sentence: str, error: bool = False) -> None:
        self.query_one("#status", Static).update(f"[red]{sentence}[/]" if error else sentence)
        if error:
            self.app.bell()

    def selected(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value

    async def _until_done(self, title: str, fields: list[Field], run) -> None:
        """The form runs the service itself: a refusal keeps it open with everything typed,
        the cursor on the field that was wrong."""
        done = await self.app.push_screen_wait(FieldsDialog(title, fields, save=run))
        if done is None:
            self.say("Nothing was changed.")
            return
        self.say(done)
        self.reload()

    @work(group="staff-write")
    async def action_add(self) -> None:
        def run(v):
            roles = [r.strip() for r in v["roles"].split(",") if r.strip()]
            member = staff.add_staff(self.app.actor, v["username"], v["full_name"], v["password"], roles)
            return f"Added {member.username}."
        await self._until_done("New staff account", [
            Field("username", "Username (one word)"), Field("full_name", "Full name"),
            Field("password", "Password (8 characters or more)", password=True),
            Field("roles", "Roles, separated by commas", placeholder="circulation,office")], run)

    @work(group="staff-write")
    async def action_roles(self) -> None:
        username = self.selected()
        if username is None:
            return
        current = str(self.query_one(DataTable).get_row(username)[2])

        def run(v):
            staff.set_roles(self.app.actor, username, [r.strip() for r in v["roles"].split(",") if r.strip()])
            return f"{username} now has the roles {v['roles']}."
        await self._until_done(f"Roles of {username}", [Field("roles", "Roles, separated by commas", current)], run)

    @work(group="staff-write")
    async def action_password(self) -> None:
        username = self.selected()
        if username is None:
            return

        def run(v):
            staff.set_password(self.app.actor, username, v["password"])
            return f"{username} has a new password (and is unlocked)."
        await self._until_done(f"New password for {username}", [Field("password", "Password", password=True)], run)

    @work(group="staff-write")
    async def action_toggle(self) -> None:
        username = self.selected()
        if username is None:
            return
        active = str(self.query_one(DataTable).get_row(username)[3]).startswith("active")
        try:
            await self.app.run_db(staff.set_active, self.app.actor, username, not active)
        except Refusal as refusal:
            self.say(refusal.sentence, error=True)
            return
        self.say(f"{username} is now {'disabled' if active else 'active'}.")
        self.reload()

    @work(group="staff-write")
    async def action_unlock(self) -> None:
        username = self.selected()
        if username is None:
            return
        await self.app.run_db(staff.unlock, self.app.actor, username)
        self.say(f"{username} is unlocked.")
        self.reload()
