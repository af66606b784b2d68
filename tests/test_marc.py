"""MARC 21 import and export: encodings, lying Leaders, broken records, duplicates, round trips."""
from __future__ import annotations

import pytest
from pymarc import Field, Indicators, Record, Subfield

from counter_tui import cli
from counter_tui.models import Accession, AuditEvent, Biblio, Item, NumberSeries
from counter_tui.services.catalogue import marc
from counter_tui.services.admin import staff
from counter_tui.services.errors import PermissionDenied, Refusal
from tests.conftest import NOW

FS, RS, GS = b"\x1f", b"\x1e", b"\x1d"


def book(title: str, author: str = "", isbn: str | None = None, copies=(), *, publisher="人民文学出版社",
         year="1996", clc="I242.4", subjects=("章回小说",), language="chi", number="") -> Record:
    """A UTF-8 MARC 21 record; copies are (barcode, call number, item type, price) for 952s."""
    r = Record(force_utf8=True, leader="00000nam a2200000 i 4500")
    if number:
        r.add_field(Field(tag="001", data=number))
    r.add_field(Field(tag="008", data=f"961125s{year}    cc            000 0 {language} d"))
    if isbn:
        r.add_field(Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", f"{isbn} (pbk.)")]))
    r.add_field(Field(tag="084", indicators=Indicators(" ", " "),
                      subfields=[Subfield("a", clc), Subfield("2", "clc")]))
    if author:
        r.add_field(Field(tag="100", indicators=Indicators("1", " "), subfields=[Subfield("a", author + ",")]))
    r.add_field(Field(tag="245", indicators=Indicators("1", "0"),
                      subfields=[Subfield("a", title + " /"), Subfield("c", author + ".")]))
    r.add_field(Field(tag="264", indicators=Indicators(" ", "1"), subfields=[
        Subfield("a", "北京 :"), Subfield("b", publisher + ","), Subfield("c", year + ".")]))
    for s in subjects:
        r.add_field(Field(tag="650", indicators=Indicators(" ", "7"), subfields=[Subfield("a", s)]))
    for barcode, call, kind, price in copies:
        r.add_field(Field(tag="952", indicators=Indicators(" ", " "), subfields=[
            Subfield("a", "MAIN"), Subfield("c", "Stacks"), Subfield("o", call), Subfield("p", barcode),
            Subfield("y", kind), Subfield("g", price), Subfield("d", "2020-09-01"), Subfield("e", "gift")]))
    return r


def raw_record(fields: list[tuple[str, bytes]], coding: bytes = b" ") -> bytes:
    """ISO 2709 bytes by hand: (tag, field bytes without the field terminator)."""
    directory, body = b"", b""
    for tag, data in fields:
        data += RS
        directory += tag.encode() + b"%04d%05d" % (len(data), len(body))
        body += data
    base = 24 + len(directory) + 1
    length = base + len(body) + 1
    leader = b"%05dnam " % length + coding + b"22%05d   4500" % base
    return leader + directory + RS + body + GS


def marc8_cafe() -> bytes:
    """A MARC-8 record: 'Café' with é as MARC-8's combining acute (0xE2) before the 'e'."""
    return raw_record([("008", b"961125s1996    fr            000 0 fre d"),
                       ("100", b"1 " + FS + b"aRen\xe2e, Jean"),
                       ("245", b"10" + FS + b"aCaf\xe2e au lait /" + FS + b"cJean Ren\xe2e."),
                       ("952", b"  " + FS + b"pLEG-CAFE" + FS + b"ybook" + FS + b"g12.50")])


def items_of(title: str) -> list[Item]:
    return list(Item.select().join(Biblio).where(Biblio.title == title).order_by(Item.accession_number))


def test_utf8_file_with_copies_becomes_titles_copies_and_register_lines(cataloguer, tmp_path):
    path = tmp_path / "books.mrc"
    path.write_bytes(book("红楼梦", "曹雪芹", "9787020002207", [("30234000517861", "I242.47/1", "book", "59.70"),
                                                             ("30234000517879", "I242.47/1", "book", "59.70")],
                          number="b1").as_marc()
                     + book("The Hobbit", "Tolkien, J. R. R.", "0261102214", clc="I561.45").as_marc())
    report = marc.import_marc(cataloguer, path, now=NOW)
    assert report.read == 2 and len(report.imported) == 2 and not report.rejected and report.copies_added == 2
    dream = Biblio.get(Biblio.title == "红楼梦")
    assert (dream.author, dream.isbn, dream.publisher, dream.year, dream.language, dream.classification,
            dream.subjects) == ("曹雪芹", "9787020002207", "人民文学出版社", 1996, "chi", "I242.4", "章回小说")
    assert Biblio.get(Biblio.title == "The Hobbit").isbn == "9780261102217"  # ISBN-10 stored as 13 digits
    copies = items_of("红楼梦")
    assert [(c.barcode, c.call_number, c.price, str(c.acquired_on), c.source, c.status, c.location)
            for c in copies] == [("30234000517861", "I242.47/1", 5970, "2020-09-01", "gift", "available", "Stacks"),
                                 ("30234000517879", "I242.47/1", 5970, "2020-09-01", "gift", "available", "Stacks")]
    register = {a.item_id: a for a in Accession.select()}
    assert [register[c.id].number for c in copies] == [c.accession_number for c in copies] == [1, 2]
    assert register[copies[0].id].price == 5970 and register[copies[0].id].staff_id == cataloguer.id
    assert NumberSeries.get(NumberSeries.name == "accession_number").last == 2
    assert copies[0].call_sort  # shelf order key from domain/callnumbers
    stored = Record(data=bytes(dream.marc), force_utf8=True)
    assert stored["245"]["a"] == "红楼梦 /" and stored.get_fields("952") == []
    assert AuditEvent.select().where(AuditEvent.action == "marc.import").count() == 1


def test_marc8_and_lying_leaders_are_read_right(cataloguer):
    cafe_utf8 = raw_record([("245", b"10" + FS + "aCafé crème".encode())], coding=b" ")  # says MARC-8, is UTF-8
    says_utf8 = raw_record([("245", b"10" + FS + b"aNa\xe2ive")], coding=b"a")  # says UTF-8, is MARC-8
    report = marc.import_marc(cataloguer, marc8_cafe() + cafe_utf8 + says_utf8, now=NOW)
    assert not report.rejected
    titles = [t for _, _, t in report.imported]
    assert titles == ["Café au lait", "Café crème", "Naíve"]
    assert Biblio.get(Biblio.title == "Café au lait").author == "René, Jean"
    assert items_of("Café au lait")[0].price == 1250
    notes = dict(report.notes)
    assert "says MARC-8 but the record is UTF-8" in notes[2]
    assert "says UTF-8 but the record is not valid UTF-8" in notes[3]
    assert 1 not in notes  # a true MARC-8 record is not a lie


def test_broken_records_are_rejected_with_number_and_reason_and_the_rest_imports(cataloguer):
    good = [book(title, "Writer", copies=[(f"LEG-{n}", "", "book", "")]).as_marc()
            for n, title in enumerate(("Apples", "Bridges", "Comets", "Dunes"))]
    truncated = bytearray(book("Cut short", "Writer").as_marc())
    del truncated[60:80]  # bytes lost in the middle; the Leader still says the old length
    bad_directory = bytearray(book("Bad directory", "Writer").as_marc())
    bad_directory[24 + 12 + 4:24 + 12 + 9] = b"9x999"  # an offset that is not a number
    no_title = raw_record([("100", b"1 " + FS + b"aSomebody")], coding=b"a")
    data = good[0] + bytes(truncated) + good[1] + bytes(bad_directory) + good[2] + no_title + good[3] + b"00042nam"
    report = marc.import_marc(cataloguer, data, now=NOW)
    assert report.read == 8
    reasons = dict(report.rejected)
    assert sorted(reasons) == [2, 4, 6, 8]
    assert "cut short" in reasons[2]
    assert "directory entry" in reasons[4]
    assert "no title" in reasons[6]
    assert "ends in the middle" in reasons[8]
    assert [n for n, _, _ in report.imported] == [1, 3, 5, 7]
    assert Biblio.select().count() == 4 and Item.select().count() == 4 and Accession.select().count() == 4
    assert "record 2: the Leader says" in report.text()


def test_bad_and_taken_barcodes_leave_out_the_copy_not_the_record(cataloguer, lib):
    lib.item(barcode="30234000517861")
    data = book("Two copies", "Writer", copies=[("30234000517861", "", "book", "1"),  # already a copy here
                                                ("30234000517862", "", "book", "1"),  # wrong Luhn check digit
                                                ("21234000000018", "", "book", "1"),  # a reader's card
                                                ("LEGACY-77", "", "BK", "1")]).as_marc()
    data += book("Same label again", "Other", copies=[("LEGACY-77", "", "book", "")]).as_marc()
    report = marc.import_marc(cataloguer, data, now=NOW)
    assert len(report.imported) == 2
    left = {(n, code): why for n, code, why in report.copies_rejected}
    assert "already in the library" in left[(1, "30234000517861")]
    assert "check digit" in left[(1, "30234000517862")]
    assert "card" in left[(1, "21234000000018")]
    assert "earlier record of this file" in left[(2, "LEGACY-77")]
    assert [c.barcode for c in items_of("Two copies")] == ["LEGACY-77"]
    assert items_of("Two copies")[0].item_type.code == "book"  # unknown type BK filed as the default
    assert any("'BK'" in note for _, note in report.notes)


def test_duplicates_skip_add_copies_or_new(cataloguer):
    marc.import_marc(cataloguer, book("红楼梦", "曹雪芹", "9787020002207",
                                      [("30234000517861", "I242.47/1", "book", "20")]).as_marc(), now=NOW)
    again = (book("红楼梦", "曹雪芹", "7-02-000220-X", [("30234000517879", "I242.47/1", "book", "20")]).as_marc()
             + book("红楼梦", "曹雪芹", "", [("30234000517887", "I242.47/1", "book", "20")]).as_marc())
    skipped = marc.import_marc(cataloguer, again, policy="skip", now=NOW)
    assert not skipped.imported and [d.action for d in skipped.duplicates] == ["skipped", "skipped"]
    assert skipped.duplicates[0].reason == "same ISBN" and skipped.duplicates[1].reason == "similar title and author"
    assert f"title {Biblio.get().id}" in skipped.duplicates[0].matched
    assert Biblio.select().count() == 1 and Item.select().count() == 1

    added = marc.import_marc(cataloguer, again, policy="add-copies", now=NOW)
    assert Biblio.select().count() == 1 and added.copies_added == 2
    assert [c.barcode for c in items_of("红楼梦")] == ["30234000517861", "30234000517879", "30234000517887"]
    assert "1 copy added to it" in added.duplicates[0].action
    assert Accession.select().count() == 3

    within = (book("Only once", "A. Writer", "9780306406157").as_marc()
              + book("Only once", "A. Writer", "9780306406157", [("LEG-9", "", "book", "")]).as_marc())
    new = marc.import_marc(cataloguer, within, policy="add-copies", now=NOW)
    assert [n for n, _, _ in new.imported] == [1]
    assert new.duplicates[0].matched == "record 1 of this file"
    assert [c.barcode for c in items_of("Only once")] == ["LEG-9"]
    forced = marc.import_marc(cataloguer, within, policy="new", now=NOW)
    assert len(forced.imported) == 2 and Biblio.select().where(Biblio.title == "Only once").count() == 3


def test_dry_run_writes_nothing_and_reports_the_same(cataloguer):
    data = book("Dry", "Writer", copies=[("LEG-1", "", "book", "")]).as_marc() + b"garbage" + GS
    report = marc.import_marc(cataloguer, data, dry_run=True, now=NOW)
    assert [n for n, _, _ in report.imported] == [1] and report.copies_added == 1 and dict(report.rejected).keys() == {2}
    assert "would be imported" in report.summary and "dry run" in report.text()
    assert Biblio.select().count() == 0 and Item.select().count() == 0 and AuditEvent.select().where(
        AuditEvent.action == "marc.import").count() == 0
    assert not NumberSeries.select().where(NumberSeries.name == "accession_number").exists()


def test_only_cataloguers_and_the_curator_import_or_export(clerk, tmp_path):
    with pytest.raises(PermissionDenied, match="cataloguers or the curator"):
        marc.import_marc(clerk, book("Refused", "Writer", copies=[("LEG-1", "", "book", "")]).as_marc(), now=NOW)
    assert Biblio.select().count() == 0 and Item.select().count() == 0
    with pytest.raises(PermissionDenied):
        marc.export_marc(clerk, tmp_path / "out.mrc")
    assert not (tmp_path / "out.mrc").exists()
    with pytest.raises(Refusal, match="policy"):
        marc.import_marc(staff.add_staff(None, "c2", "C", "correct horse", ["cataloging"], NOW), b"", policy="merge")


def _library_state() -> list[tuple]:
    rows = []
    for b in Biblio.select().order_by(Biblio.title):
        copies = [(i.barcode, i.call_number, i.location, i.item_type.code, i.price, str(i.acquired_on), i.source,
                   i.volume) for i in Item.select().where(Item.biblio == b.id).order_by(Item.barcode)]
        rows.append((b.title, b.author, b.edition, b.publisher, b.year, b.isbn, b.issn, b.language,
                     b.classification, b.book_number, b.subjects, copies))
    return rows


@pytest.mark.parametrize("fmt", ["iso2709", "marcxml"])
def test_export_imports_back_to_the_same_data(cataloguer, tmp_path, settings, fmt):
    source = (book("红楼梦", "曹雪芹", "9787020002207", [("30234000517861", "I242.47/1", "book", "59.70")]).as_marc()
              + marc8_cafe()
              + book("Statistics", "", "9780306406157", subjects=("Statistics -- Data processing", "Probabilities"),
                     copies=[("LEG-1", "O21/3", "reference", "12")]).as_marc())
    marc.import_marc(cataloguer, source, now=NOW)
    # a title catalogued by hand (no MARC) and an edit made after the import both go out too
    Biblio.create(title="Hand made", author="Clerk", edition="2nd ed", publisher="Local Press", year=2001,
                  issn="03785955", language="eng", classification="Z228", book_number="3", subjects="Libraries",
                  created_at=NOW)
    Biblio.update(title="Statistics for all", edition="3rd ed").where(Biblio.title == "Statistics").execute()
    before = _library_state()
    out = tmp_path / ("all.xml" if fmt == "marcxml" else "all.mrc")
    result = marc.export_marc(cataloguer, out, fmt)
    assert (result.records, result.copies) == (4, 3)
    if fmt == "marcxml":
        assert out.read_bytes().lstrip().startswith(b"<")

    # a fresh library (a SQLite file, also when the first one is on PostgreSQL)
    from counter_tui import db
    from counter_tui.services.admin import schema, setup
    db.database.close()
    db.connect(f"sqlite:///{tmp_path / 'fresh.db'}")
    schema.create_schema()
    db.write(setup.seed_standard_rows)
    head = staff.add_staff(None, "head", "Head", "correct horse", ["curator"], NOW)
    report = marc.import_marc(head, out, now=NOW)
    assert not report.rejected and not report.copies_rejected and len(report.imported) == 4
    assert _library_state() == before


def test_export_of_a_selection_by_search(cataloguer, tmp_path):
    marc.import_marc(cataloguer, book("红楼梦", "曹雪芹", "9787020002207").as_marc()
                     + book("西游记", "吴承恩", "9787020008728").as_marc()
                     + book("The Hobbit", "Tolkien").as_marc(), now=NOW)
    assert [t for _, t, _, _ in marc.find_titles("9787020008728")] == ["西游记"]
    assert [t for _, t, _, _ in marc.find_titles("tolk")] == ["The Hobbit"]
    ids = [row[0] for row in marc.find_titles("红楼")]
    result = marc.export_marc(cataloguer, tmp_path / "one.mrc", "iso2709", ids)
    assert result.records == 1
    from pymarc import MARCReader
    with open(tmp_path / "one.mrc", "rb") as fh:
        assert [r["245"]["a"] for r in MARCReader(fh)] == ["红楼梦 /"]


def test_the_command_prints_the_report_and_fails_only_when_nothing_could_be_read(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(cli.PASSWORD_ENV, "a good password")
    monkeypatch.setenv("COUNTER_TUI_CONFIG", str(tmp_path / "none.toml"))
    database = str(tmp_path / "lib.db")
    cli.main(["init", "--username", "head", "--db", database])
    capsys.readouterr()
    good = tmp_path / "good.mrc"
    good.write_bytes(book("红楼梦", "曹雪芹", "9787020002207", [("LEG-1", "", "book", "")]).as_marc() + b"junk" + GS)
    cli.main(["marc", "import", str(good), "--dry-run", "--as", "head", "--db", database, "-q"])
    out = capsys.readouterr().out
    assert "1 would be imported" in out and "record 2:" in out
    assert Biblio.select().count() == 0
    cli.main(["marc", "import", str(good), "--duplicates", "add-copies", "--status", "in-processing",
              "--as", "head", "--db", database, "-q"])
    assert "1 imported" in capsys.readouterr().out
    assert Item.get().status == "in processing"
    junk = tmp_path / "junk.mrc"
    junk.write_bytes(b"this is not MARC at all" + GS)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["marc", "import", str(junk), "--as", "head", "--db", database, "-q"])
    assert stopped.value.code == 1 and "record 1:" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="There is no file"):
        cli.main(["marc", "import", str(tmp_path / "missing.mrc"), "--as", "head", "--db", database])
    cli.main(["marc", "export", str(tmp_path / "out.xml"), "--search", "红楼梦", "--as", "head", "--db", database])
    assert "Exported 1 record with 1 copy" in capsys.readouterr().out
    assert b"LEG-1" in (tmp_path / "out.xml").read_bytes()


# ---- the screen ------------------------------------------------------------------------------------

async def _settle(pilot, screen) -> None:
    """Wait until the screen's import or export has finished (15 s at most)."""
    import asyncio
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    await pilot.pause()
    while screen.busy:
        assert loop.time() < deadline, "the screen did not finish in time"
        await pilot.pause(0.02)
    await pilot.pause()


async def test_the_screen_dry_runs_imports_with_a_policy_and_exports(cataloguer, settings, tmp_path):
    from textual.widgets import Input, Log, ProgressBar, Static

    from counter_tui.app import CounterApp
    from counter_tui.screens import posts
    from counter_tui.screens.catalogue.marc import MarcScreen

    assert any(e.id == "marc" and "cataloging" in e.roles for p in posts.posts() for e in p.entries)
    marc.import_marc(cataloguer, book("红楼梦", "曹雪芹", "9787020002207").as_marc(), now=NOW)
    settings.files_folder = str(tmp_path / "library")  # the desk writes in the library's own folder
    path = tmp_path / "batch.mrc"
    path.write_bytes(book("红楼梦", "曹雪芹", "9787020002207", [("LEG-1", "", "book", "")]).as_marc()
                     + b"not a record" + GS + book("西游记", "吴承恩", copies=[("LEG-2", "", "book", "")]).as_marc())
    app = CounterApp(settings, cataloguer)
    settle = _settle

    def summary(screen) -> str:
        return str(screen.query_one("#summary", Static).content)

    def report(screen) -> str:
        return "\n".join(str(line) for line in screen.query_one("#report", Log).lines)

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = MarcScreen()
        await app.push_screen(screen)
        await pilot.pause()
        screen.query_one("#path", Input).value = str(path)
        await pilot.press("enter")  # the dry run
        await settle(pilot, screen)
        assert "3 records read: 1 would be imported, 1 duplicate, 1 rejected" in summary(screen)
        assert "record 2: " in report(screen) and "skipped" in report(screen)
        assert Biblio.select().count() == 1
        reports = tmp_path / "library" / "reports"  # the report is in the library's folder, not beside the file
        assert (reports / "batch.mrc.dry-run.report.txt").read_text().startswith("MARC import (dry run")
        await pilot.press("ctrl+t")  # skip -> add copies
        assert "add their copies" in str(screen.query_one("#options", Static).content)
        await pilot.press("ctrl+r", "ctrl+r")  # ISBN only, and back to ISBN or title
        assert "similar title and author" in str(screen.query_one("#options", Static).content)
        await pilot.press("ctrl+s")
        await settle(pilot, screen)
        assert "1 imported, 1 duplicate, 1 rejected; 2 copies added" in summary(screen)
        assert screen.query_one(ProgressBar).percentage == 1
        assert sorted(c.barcode for c in Item.select()) == ["LEG-1", "LEG-2"]
        assert Biblio.select().count() == 2
        assert "record 2:" in (reports / "batch.mrc.report.txt").read_text()
        assert not list(tmp_path.glob("*.report.txt"))

        screen.query_one("#out", Input).value = "one.xml"  # a bare name: the library's exports folder
        screen.query_one("#term", Input).value = "西游"
        screen.query_one("#term", Input).focus()
        await pilot.press("enter")
        await settle(pilot, screen)
        assert "Exported 1 record with 1 copy" in summary(screen)
        assert "西游记" in (tmp_path / "library" / "exports" / "one.xml").read_text(encoding="utf-8")


async def test_the_screen_shows_no_import_keys_to_a_desk_clerk(clerk, settings):
    from counter_tui.app import CounterApp
    from counter_tui.screens.catalogue.marc import MarcScreen

    app = CounterApp(settings, clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = MarcScreen()
        await app.push_screen(screen)
        await pilot.pause()
        assert screen.check_action("import_file", ()) is False
        assert "cataloguer or the curator" in str(screen.query_one("#summary").content)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert Biblio.select().count() == 0


def test_marcxml_with_a_broken_record_imports_the_rest(cataloguer):
    from pymarc import record_to_xml
    first = record_to_xml(book("红楼梦", "曹雪芹", "9787020002207", [("LEG-1", "", "book", "5")]), namespace=True)
    third = record_to_xml(book("西游记", "吴承恩"), namespace=True)
    broken = (b'<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 a 4500</leader>'
              b'<datafield tag="24" ind1="1" ind2="0"><subfield code="a">Bad tag</subfield></datafield></record>')
    data = (b'<?xml version="1.0" encoding="UTF-8"?><collection xmlns="http://www.loc.gov/MARC21/slim">'
            + first + broken + third + b"</collection>")
    report = marc.import_marc(cataloguer, data, now=NOW)
    assert report.format == "marcxml" and report.read == 3
    assert [n for n, _, _ in report.imported] == [1, 3]
    assert report.rejected == [(2, "a data field has a bad tag '24'")]
    assert [c.barcode for c in items_of("红楼梦")] == ["LEG-1"]
    with pytest.raises(Refusal, match="not readable MARCXML"):
        marc.import_marc(cataloguer, b"<collection><record>", now=NOW)
    assert Biblio.select().count() == 2


def test_a_batch_the_database_refuses_is_written_again_record_by_record(cataloguer, settings):
    from counter_tui import db
    if not settings.db_url.startswith("sqlite"):
        pytest.skip("the refusing trigger is written for SQLite")
    db.database.execute_sql("CREATE TRIGGER poison BEFORE INSERT ON biblio WHEN new.title = 'Poison' "
                            "BEGIN SELECT RAISE(ABORT, 'no poison here'); END")
    data = b"".join(book(title, "Writer", copies=[(f"LEG-{n}", "", "book", "")]).as_marc()
                    for n, title in enumerate(("Apples", "Poison", "Comets")))
    report = marc.import_marc(cataloguer, data, now=NOW)
    assert [n for n, _, _ in report.imported] == [1, 3]
    assert report.rejected[0][0] == 2 and "no poison here" in report.rejected[0][1]
    assert report.copies_added == 2
    assert sorted(i.barcode for i in Item.select()) == ["LEG-0", "LEG-2"]
    assert Accession.select().count() == 2  # nothing of the refused record half-written


def test_matching_by_isbn_only_leaves_similar_titles_alone(cataloguer):
    marc.import_marc(cataloguer, book("红楼梦", "曹雪芹", "9787020002207").as_marc(), now=NOW)
    data = book("红楼梦", "曹雪芹", "9787020008728").as_marc() + book("Other", "X", "9787020002207").as_marc()
    report = marc.import_marc(cataloguer, data, match="isbn", now=NOW)
    assert [n for n, _, _ in report.imported] == [1]
    assert [(d.number, d.reason) for d in report.duplicates] == [(2, "same ISBN")]
    assert "matched by isbn" in report.text()
    with pytest.raises(Refusal, match="matched by"):
        marc.import_marc(cataloguer, data, match="title", now=NOW)


# ---- numbers that tell books apart, and a dry run that answers what the import will do ---------------

def _fresh_library(path):
    """Another library in a SQLite file (also when the first one is on PostgreSQL); its curator."""
    from counter_tui import db
    from counter_tui.services.admin import schema, setup
    db.database.close()
    db.connect(f"sqlite:///{path}")
    schema.create_schema()
    db.write(setup.seed_standard_rows)
    return staff.add_staff(None, "head", "Head", "correct horse", ["curator"], NOW)


def _figures(report: marc.ImportReport) -> tuple:
    """Everything a report counts, without the biblio ids a dry run cannot know."""
    return ([n for n, _, _ in report.imported], [(d.number, d.matched, d.reason, d.action) for d in report.duplicates],
            report.rejected, report.copies_added, report.copies_rejected)


def _volumes_years_and_editions(lib) -> None:
    """A catalogue made without MARC (as the demo's): bound volumes of one journal for several
    years, numbered volumes, the parts of a set, editions, and two records the catalogue keeps
    apart although nothing tells them apart."""
    from counter_tui.models import ItemType
    rows = [("经济研究 2015年合订本", "", "", 2015, None), ("经济研究 2019年合订本", "", "", 2019, None),
            ("经济研究 2021年合订本", "", "", 2021, None),
            ("红楼梦 第1卷", "曹雪芹", "", 1996, "9787020002207"), ("红楼梦 第2卷", "曹雪芹", "", 1996, "9787020002207"),
            ("红楼梦 第三卷", "曹雪芹", "", 1996, None),
            ("西游记（上）", "吴承恩", "", 2005, None), ("西游记（下）", "吴承恩", "", 2005, None),
            ("A History of Modern China, Vol. 1", "Wang, Ming", "", 2001, None),
            ("A History of Modern China, Vol. 2", "Wang, Ming", "", 2001, None),
            ("A History of Modern China", "Wang, Ming", "", 2001, None),
            ("Statistics", "Freedman, David", "2nd ed", 1991, None),
            ("Statistics", "Freedman, David", "3rd ed", 1998, None),
            ("Nature, vol. 121 (2021)", "", "", 2021, None), ("Nature, vol. 121 (2021)", "", "", 2021, None)]
    book_type = ItemType.get(ItemType.code == "book")
    for n, (title, author, edition, year, isbn) in enumerate(rows):
        b = Biblio.create(title=title, author=author, edition=edition, year=year, isbn=isbn, classification="I242.4",
                          issn="05779154" if "经济研究" in title else None, created_at=NOW)
        for copy in range(1 + n % 2):
            item = Item.create(barcode=f"LEG-{n}-{copy}", accession_number=2 * n + copy + 1, biblio=b,
                               call_number=f"I242.4/{n}", item_type=book_type, price=100, status="available",
                               location="Stacks", volume="", acquired_on=NOW.date(), source="purchase")
            Accession.create(number=item.accession_number, item=item, received_on=NOW.date(), source="purchase",
                             price=100, at=NOW, staff=lib.clerk)


@pytest.mark.parametrize("control_numbers", [True, False], ids=["with-001", "without-001"])
def test_a_round_trip_keeps_every_year_volume_part_and_edition(cataloguer, lib, tmp_path, control_numbers):
    """经济研究 2015年合订本 is not 2019年合订本, 第2卷 not 第1卷, Vol. 2 not Vol. 1 nor the title
    without a number, 下 not 上, the 3rd edition not the 2nd: a fresh library takes them all.
    Two records of the file with different control numbers (001) are two records of the
    catalogue it came from, however alike; without control numbers those two are one book."""
    from pymarc import MARCReader
    _volumes_years_and_editions(lib)
    before = _library_state()
    out = tmp_path / "all.mrc"
    result = marc.export_marc(cataloguer, out)
    assert (result.records, result.copies) == (15, 22)
    if not control_numbers:  # a file from a system that writes none
        with open(out, "rb") as fh:
            records = list(MARCReader(fh, to_unicode=True, force_utf8=True))
        for r in records:
            r.remove_fields("001")
        out.write_bytes(b"".join(r.as_marc() for r in records))
    head = _fresh_library(tmp_path / "fresh.db")
    dry = marc.import_marc(head, out, dry_run=True, now=NOW)
    report = marc.import_marc(head, out, now=NOW)
    assert _figures(dry) == _figures(report)
    if control_numbers:
        assert len(report.imported) == 15 and not report.duplicates and report.copies_added == 22
        assert sorted(_library_state()) == sorted(before)  # titles alike come in any order
    else:
        assert [(d.number, d.matched, d.reason) for d in report.duplicates] == [
            (15, "record 14 of this file", "same title and author")]
        assert len(report.imported) == 14 and report.copies_added == 21
        twins = [row for row in before if row[0] == "Nature, vol. 121 (2021)"]
        assert sorted(_library_state()) == sorted([row for row in before if row not in twins] + twins[:1])


@pytest.mark.parametrize("policy", ["skip", "add-copies", "new"])
def test_the_dry_run_answers_what_the_import_will_do_with_records_earlier_in_the_file(cataloguer, policy):
    """Later records of a file that duplicate earlier ones, in every way the import knows: the dry
    run's figures are the import's, to the record."""
    lit = "An Introduction to Modern Chinese Literature"
    data = b"".join(r.as_marc() for r in (
        book(lit, "Hong Zicheng", copies=[("LEG-1", "", "book", "")]),                          # 1
        book("Fortress Besieged", "Qian Zhongshu", "9787020024759", [("LEG-2", "", "book", "")]),  # 2
        book(lit + "s", "Hong Zicheng", copies=[("LEG-3", "", "book", "")]),                      # 3: similar title
        book("Weicheng", "Qian Zhongshu", "7020024750", [("LEG-4", "", "book", "")]),             # 4: same ISBN
        book("围城 第1卷", "钱锺书", copies=[("LEG-5", "", "book", "")]),                            # 5
        book("围城 第2卷", "钱锺书", copies=[("LEG-6", "", "book", "")]),                            # 6: another volume
        book("The Scholars", "Wu Jingzi", copies=[("LEG-7", "", "book", "")], number="ocm1"),      # 7
        book("The Scholars.", "Wu Jingzi", copies=[("LEG-8", "", "book", "")], number="ocm1"),     # 8: 7 again
        book("Rulin waishi", "Wu Jingzi", copies=[("LEG-9", "", "book", "")], number="ocm2"),      # 9
        book("Rulin waishi", "Wu Jingzi", copies=[("LEG-10", "", "book", "")], number="ocm3"),     # 10: kept apart
        book("Statistics", "Freedman", year="1998", copies=[("LEG-11", "", "book", "")]),          # 11
        book("Statistics", "Freedman", year="2007", copies=[("LEG-12", "", "book", "")]),          # 12: another year
        book("Statistics", "Freedman", year="2007", copies=[("LEG-12", "", "book", "")]),          # 13: 12 again
    ))
    dry = marc.import_marc(cataloguer, data, dry_run=True, policy=policy, now=NOW)
    assert Biblio.select().count() == 0
    real = marc.import_marc(cataloguer, data, policy=policy, now=NOW)
    assert _figures(dry) == _figures(real)
    assert dry.summary.replace("would be ", "") == real.summary
    assert [(d.number, d.matched, d.reason) for d in real.duplicates] == [
        (3, "record 1 of this file", "similar title and author"), (4, "record 2 of this file", "same ISBN"),
        (8, "record 7 of this file", "same title and author"), (13, "record 12 of this file", "same title and author")]
    titles = {"skip": 9, "add-copies": 9, "new": 13}[policy]
    assert Biblio.select().count() == titles == len(real.imported)
    if policy == "add-copies":
        assert [c.barcode for c in items_of(lit)] == ["LEG-1", "LEG-3"]


def test_pymarc_warnings_go_to_the_report_not_the_terminal(cataloguer, tmp_path, monkeypatch, capfd, caplog):
    """A record with three indicators, one with none, one with a non-ASCII subfield code and a
    MARC-8 one cut inside a multi-byte character: pymarc mends them and says so; its words go
    to the report, one line per record, and never to the terminal (a desk's screen would be
    garbled), from the service and from the command."""
    import subprocess
    import sys
    import warnings

    good = book("Apples", "Writer").as_marc()
    indicators = raw_record([("245", b"10x" + FS + b"aThree indicators"), ("650", FS + b"aNo indicators")],
                            coding=b"a")
    code = raw_record([("245", b"10" + FS + "\u00e9Bad code".encode() + FS + b"aCode"), ], coding=b"a")
    cut = raw_record([("245", b"10" + FS + b"aCut \x1b$1\x21\x30")], coding=b" ")
    path = tmp_path / "mended.mrc"
    path.write_bytes(good + indicators + code + cut)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = marc.import_marc(cataloguer, path, dry_run=True, now=NOW)
    assert len(report.imported) == 4 and not report.rejected
    assert not [r for r in caplog.records if r.name.startswith("pymarc")]
    assert not [w for w in caught if "pymarc" in w.filename]
    assert capfd.readouterr() == ("", "")
    text = report.text()
    assert "Read with warnings" in text and "  record 2: pymarc: more than 2 indicators found in field 245" in text
    said = dict(report.warnings)
    assert sorted(said) == [2, 3, 4]
    assert said[2] == "pymarc: more than 2 indicators found in field 245; missing indicators in field 650"
    assert "non-ASCII subfield code" in said[3]
    assert "Multi-byte position" in said[4]

    # the command, as a clerk runs it: nothing but the report on the terminal
    monkeypatch.setenv(cli.PASSWORD_ENV, "a good password")
    monkeypatch.setenv("COUNTER_TUI_CONFIG", str(tmp_path / "none.toml"))
    database = str(tmp_path / "lib.db")
    cli.main(["init", "--username", "head", "--db", database])
    capfd.readouterr()
    done = subprocess.run([sys.executable, "-m", "counter_tui", "marc", "import", str(path), "--as", "head",
                           "--db", database, "-q"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "  record 2: pymarc: more than 2 indicators found in field 245" in done.stdout
    assert "  record 4: pymarc: Multi-byte position" in done.stdout


async def test_the_screen_reports_pymarc_warnings_with_the_record_number(cataloguer, settings, tmp_path, caplog):
    """The desk's screen shows pymarc's words in its report; none reach the log or the terminal."""
    from textual.widgets import Input, Log

    from counter_tui.app import CounterApp
    from counter_tui.screens.catalogue.marc import MarcScreen

    path = tmp_path / "mended.mrc"
    path.write_bytes(book("Apples", "Writer").as_marc()
                     + raw_record([("245", b"10x" + FS + b"aThree indicators")], coding=b"a"))
    app = CounterApp(settings, cataloguer)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = MarcScreen()
        await app.push_screen(screen)
        await pilot.pause()
        screen.query_one("#path", Input).value = str(path)
        await pilot.press("enter")  # the dry run
        await _settle(pilot, screen)
        lines = [str(line) for line in screen.query_one("#report", Log).lines]
    assert "  record 2: pymarc: more than 2 indicators found in field 245" in lines
    assert not [r for r in caplog.records if r.name.startswith("pymarc")]
