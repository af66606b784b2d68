"""Every command, run as cron or a careless hand would run it, ends in a sentence: never a traceback.

The commands are found by walking the parser (`cli.build_parser()` and its subparsers), so a
command a post adds later is tried too. Each runs in a subprocess with no terminal (stdin is
/dev/null and there is no controlling terminal) and no password in the environment:

- on an empty folder (no library anywhere),
- on a library (the sign-in cannot ask for a password),
- with a bad argument (an unknown option; numbers far too large or negative for every numeric
  option, the first and last days of the calendar for every date option, signed in as the
  curator so that they reach the services),
- as the curator on the library, with made-up arguments (refusals a curator meets: none may
  tell a command-line user to press Ctrl+O),
- with --help (argparse's `%%` must not reach the page).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from counter_tui import cli

PASSWORD = "a good password"

# `serve` on a usable library serves browsers until it is stopped: it is tried on the empty
# folder and with bad arguments, where it must stop with a sentence.
RUNS_UNTIL_STOPPED = {("serve",)}


def leaf_commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(words, parser) of every command that runs: the desk itself, and each subcommand's leaves."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not path or not subs:
        yield path, parser
    for sub in subs:
        for name, child in sub.choices.items():
            yield from leaf_commands(child, (*path, name))


def made_up_arguments(parser: argparse.ArgumentParser, folder: Path) -> list[list[str]]:
    """Arguments that parse: a value for every positional and required option; one list per
    choice of a positional with choices (`holds expire`, `holds shelf`, ...)."""
    fixed, variants = [], [[]]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) or not (action.required or not action.option_strings):
            continue
        if action.option_strings and action.nargs == 0 or action.nargs in ("*", "?"):
            continue  # a flag, or positionals that may be left out
        if action.choices and not action.option_strings:
            variants = [[str(choice)] for choice in action.choices]
            continue
        value = str(action.choices[0]) if action.choices else str(folder / f"made-up-{action.dest}")
        if action.type is not None:
            value = next(v for v in ("30", "2026-01-15", value) if _parses(action, v))
        fixed += [action.option_strings[0], value] if action.option_strings else [value]
    return [variant + fixed for variant in variants]


def _parses(action: argparse.Action, value: str) -> bool:
    try:
        action.type(value)
    except (ValueError, TypeError, argparse.ArgumentTypeError):
        return False
    return True


def numeric_options(parser: argparse.ArgumentParser) -> list[str]:
    """Options whose value is a number (their type takes "30" and gives an int)."""
    return [a.option_strings[0] for a in parser._actions
            if a.option_strings and a.type is not None and _parses(a, "30") and isinstance(a.type("30"), int)]


def dated_options(parser: argparse.ArgumentParser) -> list[str]:
    """Options whose value is a date (their type takes 2026-01-15)."""
    return [a.option_strings[0] for a in parser._actions
            if a.option_strings and a.type is not None and _parses(a, "2026-01-15")]


def run(words: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    cwd.mkdir(parents=True, exist_ok=True)
    try:
        return subprocess.run([sys.executable, "-m", "counter_tui", *words], cwd=cwd, env=env, text=True,
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=120,
                              start_new_session=True)  # no controlling terminal: getpass cannot open /dev/tty
    except subprocess.TimeoutExpired as late:
        return subprocess.CompletedProcess(words, -9, late.stdout or "", f"hung: no answer in {late.timeout} s")


def environment(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("COUNTER_TUI_", "XDG_", "SSH_", "TEXTUAL")) and k not in ("HOME", "PYTEST_CURRENT_TEST")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
               COUNTER_TUI_CONFIG=str(home / "no-settings.toml"), **extra)
    return env


def problems_of(label: str, words: list[str], done: subprocess.CompletedProcess) -> list[str]:
    shown = f"{label}: counter-tui {' '.join(words)}"
    said = done.stdout + done.stderr
    found = []
    if "Traceback" in said:
        found.append(f"{shown}\n{said[-1500:]}")
    elif done.returncode < 0 or done.returncode > 2 and done.returncode != 130:
        found.append(f"{shown}: exit status {done.returncode}\n{said[-600:]}")
    elif done.returncode != 0 and not done.stderr.strip():
        found.append(f"{shown}: exit status {done.returncode} with no sentence")
    if "Ctrl+O" in said:
        found.append(f"{shown}: tells a command-line user to press Ctrl+O: {said.strip()[-300:]}")
    return found


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("library")
    made = run(["init", "--username", "head", "--db", str(folder / "lib.db")], folder,
               environment(folder, COUNTER_TUI_PASSWORD=PASSWORD))
    assert made.returncode == 0, made.stderr
    return folder / "lib.db"


def test_the_walk_finds_every_post_s_commands():
    found = {words for words, _ in leaf_commands(cli.build_parser())}
    for expected in [(), ("demo",), ("backup",), ("staff", "add"), ("register", "totals"), ("rules", "explain"),
                     ("cards", "print"), ("labels",), ("anonymise",), ("notices",), ("marc", "export")]:
        assert expected in found


def test_every_command_ends_in_a_sentence_without_a_terminal_a_password_or_good_arguments(library, tmp_path):
    jobs = []  # (label, words, cwd, env)
    n = 0
    for words, parser in leaf_commands(cli.build_parser()):
        for made_up in made_up_arguments(parser, tmp_path / "given"):
            n += 1
            here = tmp_path / f"run{n}"
            empty = environment(here / "home")
            signed = environment(here / "home", COUNTER_TUI_PASSWORD=PASSWORD)
            words = list(words)
            jobs.append(("empty folder", words + made_up, here / "empty", empty))
            jobs.append(("--help", words + ["--help"], here / "help", empty))
            jobs.append(("unknown option", words + made_up + ["--no-such-option"], here / "bad", empty))
            if tuple(words) in RUNS_UNTIL_STOPPED:
                continue
            on_library = words + made_up + ["--db", str(library)]
            jobs.append(("no terminal, no password", on_library, here / "nopass", empty))
            as_curator = on_library + (["--as", "head"] if "--as" in parser._option_string_actions else [])
            jobs.append(("made-up arguments as the curator", as_curator, here / "curator", signed))
            far_out = [(option, value) for option in numeric_options(parser)
                       for value in ("99999999999999999999", "99999999999", "-5", "many")]
            far_out += [(option, value) for option in dated_options(parser) for value in ("0001-01-01", "9999-12-31")]
            for option, value in far_out:
                jobs.append((f"{option} {value}", as_curator + [option, value], here / f"far{option}", signed))
    assert len(jobs) > 100  # the walk found the commands

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda job: (job, run(job[1], job[2], job[3])), jobs))
    problems = []
    for (label, words, _, _), done in results:
        problems += problems_of(label, words, done)
        if label == "--help" and "%%" in done.stdout:
            problems.append(f"--help of counter-tui {' '.join(words[:-1])} shows '%%'")
    assert not problems, f"{len(problems)} of {len(jobs)} runs went wrong:\n\n" + "\n\n".join(problems)
