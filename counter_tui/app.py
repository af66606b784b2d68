"""The App: one mode per desk, the global keys, the database thread."""
from __future__ import annotations

import asyncio
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import ModalScreen

from counter_tui import i18n
from counter_tui.i18n import N_
from counter_tui.config import Settings
from counter_tui.screens import posts
from counter_tui.screens.login import LoginScreen
from counter_tui.services import access
from counter_tui.widgets.terminal_text import FILTER as NO_CONTROL_CODES
from counter_tui.services.admin import staff
from counter_tui.domain.plurals import counted


_, n_ = i18n.translators(__name__)

def _opens(path: str):
    """A mode's screen factory: the desk's module is imported when it is first opened."""
    return lambda: posts.load(path)()


class CounterApp(App):
    TITLE = "counter_tui"
    # who is signed in; title bars and records watch it, so no open screen names the one who left
    actor = reactive(None, always_update=True, init=False)
    # every post's desks, as the posts declare them (screens/<post>/__init__.py)
    MODES = {d.mode: _opens(d.screen) for d in posts.desks()}
    BINDINGS = [
        *(Binding(d.key, f"desk('{d.mode}')", d.label, id=f"desk.{d.mode}")
          for d in sorted(posts.desks(), key=lambda d: int(d.key[1:]))),
        Binding("f9", "back_office", N_("Back office"), id="app.back_office"),
        Binding("f12", "reprint", N_("Reprint slip"), id="app.reprint", show=False),
        Binding("f1", "help", N_("Help"), id="app.help"),
        Binding("ctrl+o", "switch_user", N_("Switch user"), id="app.switch_user", show=False),
        Binding("ctrl+l", "lock", N_("Lock the desk"), id="app.lock", show=False),
        Binding("ctrl+q", "quit", N_("Quit"), id="app.quit", show=False),
    ]

    account_check_seconds = 5.0  # how soon a desk hears that its person was disabled elsewhere

    def __init__(self, settings: Settings, actor=None) -> None:
        super().__init__()
        self.settings = settings
        self.actor = actor
        # One database thread: the desk's writes happen in the order they were scanned,
        # and the event loop never waits on the database.
        self.db_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db")
        self.last_input = time.monotonic()
        self.scan_desks: weakref.WeakSet = weakref.WeakSet()  # every desk with a scan queue
        self.locked = False  # a lock screen stands over the desk
        self._quitting = False

    def log_error(self, error: BaseException, where: str) -> str:
        """An unexpected error (a bug, a failing disk): its traceback, this desk and the person signed in
        go to the library's error log; the answer is the sentence's end that says where."""
        from counter_tui.services.admin import error_log
        return error_log.where_said(error_log.record(error, where, actor=self.actor, desk=self.settings.desk))

    def _handle_exception(self, error: Exception) -> None:
        """An error nothing caught stops the desk (Textual's way): it goes to the error log first."""
        self._crash_said = self.log_error(error, "the desk, which stopped")
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """The terminal the desk leaves gets one sentence, not Textual's traceback, which prints the
        values of local variables (readers' names and cards among them); the traceback is in the log."""
        from rich.text import Text
        self.bell()
        self._exit_renderables.append(Text(f"The desk stopped on an unexpected error. "
                                           f"{getattr(self, '_crash_said', '')}".rstrip()))
        self._close_messages_no_wait()

    async def run_db(self, fn, *args, **kwargs):
        """Run a service on the desk's one database thread and wait for its answer."""
        return await asyncio.get_running_loop().run_in_executor(self.db_executor, partial(fn, *args, **kwargs))

    def on_mount(self) -> None:
        i18n.use(self.desk_language(self.actor))
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        if self.actor is None:
            self.push_screen(LoginScreen())
        else:
            self.switch_mode(self.first_desk())
        if self.settings.idle_lock_minutes > 0:
            self.set_interval(min(15.0, self.settings.idle_lock_minutes * 30), self._lock_when_idle)
        self.set_interval(self.account_check_seconds, self._check_account)
        self.set_interval(self.account_check_seconds, self._check_library_files)

    def on_key(self, event: events.Key) -> None:
        """A desk's key that did nothing because this person may not use the desk: say so."""
        if self.actor is None:
            return
        desk = next((d for d in posts.desks() if event.key in self._keys_of(f"desk.{d.mode}", d.key)), None)
        if desk is not None and not access.may(self.actor, *desk.roles):
            who = " or ".join(access.ROLE_NAMES[r] for r in desk.roles)
            self.notify(f"{desk.label} ({desk.key.upper()}) is for {who}; Ctrl+O lets one of them sign in.",
                        severity="warning")
            self.bell()

    def _keys_of(self, binding_id: str, default: str) -> set[str]:
        return {k.strip() for k in (self.settings.keymap or {}).get(binding_id, default).split(",")}

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)):
            self.last_input = time.monotonic()
        await super().on_event(event)

    def _lock_when_idle(self) -> None:
        idle = time.monotonic() - self.last_input
        if self.actor is not None and idle >= self.settings.idle_lock_minutes * 60:
            self.action_lock(idle=True)

    async def _check_account(self) -> None:
        """The person disabled at another desk loses this one at once: it locks and says why.
        Roles changed there show here too (the services already go by the database)."""
        actor = self.actor
        if actor is None:
            return
        try:
            now = await self.run_db(staff.account_now, actor.id)
        except RuntimeError:  # quitting: the database thread has stopped
            return
        if self.actor is not actor:  # someone else signed in meanwhile
            return
        if now is None or not now.active:
            from counter_tui.screens.lock import LockScreen
            if not isinstance(self.screen, (LockScreen, LoginScreen)):
                self.action_lock(why=f"because the account {actor.username} has been disabled")
                self.notify(f"The account {actor.username} has been disabled, so the desk is locked; "
                            "Esc lets someone else sign in.", severity="error", timeout=600)
                self.bell()
        elif now.roles != actor.roles:
            self.actor = now
            self.refresh_bindings()

    def _check_library_files(self) -> None:
        """The -wal file this desk opened, deleted or replaced by someone (services/admin/desks.py):
        said at once, loudly, and logged, so no more loans are acknowledged into a file no one will read."""
        from counter_tui.services.admin import desks
        lost = desks.wal_lost_here()
        if lost and not getattr(self, "_wal_lost_said", False):
            self._wal_lost_said = True
            self.log_error(RuntimeError(lost), "the library's files, watched by the desk")
            self.notify(lost, severity="error", timeout=3600)
            self.bell()

    def action_lock(self, idle: bool = False, why: str = "") -> None:
        from counter_tui.screens.lock import LockScreen
        if self.actor is not None and not isinstance(self.screen, (LockScreen, LoginScreen)):
            self.locked = True  # until a password: no desk key, palette or menu goes round the lock
            self.push_screen(LockScreen(idle=idle, why=why))  # its sentence says which: Ctrl+L, idle, or why

    def action_switch_user(self) -> None:
        """Someone else takes the desk; what is on the screens stays."""
        if not isinstance(self.screen, LoginScreen):
            self.push_screen(LoginScreen())

    def first_desk(self) -> str:
        return posts.home_mode(self.actor)

    def get_line_filters(self):
        """Every line every widget draws goes without control characters (widgets/terminal_text)."""
        return [*super().get_line_filters(), NO_CONTROL_CODES]

    def desk_language(self, member) -> str:
        """The person's own choice, else the library's, else the locale's."""
        chosen = getattr(member, "language", "") or self.settings.language
        return chosen if chosen in i18n.LANGUAGES else i18n.locale_language()

    def signed_in(self, member) -> None:
        from counter_tui.screens.lock import LockScreen
        first_time = self.actor is None
        i18n.use(self.desk_language(member))  # before anything is drawn for them
        self.actor = member
        from counter_tui.services.admin import desks
        desks.signed_in(member.username)  # restore names who would lose their work
        while isinstance(self.screen, (LoginScreen, LockScreen)):  # the sign-in, and a lock under it
            self.pop_screen()
        self.locked = False
        if first_time or not access.may(member, *posts.desk(self.current_mode).roles):
            self.switch_mode(self.first_desk())
        self.notify(_("Signed in: {name}.", name=member.full_name))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Nothing but signing in (and quitting) before someone has signed in, or while the desk is locked.
        if self.actor is None or self.locked:
            return action == "quit"
        if action == "desk":  # a desk another role may not use is hidden from its keys
            return access.may(self.actor, *posts.desk(parameters[0]).roles)
        return True

    def get_system_commands(self, screen):
        """The command palette (Ctrl+P), for terminals that swallow F-keys: every desk and
        back-office entry the person may open, and every action of the screen underneath."""
        yield SystemCommand(_("Help"), _("Every key of this screen (F1)"), self.action_help)
        if self.actor is None:
            yield SystemCommand(_("Quit"), _("Quit counter_tui"), self.action_quit)
            return
        for desk in posts.desks():
            if access.may(self.actor, *desk.roles):
                yield SystemCommand(i18n.label(desk.label), _("Desk ({key})", key=desk.key.upper()),
                                    partial(self._palette_run, f"desk('{desk.mode}')"))
        for post, entries in posts.entries_for(self.actor):
            for entry in entries:
                yield SystemCommand(i18n.label(entry.label), _("{post} (F9, then {key})", post=i18n.label(post.name),
                                                                key=entry.key),
                                    partial(self._palette_open, entry))
        seen = set()
        for active in screen.active_bindings.values():
            binding, node = active.binding, active.node
            if node is self or not active.enabled or not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            yield SystemCommand(i18n.label(binding.description),
                                _("This screen ({key})", key=binding.key_display or binding.key),
                                partial(self._palette_run, binding.action, node))
        yield SystemCommand(_("Switch user"), _("Someone else signs in; the desk keeps its state (Ctrl+O)"),
                            self.action_switch_user)
        yield SystemCommand(_("Lock the desk"), _("Ask for the password again (Ctrl+L)"), self.action_lock)
        yield SystemCommand(_("Reprint slip"), _("This desk's last slip again (F12)"), self.action_reprint)
        for code, name in i18n.LANGUAGES.items():
            if code != i18n.current():
                yield SystemCommand(_("Language: {language}", language=name),
                                    _("Speak {language} at this desk, from now on and whenever you sign in",
                                      language=name),
                                    partial(self._palette_run, f"language('{code}')"))
        yield SystemCommand(_("Theme"), _("Change the colours"), self.action_change_theme)
        yield SystemCommand(_("Quit"), _("Quit counter_tui (Ctrl+Q)"), self.action_quit)

    def scans_in_hand(self) -> int:
        """Scans typed but not yet answered, on every desk of this app."""
        return sum(d.queue.qsize() + d.busy for d in self.scan_desks)

    async def action_quit(self) -> None:
        """Quit, but never with scans typed and not yet answered: those finish first."""
        waiting = self.scans_in_hand()
        if not waiting:
            self.exit()
            return
        question = isinstance(self.screen, ModalScreen)
        self.notify(f"{counted(waiting, 'scan')} still to answer"
                    + (": answer the question, then counter_tui quits." if question else "; quitting after them."),
                    severity="warning")
        if not self._quitting:
            self._quitting = True
            self.set_timer(0.05, self._quit_when_answered)

    def _quit_when_answered(self) -> None:
        if self.scans_in_hand():
            self.set_timer(0.05, self._quit_when_answered)
        else:
            self.exit()

    async def action_language(self, language: str) -> None:
        """The desk speaks another language to this person, kept with their account."""
        from counter_tui.services.admin import staff
        from counter_tui.services.errors import Refusal
        try:
            member = await self.run_db(staff.set_language, self.actor, language)
        except Refusal as refusal:
            self.notify(refusal.sentence, severity="error")
            return
        i18n.use(language)
        self.actor = member  # title bars and key bars say it again in the new language
        self.refresh_bindings()
        self.notify(_("This desk now speaks English to you.") if language == i18n.ENGLISH
                    else _("This desk now speaks Chinese to you."))

    def _palette_run(self, action: str, node=None) -> None:
        self.call_later(self.run_action, action, node)

    def _palette_open(self, entry: posts.Entry) -> None:
        self.push_screen(posts.load(entry.screen)())

    def action_back_office(self) -> None:
        from counter_tui.screens.back_office import BackOffice
        if not isinstance(self.screen, BackOffice):
            self.push_screen(BackOffice())

    async def action_desk(self, mode: str) -> None:
        """A desk's key. On that desk already: back to it from any screen opened over it, and,
        on the desk itself, its own second-press meaning (F2: the next reader). Elsewhere:
        switch to it, and the desk may take over what the screen left shows (the reader,
        the title): `arrive_from(screen)`."""
        if self.current_mode == mode:
            if isinstance(self.screen, ModalScreen):  # a question waits for its answer, and scans behind it
                self.bell()
            elif len(self.screen_stack) > 1:
                while len(self.screen_stack) > 1 and not isinstance(self.screen, ModalScreen):
                    self.pop_screen()
            elif hasattr(self.screen, "desk_key_again"):
                self.screen.desk_key_again()
            return
        left = self.screen
        await self.switch_mode(mode)
        if hasattr(self.screen, "arrive_from"):
            await self.screen.arrive_from(left)

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
