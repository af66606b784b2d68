"""The App: one mode per desk, the global keys, the database thread."""
from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from textual import events
from textual.app import App
from textual.binding import Binding

from counter_tui.config import Settings
from counter_tui.services import access
from counter_tui.screens.login import LoginScreen


# Each desk's module is imported when the desk is first opened, not at start-up.
def _checkout():
    from counter_tui.screens.circulation.checkout import CheckoutScreen
    return CheckoutScreen()


def _checkin():
    from counter_tui.screens.circulation.checkin import CheckinScreen
    return CheckinScreen()


def _renew():
    from counter_tui.screens.circulation.renew import RenewScreen
    return RenewScreen()


def _account():
    from counter_tui.screens.readers.readers_desk import ReadersScreen
    return ReadersScreen()


def _catalogue():
    from counter_tui.screens.catalogue.catalogue_desk import CatalogueScreen
    return CatalogueScreen()


def _holds():
    from counter_tui.screens.circulation.holds import HoldsScreen
    return HoldsScreen()


class CounterApp(App):
    TITLE = "counter_tui"
    MODES = {"checkout": _checkout, "checkin": _checkin, "renew": _renew, "account": _account,
             "catalogue": _catalogue, "holds": _holds}
    BINDINGS = [
        Binding("f2", "desk('checkout')", "Check out", id="desk.checkout"),
        Binding("f3", "desk('checkin')", "Check in", id="desk.checkin"),
        Binding("f4", "desk('renew')", "Renew", id="desk.renew"),
        Binding("f5", "account", "Readers", id="desk.account"),
        Binding("f6", "desk('catalogue')", "Catalogue", id="desk.catalogue"),
        Binding("f7", "holds", "Holds", id="desk.holds"),
        Binding("f9", "back_office", "Back office", id="app.back_office"),
        Binding("f12", "reprint", "Reprint slip", id="app.reprint", show=False),
        Binding("f1", "help", "Help", id="app.help"),
        Binding("ctrl+o", "switch_user", "Switch user", id="app.switch_user", show=False),
        Binding("ctrl+l", "lock", "Lock the desk", id="app.lock", show=False),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", show=False),
    ]

    def __init__(self, settings: Settings, actor=None) -> None:
        super().__init__()
        self.settings = settings
        self.actor = actor
        # One database thread: the desk's writes happen in the order they were scanned,
        # and the event loop never waits on the database.
        self.db_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db")
        self.last_input = time.monotonic()

    async def run_db(self, fn, *args, **kwargs):
        """Run a service on the desk's one database thread and wait for its answer."""
        return await asyncio.get_running_loop().run_in_executor(self.db_executor, partial(fn, *args, **kwargs))

    def on_mount(self) -> None:
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        if self.actor is None:
            self.push_screen(LoginScreen())
        else:
            self.switch_mode(self.first_desk())
        if self.settings.idle_lock_minutes > 0:
            self.set_interval(min(15.0, self.settings.idle_lock_minutes * 30), self._lock_when_idle)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)):
            self.last_input = time.monotonic()
        await super().on_event(event)

    def _lock_when_idle(self) -> None:
        idle = time.monotonic() - self.last_input
        if self.actor is not None and idle >= self.settings.idle_lock_minutes * 60:
            self.action_lock()

    def action_lock(self) -> None:
        from counter_tui.screens.lock import LockScreen
        if self.actor is not None and not isinstance(self.screen, (LockScreen, LoginScreen)):
            self.push_screen(LockScreen())

    def action_switch_user(self) -> None:
        """Someone else takes the desk; what is on the screens stays."""
        if not isinstance(self.screen, LoginScreen):
            self.push_screen(LoginScreen())

    def first_desk(self) -> str:
        if access.may(self.actor, access.CIRCULATION):
            return "checkout"
        return "account" if access.may(self.actor, *self.DESK_ROLES["account"]) else "catalogue"

    def signed_in(self, member) -> None:
        first_time = self.actor is None
        self.actor = member
        self.pop_screen()
        if first_time or not access.may(member, *self.DESK_ROLES.get(self.current_mode, ())):
            self.switch_mode(self.first_desk())
        self.notify(f"Signed in: {member.full_name}.")
        self.refresh_bindings()

    # which roles each desk needs; a desk another role may not use is hidden from its keys
    DESK_ROLES = {
        "checkout": (access.CIRCULATION,), "checkin": (access.CIRCULATION,), "renew": (access.CIRCULATION,),
        "account": (access.CIRCULATION, access.OFFICE, access.CURATOR),
        "holds": (access.CIRCULATION,),
        "catalogue": access.ROLES,  # anyone signed in may search the catalogue
    }

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Nothing but signing in (and quitting) before someone has signed in.
        if self.actor is None:
            return action == "quit"
        if action == "desk":
            return access.may(self.actor, *self.DESK_ROLES[parameters[0]])
        if action == "account":
            return access.may(self.actor, *self.DESK_ROLES["account"])
        if action == "holds":
            return access.may(self.actor, *self.DESK_ROLES["holds"])
        return True

    def action_back_office(self) -> None:
        from counter_tui.screens.back_office import BackOffice
        if not isinstance(self.screen, BackOffice):
            self.push_screen(BackOffice())

    async def action_desk(self, mode: str) -> None:
        if self.current_mode == mode and mode == "checkout":
            self.screen.action_next_reader()  # F2 on the checkout desk: next reader
            return
        await self.switch_mode(mode)

    async def action_account(self) -> None:
        """Readers (F5); from the checkout desk it opens the current reader's account."""
        patron = getattr(self.screen, "patron", None)
        await self.switch_mode("account")
        if patron is not None:
            await self.screen.show_patron(patron.id)

    async def action_holds(self) -> None:
        """Holds (F7); from a desk showing a reader (`patron`) or a title (`biblio_id`), opens holds for them."""
        from counter_tui.screens.circulation.holds import Command, HoldsScreen
        under = self.screen
        patron = None if isinstance(under, HoldsScreen) else getattr(under, "patron", None)
        title_id = None if isinstance(under, HoldsScreen) else getattr(under, "biblio_id", None)
        await self.switch_mode("holds")
        if patron is not None:
            self.screen.queue.put_nowait(Command("reader", patron.id))
        elif title_id is not None:  # a title from the catalogue: the next card scanned is asked about it
            self.screen.queue.put_nowait(Command("next_reader"))
        if title_id is not None:
            self.screen.queue.put_nowait(Command("title", title_id))

    def action_reprint(self) -> None:
        """Send this desk's last slip (receipt, hold slip, fee receipt) to the printer again."""
        from counter_tui.services.printing import slips
        done = slips.reprint(self.settings.desk)
        if done is None:
            self.notify("This desk has printed no slip yet.", severity="warning")
        elif done.problem:
            self.notify(done.problem, severity="error")
        else:
            where = "sent to the printer" if done.printed else f"in {done.path}"
            self.notify(f"Last slip reprinted ({where}).")

    def action_help(self) -> None:
        from counter_tui.screens.help import HelpScreen
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def on_unmount(self) -> None:
        self.db_executor.shutdown(wait=True)  # let a write in flight finish
