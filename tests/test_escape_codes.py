"""Escape codes from outside: text is stored without them, and nothing shows or prints them, whatever is stored.

A MARC title, a roster cell or a typed reason may carry OSC 52 (the terminal writes the
clipboard), OSC 0 (its window title), CSI 2J (it clears the screen), C1 codes and a
right-to-left override. The services clean text where it enters (domain/text.clean); the
terminal, the receipt printer, the PDFs and the command line each strip what old data still
carries, in one place of their own.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from counter_tui import cli
from counter_tui.domain.text import clean, without_controls
from counter_tui.models import Biblio, Fee, Item, Loan, Patron
from counter_tui.services.catalogue import marc, titles
from counter_tui.services.circulation import damage, holds, lending, notices, rules_admin
from counter_tui.services.fees import payments
from counter_tui.services.printing import slips
from counter_tui.services.property import writeoffs
from counter_tui.services.readers import registration, roster
from counter_tui.services.admin import staff
from counter_tui.services.errors import Refusal
from tests import printed, stored
from tests.conftest import NOW
from tests.test_marc import book

# OSC 52 (clipboard: "rm -rf ~"), OSC 0 (window title), CSI 2J (clear screen), a right-to-left override
TITLE = "Dream\x1b]52;c;cm0gLXJmIH4=\x07 of\x1b]0;owned\x07 the\x1b[2J Red\u202e Chamber"
CLEAN_TITLE = "Dream of the Red Chamber"
# what no text may carry, raw or as JSON writes it (\u001b)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\\\\u00[01][0-9a-f]|\\\\u007f",
                     re.IGNORECASE)
SEQUENCES = ("\x1b]52", "\x1b]0;", "\x1b[2J", "\u202e", "\x07")


# -- the rule ----------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, one_line, lines", [
    (TITLE, CLEAN_TITLE, CLEAN_TITLE),
    ("a\x9b2Jb\x9d0;x\x9cc", "abc", "abc"),  # C1 spellings of CSI, OSC and ST
    ("a\x1bcb\x1b(Bc\x00d\x08e\x7ff", "abcdef", "abcdef"),  # reset, character set, NUL, BS, DEL
    ("x\u2066y\u2069z\u202bw", "xyzw", "xyzw"),  # isolates and an embedding
    ("one\r\ntwo\rthree\tfour\x85", "one two three four", "one\ntwo\nthree\tfour"),
    ("unended\x1b]0;title", "unended0;title", "unended0;title"),  # no BEL: ESC ] goes, the rest is text
    ("红楼梦 \u200e עברית", "红楼梦 \u200e עברית", "红楼梦 \u200e עברית"),  # letters and marks stay
])
def test_clean_takes_out_sequences_and_control_characters(raw, one_line, lines):
    assert clean(raw) == one_line and clean(raw, lines=True) == lines
    assert not CONTROL.search(clean(raw, lines=True).replace("\t", "").replace("\n", ""))


def test_without_controls_keeps_every_cell_a_terminal_shows():
    assert without_controls(TITLE) == "Dream]52;c;cm0gLXJmIH4= of]0;owned the[2J Red Chamber"
    assert without_controls("plain") == "plain"


# -- coming in -----------------------------------------------------------------------------------

def test_a_marc_record_with_escape_codes_is_stored_clean_in_every_field(cataloguer):
    record = book(TITLE, "Cao\x1b[31m Xueqin\u202e", "9787020002207",
                  [("30234000517861", "I242.47/1\x9b2J", "book", "59.70")],
                  publisher="People's\x1b]0;x\x07 Literature", subjects=("Novels\u2066 (Chinese)\u2069",))
    report = marc.import_marc(cataloguer, record.as_marc(), now=NOW)
    assert len(report.imported) == 1 and report.copies_added == 1
    stored = Biblio.get()
    assert (stored.title, stored.author, stored.publisher, stored.subjects) == (
        CLEAN_TITLE, "Cao Xueqin", "People's Literature", "Novels (Chinese)")
    assert Item.get().call_number == "I242.47/1"
    kept = bytes(stored.marc)
    for code in (b"\x1b", b"\x07", "\u202e".encode(), "\u2066".encode(), "\x9b".encode()):
        assert code not in kept
    assert b"Dream of" in kept  # the record itself is kept, clean
    assert all(not CONTROL.search(line[2]) for line in report.imported)


@pytest.fixture
def office(clerk):
    return staff.add_staff(None, "office", "Office Clerk", "correct horse", ["office"], NOW)


def test_a_roster_with_c1_codes_and_bidi_overrides_is_stored_clean(office):
    text = ("name,id,class,category,notes\n"
            "Li\u202e Lei,2024001,Grade 7\x85 Class 1,student,\x9b31mred\u2066 pen\u2069\n"
            "Han Meimei\u2067,2024002,Grade 7\x9d0;title\x9c Class 2,student,\n")
    plan = roster.plan_import(office, text.encode("utf-8"))
    assert plan.bad == ()
    roster.run_import(office, plan, now=NOW)
    got = sorted(Patron.select(Patron.name, Patron.department, Patron.notes).tuples())
    assert got == [("Han Meimei", "Grade 7 Class 2", ""), ("Li Lei", "Grade 7 Class 1", "red pen")]


def test_a_roster_with_ascii_escape_codes_is_refused_with_a_sentence(office):
    with pytest.raises(Refusal, match="binary data, not text"):
        roster.plan_import(office, "name,id\nLi\x1b]0;x\x07 Lei,2024001\n".encode("utf-8"))


def test_typed_text_keeps_no_control_characters(lib, cataloguer, property_documents):
    """Forms and reasons, typed or pasted, through the services every screen and command uses."""
    curator = staff.add_staff(None, "head", "Head", "correct horse", ["curator"], NOW)
    saved = titles.save_biblio(cataloguer, {"title": TITLE, "author": "Lu\x1b[2J Xun"}, now=NOW)
    assert Biblio.get_by_id(saved.id).title == CLEAN_TITLE
    writeoffs.write_off(cataloguer, [lib.item().barcode], "worn\x1b]0;x\x07 out\u202e", now=NOW)
    reader = lib.patron()
    with pytest.raises(Refusal, match="ordinary characters"):  # a block's reason is refused instead
        registration.block(curator, reader.id, "lost\x9b2J books", now=NOW)
    rules_admin.add_closed_days(curator, date(2026, 12, 1), reason="staff\x1b[2J day\u2066", now=NOW)
    other = lib.patron(name="Wang Fang")
    wanted = lib.item(title="Dune")
    placed = holds.place(lib.clerk, other.id, wanted.biblio_id, now=NOW, note="call\x07 first")
    holds.cancel(lib.clerk, placed.id, now=NOW, reason="changed\x1b]52;c;eA==\x07 mind")
    fee = Fee.create(patron=other, kind="damage", amount=300, at=NOW)
    payments.waive(curator, other.id, fee.id, "goodwill\u202e\x85", now=NOW)
    torn = lib.item(title="Torn")
    damage.assess_damage(lib.clerk, torn.barcode, "slight", damage.KEEP, note="torn\x1b[2J page", now=NOW)
    dirty = [(table, column, value) for table, _, column, value in stored.text_values() if CONTROL.search(value)]
    assert dirty == []


# -- going out -----------------------------------------------------------------------------------

def old_title(lib, **fields) -> Item:
    """A copy whose title was stored with its escape codes (before they were cleaned where they enter)."""
    return lib.item(title=TITLE, **fields)


def cells(app) -> str:
    """Every character the screen's cells hold, line by line."""
    return "\n".join("".join(s.text for s in strip) for strip in app.screen._compositor.render_strips())


def drawn(app) -> str:
    """What the terminal is sent for the whole screen as it stands, Textual's own sequences and all."""
    return "".join(app.screen._compositor.render_update(full=True).render_segments(app.console))


def assert_no_escape_codes(app) -> None:
    shown, sent = cells(app), drawn(app)
    assert "Dream" in shown
    assert not CONTROL.search(shown.replace("\n", "")), repr(shown)
    for sequence in SEQUENCES:
        assert sequence not in sent


async def test_the_catalogue_desk_shows_a_title_stored_with_escape_codes_without_them(lib, settings):
    from counter_tui.app import CounterApp
    from tests.test_desk_friction import open_search_desk
    from tests.test_desk_screens import burst, settle, status

    old_title(lib)
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_search_desk(app, pilot, "f6")
        burst(app, "Dream")
        await settle(pilot, lambda: "1 title for" in status(screen))
        await pilot.pause()
        assert_no_escape_codes(app)  # the search list
        await pilot.press("enter")
        await settle(pilot, lambda: screen.showing_record)
        await pilot.pause()
        assert_no_escape_codes(app)  # the record


async def test_the_check_out_desk_shows_a_reader_and_a_title_stored_with_escape_codes_without_them(lib, settings):
    from counter_tui.app import CounterApp
    from tests.test_desk_screens import burst, settle

    reader = lib.patron(name="Li\x1b]0;owned\x07 Lei")
    copy = old_title(lib)
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        burst(app, reader.card, copy.barcode)
        await settle(pilot, lambda: app.screen.lines == 1)
        await pilot.pause()
        assert_no_escape_codes(app)
        assert "Li]0;owned Lei" in cells(app)


@pytest.fixture
def printer(tmp_path, monkeypatch, settings):
    """Slips go to a folder of the test's own and through a print command that keeps their bytes."""
    monkeypatch.setenv(slips.ENV_SLIPS, str(tmp_path / "slips"))
    monkeypatch.delenv(slips.ENV_PRINT, raising=False)
    out = tmp_path / "printer.bin"
    settings.print_command = f"sh -c 'cat >> {out}'"
    return out


def assert_clean_bytes(data: bytes) -> None:
    assert b"Dream" in data and b"Chamber" in data
    text = data.decode("utf-8")
    assert not CONTROL.search(text.replace("\n", "")), repr(text)


def test_a_hold_slip_for_a_title_stored_with_escape_codes_prints_none(lib, printer):
    copy = old_title(lib)
    holds.place(lib.clerk, lib.patron(name="Han Meimei").id, copy.biblio_id, now=NOW)
    found = lending.checkin(lib.clerk, copy.barcode, now=NOW).hold
    trapped = holds.trap(lib.clerk, copy.id, found.hold_id, now=NOW, print_slip=True)
    assert trapped.slip.printed
    assert_clean_bytes(trapped.slip.path.read_bytes())
    assert_clean_bytes(printer.read_bytes())


def test_a_slip_saved_with_escape_codes_is_reprinted_without_them(lib, printer, settings):
    folder = slips.slips_dir()
    folder.mkdir(parents=True)
    (folder / f"last-{slips._desk_file(settings.desk)}.txt").write_text(TITLE + "\n", encoding="utf-8")
    assert slips.reprint().printed
    assert_clean_bytes(printer.read_bytes())


def test_fines_explain_prints_a_title_stored_with_escape_codes_without_them(lib, settings, monkeypatch, capsys):
    monkeypatch.setenv(cli.PASSWORD_ENV, "correct horse")
    monkeypatch.setenv("COUNTER_TUI_CONFIG", "/nonexistent/none.toml")
    monkeypatch.setattr(cli, "_open", lambda args, url=None, need_schema=True: settings)
    lib.rule(fine_amount=10, fine_cap=None, fine_cap_at_price=False, grace_days=0)
    copy = old_title(lib)
    loan = lib.loan(copy, lib.patron(), NOW.date() - timedelta(days=30), NOW.date() - timedelta(days=4))
    lending.checkin(lib.clerk, copy.barcode, now=NOW)
    cli.main(["fines", "explain", str(loan.id), "--as", "clerk"])
    out = capsys.readouterr().out
    assert "Dream" in out and not CONTROL.search(out.replace("\n", "")), repr(out)
    with pytest.raises(SystemExit) as refused:  # the sentence a command ends with
        cli.main(["fines", "explain", "\x1b]0;owned\x07", "--as", "clerk"])
    assert isinstance(refused.value.code, str) and not CONTROL.search(refused.value.code)


def test_a_notice_letter_for_a_title_stored_with_escape_codes_prints_none(lib, tmp_path, monkeypatch):
    monkeypatch.setenv(notices.ENV_NOTICES, str(tmp_path / "notices"))
    copy = old_title(lib)
    today = date(2026, 11, 25)
    lib.loan(copy, lib.patron(name="Li\u202e Lei"), today - timedelta(days=40), today - timedelta(days=10))
    done = notices.produce(lib.clerk, now=NOW)
    [letter] = printed.pages(done.files[0])
    assert "Dream" in letter and "Li Lei" in letter
    assert not CONTROL.search(letter), repr(letter)
