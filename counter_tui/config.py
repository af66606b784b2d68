"""Settings: where the database is, the library's name, money, time zone, barcodes, keys.

Read from a TOML file (the first that exists of: the path in COUNTER_TUI_CONFIG,
/etc/counter-tui/settings.toml, the user's config folder). Command-line options win
over the environment, which wins over the file.
"""
from __future__ import annotations

import os
import socket
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from counter_tui.domain.barcodes import BarcodeRules
from counter_tui.domain.money import Currency

APP_NAME = "counter-tui"
ENV_DB = "COUNTER_TUI_DB"
ENV_CONFIG = "COUNTER_TUI_CONFIG"
SYSTEM_CONFIG = Path("/etc/counter-tui/settings.toml")


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def cards_dir() -> Path:
    """Where printed card sheets go, for the printer queue to take (COUNTER_TUI_CARDS overrides)."""
    return Path(os.environ.get("COUNTER_TUI_CARDS") or data_dir() / "cards")


def default_db_url() -> str:
    return f"sqlite:///{data_dir() / 'library.db'}"


def demo_db_url() -> str:
    return f"sqlite:///{data_dir() / 'demo.db'}"


def local_zone() -> ZoneInfo:
    """The machine's zone; UTC if it cannot be named (containers often lack /etc/localtime)."""
    name = os.environ.get("TZ")
    if not name:
        try:
            name = "/".join(Path("/etc/localtime").resolve().parts[-2:])
        except OSError:
            name = "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def desk_name() -> str:
    """This desk in the audit trail: COUNTER_TUI_DESK, else host and terminal (one per ssh session)."""
    if os.environ.get("COUNTER_TUI_DESK"):
        return os.environ["COUNTER_TUI_DESK"]
    try:
        terminal = os.ttyname(0).removeprefix("/dev/")
    except OSError:
        terminal = f"pid{os.getpid()}"
    return f"{socket.gethostname()}/{terminal}"


@dataclass
class Settings:
    db_url: str = field(default_factory=default_db_url)
    library_name: str = "Library"
    currency: Currency = field(default_factory=Currency)
    timezone: ZoneInfo = field(default_factory=local_zone)
    barcodes: BarcodeRules = field(default_factory=BarcodeRules)
    # binding id -> key(s), applied with App.set_keymap
    keymap: dict[str, str] = field(default_factory=dict)
    desk: str = field(default_factory=desk_name)
    idle_lock_minutes: float = 10  # a shared desk locks after this long without a key; 0: never
    trust_ssh_user: bool = False  # inside ssh, sign in as the staff account named like the OS user
    # circulation policies that are the library's, not a rule's (issue 5)
    print_command: str = ""  # slips are piped to it, e.g. "lp -d receipt"; empty: files only
    print_font: str = ""  # a .ttf/.otf/.ttc for cards, labels and documents; empty: the system's or the packaged one
    shelving_minutes: float = 120  # a returned copy on the shelving cart counts as shelved after this; 0: only by scan
    claims_returned_limit: int = 3  # readers with more claims than this are warned about
    lost_fine: str = "keep"  # the overdue fine of a loan declared lost: keep, or waive
    lost_refund: str = "price"  # a lost copy that comes back refunds: price (not the processing fee), all, none
    call_numbers: str = "clc"  # classification: clc (Chinese Library Classification) or dewey


def config_path() -> Path | None:
    candidates = [os.environ.get(ENV_CONFIG), SYSTEM_CONFIG,
                  Path(platformdirs.user_config_dir(APP_NAME)) / "settings.toml"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def load_settings(db_url: str | None = None, path: Path | None = None) -> Settings:
    settings = Settings()
    path = path or config_path()
    if path is not None:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
        settings.library_name = raw.get("library_name", settings.library_name)
        if "db" in raw:
            settings.db_url = raw["db"]
        if "timezone" in raw:
            settings.timezone = ZoneInfo(raw["timezone"])
        if "currency" in raw:
            settings.currency = Currency(**raw["currency"])
        if "barcodes" in raw:
            settings.barcodes = BarcodeRules(**raw["barcodes"])
        settings.keymap = dict(raw.get("keys", {}))
        settings.idle_lock_minutes = float(raw.get("idle_lock_minutes", settings.idle_lock_minutes))
        settings.trust_ssh_user = bool(raw.get("trust_ssh_user", settings.trust_ssh_user))
        for name in ("print_command", "print_font", "lost_fine", "lost_refund", "call_numbers"):
            setattr(settings, name, str(raw.get(name, getattr(settings, name))))
        settings.shelving_minutes = float(raw.get("shelving_minutes", settings.shelving_minutes))
        settings.claims_returned_limit = int(raw.get("claims_returned_limit", settings.claims_returned_limit))
    if os.environ.get(ENV_DB):
        settings.db_url = os.environ[ENV_DB]
    if db_url:
        settings.db_url = db_url
    settings.db_url = as_url(settings.db_url)
    return settings


def as_url(db: str) -> str:
    """A bare path means a SQLite file."""
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"
