"""Files the library writes and reads: the one place for their rules, used by every writer.

- **Whole or not at all.** A file is made under a scratch name beside its place and moved
  there in one step, so a reader of the folder (a printer queue, a backup) never sees half a
  file, and a failure leaves nothing behind (`write_atomically`).
- **Nothing that exists is written over** unless the person asked for it: `--force` on the
  command line, a one-key question at the desk (`force=True` here). **Never, even then**, over
  a folder, a device, a FIFO, a socket or a database (an SQLite file or its WAL, by their
  headers; a pg_dump archive): `check_target`.
- **Files with personal data are the owner's**: made readable by their owner only (0600,
  folders 0700), or by the group the library names in the `files_group` setting (0660,
  folders 2770, so files made inside keep that group): `make_private`, `make_folder`.
- **The desk writes in the library's own folders**: the data folder (or the folder the
  `files_folder` setting names) and its folders for slips, cards, notices, labels, property
  documents and exports (`library_folder`); a path typed at the desk must lie inside it
  (`desk_path`).
- **Imports read regular files only** (`readable_file`).
"""
from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from counter_tui.services.errors import Refusal

T = TypeVar("T")

PRIVATE_FILE, PRIVATE_FOLDER = 0o600, 0o700
GROUP_FILE, GROUP_FOLDER = 0o660, 0o2770  # setgid: what is made inside keeps the library's group

# The first bytes of what is never written over, whatever --force says.
_SQLITE = b"SQLite format 3\x00"
_SQLITE_WAL = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")
_PG_DUMP = b"PGDMP"


class AlreadyExists(Refusal):
    """Something is already at the path; the person may say to write over it (--force, a key)."""

    def __init__(self, path: Path, unwritten: str = "nothing was written"):
        super().__init__(f"{path} already exists; {unwritten}: choose another name, or say to write over it "
                         f"(--force on the command line).")
        self.path = path


# ---- what may be written over ----------------------------------------------------------------------

def never_written_over(path: Path) -> str:
    """What is at `path` that nothing may replace ("a folder", "a database", ...), or "" when it is a
    regular file of some other kind or nothing at all. Links are followed: a link to /dev/full is a device."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return ""
    except OSError as exc:
        return f"something that cannot be looked at ({exc.strerror})"
    if stat.S_ISDIR(st.st_mode):
        return "a folder"
    if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        return "a device"
    if stat.S_ISFIFO(st.st_mode):
        return "a FIFO (a named pipe)"
    if stat.S_ISSOCK(st.st_mode):
        return "a socket"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file"
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return ""
    if head.startswith(_SQLITE) or head[:4] in _SQLITE_WAL:
        return "a database"
    if head.startswith(_PG_DUMP):
        return "a database backup"
    return ""


def check_target(path: Path, *, force: bool = False, unwritten: str = "nothing was written") -> Path:
    """Refuse to write at `path` what the rules forbid (see the module's docstring); the path when allowed."""
    path = Path(path)
    what = never_written_over(path)
    if what:
        raise Refusal(f"{path} is {what}, which is never written over; {unwritten}.")
    if not force and os.path.lexists(path):
        raise AlreadyExists(path, unwritten)
    return path


def fresh_path(folder: Path, stem: str, suffix: str) -> Path:
    """`folder/stem.suffix`, or `stem-2.suffix`, `stem-3.suffix`... the first name not taken."""
    path, n = Path(folder) / f"{stem}{suffix}", 1
    while os.path.lexists(path):
        n += 1
        path = Path(folder) / f"{stem}-{n}{suffix}"
    return path


# ---- whose files -------------------------------------------------------------------------------------

def _group() -> int | None:
    """The id of the group the library shares its files with (`files_group`), or None."""
    from counter_tui.services.library_settings import settings
    name = getattr(settings(), "files_group", "")
    if not name:
        return None
    import grp
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        raise Refusal(f"The files_group setting names the group {name!r}, which this machine does not have; "
                      "nothing was written.") from None


def file_mode() -> int:
    return PRIVATE_FILE if _group() is None else GROUP_FILE


def folder_mode() -> int:
    return PRIVATE_FOLDER if _group() is None else GROUP_FOLDER


def make_private(path: Path, folder: bool = False) -> None:
    """Give a file (or folder) the library just made its owner-only mode, or the library's group's."""
    gid = _group()
    if gid is not None:
        os.chown(path, -1, gid)
    os.chmod(path, (GROUP_FOLDER if folder else GROUP_FILE) if gid is not None
             else (PRIVATE_FOLDER if folder else PRIVATE_FILE))


def make_folder(path: Path) -> Path:
    """The folder, made with its missing parents (each private, or the library's group's); folders
    that exist keep their modes."""
    path = Path(path)
    missing = []
    here = path
    while not here.exists():
        missing.append(here)
        if here.parent == here:
            break
        here = here.parent
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except FileExistsError:
            continue  # another desk made it meanwhile
        make_private(folder, folder=True)
    if not path.is_dir():
        raise Refusal(f"{path} is not a folder; nothing was written.")
    return path


def create_private_file(path: Path) -> None:
    """Make an empty file that is its owner's (or the library's group's) from its first moment,
    before anything is written in it: a database before SQLite opens it, a log."""
    make_folder(Path(path).parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return
    os.close(fd)
    make_private(path)


# ---- writing -----------------------------------------------------------------------------------------

def write_atomically(output: Path, render: Callable[[Path], T], *, force: bool = False,
                     before_moving: Callable[[], None] | None = None,
                     unwritten: str = "nothing was printed") -> T:
    """Call render(scratch_path), then `before_moving()` (to record it), then move the file into place.

    `output` must not exist unless `force` (the person said to write over it), and is never a
    folder, device, FIFO or database (check_target). The file is private from its first byte
    (make_private). An OSError while rendering becomes a refusal naming the file; `unwritten`
    ends that sentence.
    """
    output = Path(output)
    check_target(output, force=force, unwritten=unwritten)
    scratch = output.with_name(f".{output.name}.{os.getpid()}.part")
    try:
        try:
            fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
            os.close(fd)
            make_private(scratch)
            result = render(scratch)
            make_private(scratch)  # a renderer that made the file again made it with the umask's mode
        except OSError as exc:
            raise Refusal(f"{output} cannot be written ({exc.strerror}); {unwritten}.") from None
        if before_moving is not None:
            before_moving()
        _move_into_place(scratch, output, force, unwritten)
        return result
    finally:
        if os.path.exists(scratch):
            os.remove(scratch)


def _move_into_place(scratch: Path, output: Path, force: bool, unwritten: str) -> None:
    if not force:
        try:
            os.link(scratch, output)  # fails if something arrived at `output` meanwhile: nothing is replaced
            return
        except FileExistsError:
            raise AlreadyExists(output, unwritten) from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise Refusal(f"{output} cannot be written ({exc.strerror}); {unwritten}.") from None
            # a file system without hard links: look once more, then move
    check_target(output, force=force, unwritten=unwritten)
    try:
        os.replace(scratch, output)
    except OSError as exc:
        raise Refusal(f"{output} cannot be written ({exc.strerror}); {unwritten}.") from None


def write_text(output: Path, text: str, *, force: bool = False, unwritten: str = "nothing was written") -> Path:
    """A text file (UTF-8), whole, private, by the same rules."""
    def put(scratch: Path) -> None:
        scratch.write_text(text, encoding="utf-8")
    write_atomically(output, put, force=force, unwritten=unwritten)
    return Path(output)


# ---- where the desk writes, what imports read --------------------------------------------------------

def files_root() -> Path:
    """The library's own folder for the files its desks write: `files_folder`, else the data folder."""
    from counter_tui.config import data_dir
    from counter_tui.services.library_settings import settings
    named = getattr(settings(), "files_folder", "")
    return Path(named).expanduser() if named else data_dir()


def library_folder(kind: str, env: str | None = None) -> Path:
    """The folder of one kind of file (slips, cards, notices, labels, property, exports, logs), made
    private if missing: the environment variable `env` when set, else files_root()/kind."""
    named = os.environ.get(env) if env else None
    return make_folder(Path(named) if named else files_root() / kind)


def desk_path(typed: str, kind: str) -> Path:
    """Where a file name typed at the desk goes: a bare name into library_folder(kind), a path only
    when it lies inside the library's own folder (files_root); anything else is refused."""
    text = typed.strip()
    if not text:
        raise Refusal("Type the name of the file first.")
    given = Path(text).expanduser()
    if given.name in ("", ".", ".."):
        raise Refusal(f"{text} is not a file name.")
    if len(given.parts) == 1:
        return library_folder(kind) / given.name
    if not given.is_absolute():  # a folder of its own inside the kind's folder
        given = library_folder(kind) / given
    root = files_root()
    try:
        resolved = given.parent.resolve() / given.name
        resolved.relative_to(root.resolve())
    except (ValueError, OSError):
        raise Refusal(f"The desk writes files only in the library's folder {root}: type a name (it goes in "
                      f"{root / kind}) or a path inside that folder. An administrator can name another "
                      "folder with the files_folder setting.") from None
    return resolved


def readable_file(path: str | Path) -> Path:
    """The path of a file to import, when it is a regular file; a refusal that says what it is otherwise."""
    path = Path(path).expanduser()
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise Refusal(f"There is no file at {path}.") from None
    except OSError as exc:
        raise Refusal(f"{path} cannot be read ({exc.strerror}).") from None
    if stat.S_ISREG(st.st_mode):
        return path
    what = ("a folder" if stat.S_ISDIR(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode) or
            stat.S_ISBLK(st.st_mode) else "a FIFO (a named pipe)" if stat.S_ISFIFO(st.st_mode) else
            "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
    raise Refusal(f"{path} is {what}, not a file: only regular files are read.")
