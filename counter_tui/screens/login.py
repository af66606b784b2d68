"""Sign in: username, then password, in one field that keeps up with fast typing.

Keys typed ahead ("clerk<Enter>secret<Enter>" arriving in one read over ssh) are queued
to whichever widget had focus when they arrived; with two fields, some would land in
the wrong one. One field that switches from username to password inside its own key
handler sees every key in order. The password is checked off the event loop (scrypt is
slow on purpose).

On a demo library (and only there) the screen lists the demo's accounts, one per post,
with their passwords, so a newcomer can sign in (or switch with Ctrl+O) as each post.
"""
from __future__ import annotations

import asyncio

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static

from counter_tui.demo import staff_accounts
from counter_tui.services.admin import staff
from counter_tui.services.errors import Refusal
from counter_tui.widgets.scan_input import EDITING, TERMINATORS


class CredentialsInput(Input):
    class Entered(Message):
        def __init__(self, username: str, password: str) -> None:
            super().__init__()
            self.username = username
            self.password = password

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder="Username", **kwargs)
        self.username: str | None = None

    async def _on_key(self, event: events.Key) -> None:
        if event.key in EDITING:  # in its turn, not after the keys typed behind it
            event.stop()
            event.prevent_default()
            await self.run_action(EDITING[event.key])
            return
        if event.key in TERMINATORS or (event.key == "escape" and self.username is not None):
            event.stop()
            event.prevent_default()
            if event.key == "escape" or self.username is None:
                # switch stage here, before the next key is handled
                self.username = None if event.key == "escape" else self.value.strip()
                self.value = ""
                self.password = self.username is not None
                self.placeholder = "Password" if self.password else "Username"
                self.post_message(self.Entered(self.username or "", ""))
            else:
                self.post_message(self.Entered(self.username, self.value))
                self.value = ""


class LoginScreen(Screen[None]):
    DEFAULT_CSS = """
    LoginScreen { align: center middle; }
    LoginScreen > Vertical { width: 50; height: auto; border: thick $primary; padding: 1 2; }
    LoginScreen #who { height: 1; }
    LoginScreen #login-status { height: 2; color: $error; }
    LoginScreen #demo-accounts { display: none; color: $text-muted; }
    """
    TITLE = "Sign in"
    BINDINGS = [Binding("escape", "cancel", "Back to the desk", id="login.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"[b]{self.app.settings.library_name}[/]: sign in")
            yield Static("Username, then Enter; password, then Enter.", id="who")
            yield CredentialsInput(id="credentials")
            yield Static("", id="login-status")
            yield Static("", id="demo-accounts")

    def on_mount(self) -> None:
        self.demo_accounts: list[staff_accounts.DemoAccount] | None = None  # None until looked up
        self.list_demo_accounts()

    @work(group="demo-accounts", exit_on_error=False)
    async def list_demo_accounts(self) -> None:
        """On a demo library, who can sign in with which password (40 columns: fits the box at 80x24)."""
        accounts = await self.app.run_db(staff_accounts.accounts_to_list)
        if accounts:
            lines = ["Demo accounts: username, password, post"]
            lines += [f"{a.username:<11}{a.password:<17}{a.post}" for a in accounts]
            panel = self.query_one("#demo-accounts", Static)
            panel.update("\n".join(lines))
            panel.display = True
        self.demo_accounts = accounts

    @on(CredentialsInput.Entered)
    def entered(self, message: CredentialsInput.Entered) -> None:
        who = self.query_one("#who", Static)
        if not message.password:
            who.update(f"Password for [b]{message.username}[/] (Esc: other user)" if message.username
                       else "Username, then Enter; password, then Enter.")
            return
        self.sign_in(message.username, message.password)

    def action_cancel(self) -> None:
        # only when someone is signed in already (switching user); the first sign-in has no way round
        if self.app.actor is not None:
            self.app.pop_screen()

    @work(exclusive=True, group="login")
    async def sign_in(self, username: str, password: str) -> None:
        loop = asyncio.get_running_loop()
        try:
            member = await loop.run_in_executor(self.app.db_executor, staff.sign_in, username, password)
        except Refusal as refusal:
            self.query_one("#login-status", Static).update(refusal.sentence)
            self.app.bell()
            return
        self.app.signed_in(member)
