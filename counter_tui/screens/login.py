"""Sign in: username and password, checked off the event loop (scrypt is slow on purpose)."""
from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

from counter_tui.services import staff
from counter_tui.services.errors import Refusal


class LoginScreen(Screen[None]):
    DEFAULT_CSS = """
    LoginScreen { align: center middle; }
    LoginScreen > Vertical { width: 50; height: auto; border: thick $primary; padding: 1 2; }
    LoginScreen #login-status { height: 2; color: $error; }
    """
    TITLE = "Sign in"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"[b]{self.app.settings.library_name}[/]: sign in")
            yield Input(placeholder="Username", id="username")
            yield Input(placeholder="Password", password=True, id="password")
            yield Static("", id="login-status")

    @on(Input.Submitted, "#username")
    def next_field(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    def submit(self) -> None:
        self.sign_in(self.query_one("#username", Input).value, self.query_one("#password", Input).value)

    @work(exclusive=True, group="login")
    async def sign_in(self, username: str, password: str) -> None:
        loop = asyncio.get_running_loop()
        try:
            member = await loop.run_in_executor(self.app.db_executor, staff.sign_in, username, password)
        except Refusal as refusal:
            self.query_one("#login-status", Static).update(refusal.sentence)
            self.query_one("#password", Input).value = ""
            self.app.bell()
            return
        self.app.signed_in(member)
