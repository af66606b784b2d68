"""Settings: where the database is, the library's name, money, time zone, barcodes, keys.

Read from a TOML file (the first that exists of: the path in COUNTER_TUI_CONFIG,
/etc/counter-tui/settings.toml, the user's config folder). Command-line options win
over the environment, which wins over the file.
"""
from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
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
    """The machine's zone (tzlocal reads TZ, /etc/timezone and /etc/localtime, three-part names
    such as America/Argentina/Buenos_Aires too); UTC if it cannot be named."""
    import tzlocal
    try:
        return ZoneInfo(tzlocal.get_localzone_name() or "UTC")
    except (ZoneInfoNotFoundError, ValueError, LookupError, OSError):
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
    due_past_card_expiry: str = "cut"  # a loan that would be due after the card expires: cut (due on that day), keep
    language: str = ""  # the library's: printed matter, and desks of people who chose none; "": the locale
    call_numbers: str = "clc"  # classification: clc (Chinese Library Classification) or dewey
    slip_name: str = "initial"  # a reader's name on hold slips and fee receipts: full, or initial (王*, J. Green)
    files_folder: str = ""  # where the desk writes its files (slips, cards, notices, labels, exports); "": data_dir()
    files_group: str = ""  # the group that shares the library's files (0660, folders 2770); "": the owner only (0600)
    source: Path | None = None  # the settings file these came from (None: built-in defaults)


def config_path() -> Path | None:
    candidates = [os.environ.get(ENV_CONFIG), SYSTEM_CONFIG,
                  Path(platformdirs.user_config_dir(APP_NAME)) / "settings.toml"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


class SettingsError(ValueError):
    """A settings file that cannot be used as it is: the file, the key and what is wrong."""


NonNegative = Annotated[float, msgspec.Meta(ge=0)]


class _CurrencyFile(msgspec.Struct, forbid_unknown_fields=True):
    code: str = "CNY"
    symbol: str = "¥"
    digits: Annotated[int, msgspec.Meta(ge=0, le=4)] = 2


class _BarcodesFile(msgspec.Struct, forbid_unknown_fields=True):
    patron_prefix: str = "2"
    item_prefix: str = "3"
    length: Annotated[int, msgspec.Meta(ge=4, le=32)] = 14
    check: Literal["luhn", "none"] = "luhn"
    accept_legacy: bool = True


class _SettingsFile(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What a settings file may say: an unknown key, a wrong type or a value outside its set
    is refused at start, with the key, rather than quietly meaning something else."""
    library_name: str = "Library"
    db: str | None = None
    timezone: str | None = None
    currency: _CurrencyFile = msgspec.field(default_factory=_CurrencyFile)
    barcodes: _BarcodesFile = msgspec.field(default_factory=_BarcodesFile)
    keys: dict[str, str] = msgspec.field(default_factory=dict)
    idle_lock_minutes: NonNegative = 10
    trust_ssh_user: bool = False
    print_command: str = ""
    print_font: str = ""
    shelving_minutes: NonNegative = 120
    claims_returned_limit: Annotated[int, msgspec.Meta(ge=0)] = 3
    lost_fine: Literal["keep", "waive"] = "keep"
    lost_refund: Literal["price", "all", "none"] = "price"
    due_past_card_expiry: Literal["cut", "keep"] = "cut"
    language: Literal["", "en", "zh_CN"] = ""
    call_numbers: Literal["clc", "dewey"] = "clc"
    slip_name: Literal["full", "initial"] = "initial"
    files_folder: str = ""
    files_group: str = ""


def _read_file(path: Path) -> _SettingsFile:
    try:
        return msgspec.toml.decode(path.read_bytes(), type=_SettingsFile)
    except OSError as exc:
        raise SettingsError(f"The settings file {path} cannot be read ({exc.strerror}).") from None
    except msgspec.ValidationError as exc:  # "Expected `int`, got `str` - at `$.idle_lock_minutes`"
        where, _, what = str(exc).rpartition(" - at ")
        key = what.removeprefix("`$").removeprefix(".").rstrip("`") if what.startswith("`$") else ""
        detail = (where or str(exc)).replace("Object contains unknown field", "there is no setting")
        choices = _choices(key)
        if detail.startswith("Invalid enum value") and choices:
            detail = f"{key} is {detail.removeprefix('Invalid enum value ')}, which is not one of {', '.join(choices)}"
        elif key:
            detail = f"{key}: {detail}"
        raise SettingsError(f"The settings file {path}: {detail}; nothing was started.") from None
    except msgspec.DecodeError as exc:
        raise SettingsError(f"The settings file {path} is not valid TOML ({exc}); nothing was started.") from None


def _choices(key: str) -> tuple[str, ...]:
    """The values a setting (`lost_fine`, `barcodes.check`) may take, when it is one of a set."""
    struct: type = _SettingsFile
    for part in key.split("."):
        field_type = next((f.type for f in msgspec.structs.fields(struct) if f.name == part), None)
        if field_type is None:
            return ()
        struct = field_type
    return tuple(str(v) for v in get_args(struct)) if get_origin(struct) is Literal else ()


def load_settings(db_url: str | None = None, path: Path | None = None) -> Settings:
    settings = Settings()
    path = path or config_path()
    if path is not None:
        raw = _read_file(path)
        settings.source = path
        settings.library_name = raw.library_name
        if raw.db:
            settings.db_url = raw.db
        if raw.timezone:
            try:
                settings.timezone = ZoneInfo(raw.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise SettingsError(f"The settings file {path}: timezone {raw.timezone!r} is not a time zone "
                                    f"(write it like Asia/Shanghai); nothing was started.") from None
        try:
            settings.currency = Currency(**msgspec.structs.asdict(raw.currency))
            settings.barcodes = BarcodeRules(**msgspec.structs.asdict(raw.barcodes))
        except ValueError as exc:
            raise SettingsError(f"The settings file {path}: {exc}") from None
        settings.keymap = dict(raw.keys)
        for name in ("idle_lock_minutes", "trust_ssh_user", "print_command", "print_font", "shelving_minutes",
                     "claims_returned_limit", "lost_fine", "lost_refund", "call_numbers", "due_past_card_expiry",
                     "language", "slip_name", "files_folder", "files_group"):
            setattr(settings, name, getattr(raw, name))
        if raw.files_group:
            import grp
            try:
                grp.getgrnam(raw.files_group)
            except KeyError:
                raise SettingsError(f"The settings file {path}: files_group {raw.files_group!r} is not a group of "
                                    "this machine; nothing was started.") from None
        if raw.files_folder and not Path(raw.files_folder).expanduser().is_absolute():
            raise SettingsError(f"The settings file {path}: files_folder {raw.files_folder!r} is not a full path "
                                "(write it like /srv/library/files); nothing was started.")
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
