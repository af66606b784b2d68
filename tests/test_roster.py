"""Roster import: real CSV files in every encoding, every bad-row class, all or nothing, the CLI."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from counter_tui import cli, db
from counter_tui.domain.barcodes import library_barcode
from counter_tui.domain.calendar import local_date
from counter_tui.models import AuditEvent, CardEvent, NumberSeries, Patron, PatronCategory
from counter_tui.services.readers import roster
from counter_tui.services.admin import staff
from counter_tui.services.errors import PermissionDenied, Refusal
from tests.conftest import NOW, ZONE

TODAY = local_date(NOW, ZONE)


@pytest.fixture
def office(clerk):
    return staff.add_staff(None, "office", "Office Clerk", "correct horse", ["office"], NOW)  # the clerk's too


def write(tmp_path, text: str, encoding: str = "utf-8", name: str = "roster.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def state() -> tuple:
    """Everything an import may change, to prove that a refusal changed nothing."""
    return (sorted(Patron.select(Patron.card, Patron.name, Patron.department, Patron.phone, Patron.email,
                                 Patron.category, Patron.id_number).tuples()),
            CardEvent.select().count(), AuditEvent.select().count(),
            sorted(NumberSeries.select(NumberSeries.name, NumberSeries.last).tuples()))


STUDENTS_EN = ("name,id,class,category,phone,email\n"
               "Li Lei,2024001,Grade 7 Class 1,student,138 0013 8000,li.lei@example.edu\n"
               "Han Meimei,2024002,Grade 7 Class 1,Student,,\n"
               "Jim Green,T0001,Physics,teacher,+86-10-6275-1234,jim@example.edu\n")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_with_and_without_bom_imports_new_readers(tmp_path, office, encoding):
    path = write(tmp_path, STUDENTS_EN, encoding)
    plan = roster.plan_import(office, path)
    assert (plan.encoding, plan.new, plan.updated, plan.unchanged, plan.bad) == (encoding, 3, 0, 0, ())
    assert dict(plan.columns)["id"] == "id_number"  # the BOM is not part of the first header
    result = roster.run_import(office, plan, now=NOW)
    assert (result.new, result.updated, result.skipped) == (3, 0, 0)
    li = Patron.get(Patron.id_number == "2024001")
    assert (li.name, li.department, li.phone, li.email) == (
        "Li Lei", "Grade 7 Class 1", "138 0013 8000", "li.lei@example.edu")
    # expiry from the category: students 1 year, teachers 3
    assert li.expires_on == date(TODAY.year + 1, TODAY.month, TODAY.day)
    assert Patron.get(Patron.id_number == "T0001").expires_on == date(TODAY.year + 3, TODAY.month, TODAY.day)
    assert Patron.get(Patron.id_number == "T0001").category.code == "teacher"


def test_gb18030_file_with_chinese_headers_and_values(tmp_path, office):
    text = ("学号,姓名,班级,读者类型,电话,邮箱,备注\r\n"
            "2024101,李雷,初一(1)班,学生,13800138000,lilei@example.edu.cn,班长\r\n"
            "2024102,韩梅梅,初一(1)班,学生,,,\r\n"
            "J0042,王老师,语文教研组,教师,,,\r\n")
    path = write(tmp_path, text, "gb18030")
    plan = roster.plan_import(office, path)
    assert plan.encoding == "gb18030" and plan.new == 3 and not plan.bad
    assert dict(plan.columns) == {"学号": "id_number", "姓名": "name", "班级": "department", "读者类型": "category",
                                  "电话": "phone", "邮箱": "email", "备注": "notes"}
    roster.run_import(office, plan, now=NOW)
    li = Patron.get(Patron.id_number == "2024101")
    assert (li.name, li.department, li.notes, li.category.code) == ("李雷", "初一(1)班", "班长", "student")
    assert Patron.get(Patron.name == "王老师").category.code == "teacher"


UTF8_THEN_GB18030 = "name,id,category\n冯小,S1,student\n".encode() + "韩梅,S2,student\n".encode("gb18030")
GB18030_THEN_UTF8 = "name,id,category\n韩梅,S2,student\n".encode("gb18030") + "冯小,S1,student\n".encode()


@pytest.mark.parametrize("data, sentence", [
    (UTF8_THEN_GB18030, "The file mixes two encodings: line 2 is UTF-8 and line 3 is GB18030, so names would be "
                        "garbled; nothing was imported."),
    (GB18030_THEN_UTF8, "The file mixes two encodings: line 2 is GB18030 and line 3 is UTF-8"),
    (b"\xef\xbb\xbf" + UTF8_THEN_GB18030, "starts with a byte-order mark\\) but line 3 is not UTF-8"),
    ("name,id,category\n韩梅,S2,student\n".encode("gb18030") + b"\x81\x20x,S3,student\n",
     "Line 3 of the file is neither UTF-8 nor GB18030"),
])
def test_a_file_that_mixes_encodings_is_refused_naming_the_line_and_renames_no_one(tmp_path, office, lib,
                                                                                   data, sentence):
    lib.patron(name="冯小", id_number="S1")  # read as GB18030 whole, the file would rename her 鍐皬
    before = state()
    with pytest.raises(Refusal, match=sentence):
        roster.plan_import(office, _bytes(tmp_path, data))
    assert state() == before and Patron.get(Patron.id_number == "S1").name == "冯小"


def _bytes(tmp_path, data: bytes):
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    return path


def test_gb18030_names_that_are_valid_utf8_by_chance_are_read_as_gb18030(tmp_path, office):
    """About one short name in fifty, written in GB18030, is also valid UTF-8 (谢小 reads лС): the file
    is still one encoding, and those names are not garbled."""
    text = "name,id,category\n谢小,S1,student\n张伟,S2,student\n叶平,S3,student\n"
    data = text.encode("gb18030")
    assert [line.decode("utf-8") for line in data.split(b"\n")[1:4:2]] == ["лС,S1,student", "Ҷƽ,S3,student"]
    plan = roster.plan_import(office, _bytes(tmp_path, data))
    assert plan.encoding == "gb18030" and not plan.bad
    assert [r.name for r in plan.rows] == ["谢小", "张伟", "叶平"]


def test_the_dry_run_shows_every_name_that_changes_before_and_after(tmp_path, office, lib):
    lib.patron(name="冯小", id_number="S1")
    lib.patron(name="Han Meimei", id_number="S2", department="Grade 6")
    text = "name,id,category,class\n鍐皬,S1,student,\nHan Meimei,S2,student,Grade 7\nWei Hua,S3,student,\n"
    plan = roster.plan_import(office, write(tmp_path, text))
    assert (plan.new, plan.updated) == (1, 2)
    assert [str(r) for r in plan.renamed] == ["line 2 [S1]: 冯小 -> 鍐皬"]  # not Han Meimei: her class changes


def test_new_readers_get_the_next_cards_of_the_series_and_an_issued_event(tmp_path, office, lib):
    lib.patron(name="Existing", card=library_barcode("21234", 41))  # the highest card so far
    path = write(tmp_path, STUDENTS_EN)
    result = roster.run_import(office, roster.plan_import(office, path), now=NOW)
    expected = [library_barcode("21234", n) for n in (42, 43, 44)]
    assert (result.first_card, result.last_card) == (expected[0], expected[-1])
    assert sorted(Patron.select(Patron.card).where(Patron.id_number.is_null(False)).tuples()) == [
        (c,) for c in expected]
    assert NumberSeries.get(NumberSeries.name == "card").last == 44
    events = list(CardEvent.select().order_by(CardEvent.card))
    assert [(e.kind, e.card, e.staff_id, e.patron.card) for e in events] == [
        ("issued", c, office.id, c) for c in expected]
    assert events[0].expires_on == Patron.get(Patron.card == expected[0]).expires_on
    # a second import starts after the series, even though no reader holds those numbers
    more = write(tmp_path, "name,id,category\nZhang San,2024009,student\n", name="more.csv")
    assert roster.run_import(office, roster.plan_import(office, more), now=NOW).first_card == library_barcode("21234", 45)


def test_a_card_given_in_the_file_is_used_and_skipped_by_the_series(tmp_path, office):
    pre_printed = library_barcode("21234", 2)
    text = f"name,id,category,card\nLi Lei,S1,student,\nHan Meimei,S2,student,A{pre_printed}B\nJim,S3,student,\n"
    result = roster.run_import(office, roster.plan_import(office, write(tmp_path, text)), now=NOW)
    assert Patron.get(Patron.id_number == "S2").card == pre_printed  # Codabar letters undone
    assert Patron.get(Patron.id_number == "S1").card == library_barcode("21234", 1)
    assert Patron.get(Patron.id_number == "S3").card == library_barcode("21234", 3)
    assert result.new == 3


def test_known_readers_are_updated_by_identity_number_and_empty_cells_keep_values(tmp_path, office, lib):
    known = lib.patron(name="Li Lei", id_number="2024001", department="Grade 6", phone="111", email="old@x.org",
                       notes="owes a library bag")
    same = lib.patron(name="Han Meimei", id_number="2024002", department="Grade 7 Class 1")
    before = (known.card, known.expires_on)
    text = ("name,id,class,category,phone,email,notes\n"
            "Li Lei,2024001,Grade 7 Class 1,teacher,,new@x.org,class monitor\n"  # phone empty: kept
            "Han Meimei,2024002,Grade 7 Class 1,student,,,a note\n"  # notes alone change nothing
            "Wei Hua,2024003,Grade 7 Class 2,student,,,new here\n")
    plan = roster.plan_import(office, write(tmp_path, text))
    assert (plan.new, plan.updated, plan.unchanged) == (1, 1, 1)
    result = roster.run_import(office, plan, now=NOW)
    assert (result.new, result.updated, result.unchanged) == (1, 1, 1)
    known = Patron.get_by_id(known.id)
    assert (known.department, known.phone, known.email, known.category.code) == (
        "Grade 7 Class 1", "111", "new@x.org", "teacher")
    assert (known.card, known.expires_on) == before  # an import is no card renewal
    assert known.notes == "owes a library bag"  # the desk's notes stay
    assert Patron.get(Patron.id_number == "2024003").notes == "new here"
    assert Patron.get_by_id(same.id).name == "Han Meimei"
    assert CardEvent.select().count() == 1  # only the new reader's card


def test_dry_run_changes_nothing(tmp_path, office, lib):
    lib.patron(name="Li Lei", id_number="2024001")
    before = state()
    plan = roster.plan_import(office, write(tmp_path, STUDENTS_EN))
    assert (plan.new, plan.updated) == (2, 1)
    assert state() == before


BAD_ROWS = [
    # (row, reason fragment)
    ("Zhang Wei,S10,student,,,", None),  # a good row, line 2
    (",S11,student,,,", "no name"),
    ("Wang Fang,,student,,,", "no identity number"),
    ("Liu Yang,S12,visitor from mars,,,", 'unknown category "visitor from mars"'),
    ("Chen Jing,S13,,,,", "no category"),
    ("Yang Li,S14,student,,not-an-email,", 'email "not-an-email" is not an email address'),
    ("Zhao Lei,S15,student,call me,,", 'phone "call me" is not a phone number'),
    ("Huang Min,S16,student,,,31234000000016", "not a reader's card number"),
    ("Zhou Jie,S17,student,,,21234000000017", "check digit"),
    ("Wu Hao,S18,student,,,{taken}", "already belongs to another reader"),
    ("Xu Ming,S19,student,,,{old}", "was another reader's card before"),
    ("Sun Li," + "S20,student,,,," + "extra", "cells but the header names"),
    ("Ma Chao,3.70102E+17,student,,,", "turned into a number by a spreadsheet"),
    ("N" * 101 + ",S21,student,,,", "the name is 101 characters long; at most 100 fit"),
    ("Zhu Lin,S22,student,,,", "identity number S22 is given more than once (lines 16, 17)"),
    ("Hu Yan,S22,student,,,", "identity number S22 is given more than once (lines 16, 17)"),
    ("Lin Tao,S23,student,,,{known_card_wrong}", "this reader's card is"),
]


def bad_file(tmp_path, lib) -> tuple:
    holder = lib.patron(name="Card Holder", id_number="H1")
    old = library_barcode("21234", 900)
    CardEvent.create(patron=holder, kind="replaced", card=old, at=NOW)
    lib.patron(name="Lin Tao", id_number="S23")
    rows = [r.format(taken=holder.card, old=old, known_card_wrong=library_barcode("21234", 950))
            for r, _ in BAD_ROWS]
    return write(tmp_path, "name,id,category,phone,email,card\n" + "\n".join(rows) + "\n"), holder


def test_every_bad_row_is_reported_with_its_line_and_reason(tmp_path, office, lib):
    path, _ = bad_file(tmp_path, lib)
    plan = roster.plan_import(office, path)
    reasons = {b.line: b.reason for b in plan.bad}
    for line, (_, fragment) in enumerate(BAD_ROWS, start=2):
        if fragment is None:
            assert line not in reasons
        else:
            assert fragment in reasons.get(line, ""), (line, fragment, reasons.get(line))
    assert plan.new == 1 and len(plan.bad) == len(BAD_ROWS) - 1
    assert "the categories are external, staff, student, teacher" in reasons[5]


def test_a_file_with_bad_rows_imports_nothing(tmp_path, office, lib):
    path, _ = bad_file(tmp_path, lib)
    plan = roster.plan_import(office, path)
    before = state()
    with pytest.raises(Refusal, match=r"16 of 17 rows are bad \(line 3: no name\); nothing was imported"):
        roster.run_import(office, plan, now=NOW)
    assert state() == before


def test_good_rows_only_imports_the_good_rows(tmp_path, office, lib):
    path, _ = bad_file(tmp_path, lib)
    result = roster.run_import(office, roster.plan_import(office, path), good_rows_only=True, now=NOW)
    assert (result.new, result.skipped) == (1, 16)
    assert Patron.get(Patron.id_number == "S10").name == "Zhang Wei"
    event = AuditEvent.select().where(AuditEvent.action == "readers.import").get()
    assert json.loads(event.new)["bad_rows_skipped"] == 16 and event.staff_id == office.id


def test_the_import_checks_again_what_changed_since_the_dry_run(tmp_path, office, lib):
    plan = roster.plan_import(office, write(tmp_path, "name,id,category,card\nLi Lei,S1,student,21234000000018\n"))
    assert plan.new == 1
    lib.patron(name="Quicker", card="21234000000018")  # another desk issued that card meanwhile
    before = state()
    with pytest.raises(Refusal, match="already belongs to another reader"):
        roster.run_import(office, plan, now=NOW)
    assert state() == before


def test_progress_is_reported_up_to_the_total(tmp_path, office):
    rows = "".join(f"Reader {n},S{n:05d},student\n" for n in range(1234))
    calls = []
    roster.run_import(office, roster.plan_import(office, write(tmp_path, "name,id,category\n" + rows)),
                      progress=lambda done, total: calls.append((done, total)), now=NOW)
    assert calls[0] == (0, 1234) and calls[-1] == (1234, 1234)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


@pytest.mark.parametrize("role", ["circulation", "reading_room", "acquisitions", "cataloging"])
def test_only_office_staff_or_the_curator_may_import(tmp_path, office, role):
    member = staff.add_staff(None, f"m_{role}", "Member", "a password!", [role], NOW)
    path = write(tmp_path, STUDENTS_EN)
    with pytest.raises(PermissionDenied, match="Only office staff or the curator may check or import reader rosters"):
        roster.plan_import(member, path)  # the dry run too: it reads the library's readers
    plan = roster.plan_import(office, path)
    before = state()
    with pytest.raises(PermissionDenied, match="Only office staff or the curator may import reader rosters"):
        roster.run_import(member, plan, now=NOW)
    assert state() == before


def test_the_curator_may_import(tmp_path, clerk):
    curator = staff.add_staff(None, "head", "Head", "a password!", ["curator"], NOW)
    assert roster.run_import(curator, roster.plan_import(curator, write(tmp_path, STUDENTS_EN)), now=NOW).new == 3


def test_default_category_for_a_file_without_one(tmp_path, office):
    path = write(tmp_path, "工号,姓名,院系\nT01,王老师,物理系\n", "gb18030")
    with pytest.raises(Refusal, match="no category column"):
        roster.plan_import(office, path)
    with pytest.raises(Refusal, match="There is no reader category 'teachers'"):
        roster.plan_import(office, path, default_category="teachers")
    roster.run_import(office, roster.plan_import(office, path, default_category="teacher"), now=NOW)
    assert Patron.get(Patron.id_number == "T01").category.code == "teacher"


@pytest.mark.parametrize("data, sentence", [
    (b"PK\x03\x04rest-of-a-zip", "spreadsheet workbook, not a CSV"),
    ("name,id\n".encode("utf-16"), "UTF-16"),
    (b"\xef\xbb\xbfname,id\n\xff\xfe\xfd", "says it is UTF-8 .* but line 2 is not UTF-8"),
    (b"name,id\n\x81\x20\xff\x00\x01", "neither UTF-8 nor GB18030"),
    (b"name,id,category\nA,1,student\x00\x07\n", "binary data"),
    (b"", "empty"),
    (b"foo,bar\n1,2\n", "needs a header line"),
    (b"name,id,category\n", "header but no readers"),
    ("name,id,category,学号\nA,1,student,2\n".encode(), "both look like the identity number"),
    (b'name,id,category\n"A,1,student\n', "not valid CSV"),
])
def test_whole_file_problems_are_one_sentence(tmp_path, office, data, sentence):
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    with pytest.raises(Refusal, match=sentence):
        roster.plan_import(office, path)


def test_missing_file_and_folder(tmp_path, office):
    with pytest.raises(Refusal, match="There is no file at"):
        roster.plan_import(office, tmp_path / "nope.csv")
    with pytest.raises(Refusal, match="is a folder"):
        roster.plan_import(office, tmp_path)


def test_semicolons_tabs_title_lines_quotes_and_excel_text(tmp_path, office):
    text = ('2024级新生名单;;\n'
            '姓名;学号;类别\n'
            '"Smith; John";="00123";学生\n'
            '\n'
            '李\u200b雷;00124;学生\n')
    plan = roster.plan_import(office, write(tmp_path, text))
    assert plan.new == 2 and not plan.bad
    roster.run_import(office, plan, now=NOW)
    assert Patron.get(Patron.id_number == "00123").name == "Smith; John"
    assert Patron.get(Patron.id_number == "00124").name == "李雷"
    tabs = write(tmp_path, "Name\tStudent ID\tType\nAnn\tS9\tstudent\n", name="tabs.csv")
    assert roster.plan_import(office, tabs).new == 1


def test_line_numbers_count_physical_lines(tmp_path, office):
    text = 'name,id,category,notes\nA,1,student,"two\nlines"\n\n,2,student,\n'
    plan = roster.plan_import(office, write(tmp_path, text))
    assert [(b.line, b.reason) for b in plan.bad] == [(5, "no name")]


def test_the_roster_reader_is_plain_python():
    code = ("import sys, counter_tui.domain.roster as r; r.read_roster(b'name,id,category\\nA,1,s\\n', {'s': 's'}); "
            "print(sorted(m for m in ('textual', 'peewee', 'sqlite3', 'psycopg2') if m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "[]"


def test_a_value_repeated_on_many_rows_gets_a_short_reason_on_each(tmp_path, office):
    """20,000 rows of one identity number: each reason once named all 20,000 lines (2.5 GB in all)."""
    rows = "".join(f"Reader {n},2024001,student\n" for n in range(20_000))
    plan = roster.plan_import(office, write(tmp_path, "name,id,category\n" + rows))
    assert (plan.good, len(plan.bad)) == (0, 20_000)
    assert {b.reason for b in plan.bad} == {
        "identity number 2024001 is given 20,000 times (lines 2, 3, 4, 5, 6 and 19,995 more)"}
    few = roster.plan_import(office, write(tmp_path, "name,id,category\nA,S1,student\nB,S2,student\nC,S1,student\n"))
    assert [b.reason for b in few.bad] == ["identity number S1 is given more than once (lines 2, 4)"] * 2


def test_a_roster_over_the_size_limit_is_refused_before_it_is_read(tmp_path, office, monkeypatch):
    from counter_tui.domain import roster as reading
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as file:
        file.write(STUDENTS_EN.encode())
        file.truncate(50 * 2 ** 20)  # 50 MB, without writing them
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the whole file was read"))
    before = state()
    with pytest.raises(Refusal, match=r"^The file is 50.0 MB and a roster may be at most 20 MB \(200,000 readers\): "
                                      r"split it into smaller files and import each; nothing was imported.$"):
        roster.plan_import(office, huge)
    with pytest.raises(Refusal, match="a roster may be at most 20 MB"):  # pasted data too
        roster.plan_import(office, b"name,id,category\n" + b"A,1,student\n" * (reading.MAX_BYTES // 12 + 1))
    monkeypatch.setattr(reading, "MAX_ROWS", 2)  # and the rows, which the memory grows with
    assert roster.plan_import(office, write(tmp_path, "Roster 2026\nname,id,category\nA,1,student\nB,2,student\n")).new == 2
    with pytest.raises(Refusal, match="^The file has more than 2 rows and a roster may have at most 2: split it"):
        roster.plan_import(office, write(tmp_path, "name,id,category\nA,1,student\nB,2,student\nC,3,student\n"))
    assert state() == before


def test_twenty_thousand_rows_in_one_go(tmp_path, office):
    rows = "".join(f"读者{n},2024{n:06d},{'教师' if n % 10 == 0 else '学生'},1{n:010d}\n" for n in range(20_000))
    plan = roster.plan_import(office, write(tmp_path, "姓名,学号,类别,手机\n" + rows, "gb18030"))
    assert plan.new == 20_000
    result = roster.run_import(office, plan, now=NOW)
    assert result.new == 20_000 and Patron.select().count() == 20_000
    assert CardEvent.select().count() == 20_000
    assert len({c for (c,) in Patron.select(Patron.card).tuples()}) == 20_000
    assert Patron.select().where(Patron.category == PatronCategory.get(code="teacher")).count() == 2_000


# ---- the command line ---------------------------------------------------------------------------

def run_cli(*argv: str) -> None:
    cli.main(list(argv))  # cli.py registers the command module


@pytest.fixture
def cli_env(monkeypatch, tmp_path, office, settings):
    monkeypatch.setenv("COUNTER_TUI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("COUNTER_TUI_PASSWORD", "correct horse")  # office's and the clerk's
    return settings.db_url


def test_cli_dry_run_reports_and_changes_nothing(tmp_path, cli_env, capsys):
    path = write(tmp_path, STUDENTS_EN + ",S9,student,,\n")
    before = state()
    for who, sentence in [("nobody", "Signing in as nobody failed: Wrong username or password."),
                          ("clerk", "Only office staff or the curator may check or import reader rosters, not clerk")]:
        with pytest.raises(SystemExit, match=sentence):  # the dry run acts as someone too: it reads the readers
            run_cli("readers", "import", str(path), "--dry-run", "--as", who, "--db", cli_env)
    assert capsys.readouterr().out == ""
    with pytest.raises(SystemExit) as exit_:
        run_cli("readers", "import", str(path), "--dry-run", "--as", "office", "--db", cli_env)
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "3 new, 0 updated, 0 unchanged, 1 bad." in out and "line 5: no name [S9]" in out
    db.connect(cli_env)
    assert state() == before


def test_cli_dry_run_shows_names_that_change_and_refuses_a_mixed_file(tmp_path, cli_env, lib, capsys):
    lib.patron(name="冯小", id_number="S1")
    path = _bytes(tmp_path, UTF8_THEN_GB18030)
    before = state()
    with pytest.raises(SystemExit, match="line 2 is UTF-8 and line 3 is GB18030") as refused:
        run_cli("readers", "import", str(path), "--as", "office", "--db", cli_env)
    assert refused.value.code != 0 and state() == before
    path = write(tmp_path, "name,id,category\n鍐皬,S1,student\n")
    run_cli("readers", "import", str(path), "--dry-run", "--as", "office", "--db", cli_env)
    out = capsys.readouterr().out
    assert "1 row: 0 new, 1 updated" in out
    assert "Known readers whose name changes (before -> after):\n  line 2 [S1]: 冯小 -> 鍐皬\n" in out


def test_cli_refuses_a_file_with_bad_rows_then_imports_the_good_ones(tmp_path, cli_env, capsys):
    path = write(tmp_path, STUDENTS_EN + ",S9,student,,\n")
    with pytest.raises(SystemExit, match="1 of 4 rows is bad"):
        run_cli("readers", "import", str(path), "--as", "office", "--db", cli_env)
    run_cli("readers", "import", str(path), "--good-rows-only", "--as", "office", "--db", cli_env)
    out = capsys.readouterr().out
    assert "Imported 3 new readers, 0 updated, 0 unchanged, 1 bad row left out; cards" in out
    assert Patron.select().count() == 3


def test_cli_imports_with_a_category_and_refuses_the_wrong_role(tmp_path, cli_env, capsys):
    path = write(tmp_path, "姓名,工号\n王老师,T01\n")
    with pytest.raises(SystemExit, match="Only office staff or the curator"):
        run_cli("readers", "import", str(path), "--category", "teacher", "--as", "clerk", "--db", cli_env)
    with pytest.raises(SystemExit, match="Wrong username or password"):
        run_cli("readers", "import", str(path), "--category", "teacher", "--as", "nobody", "--db", cli_env)
    run_cli("readers", "import", str(path), "--category", "teacher", "--as", "office", "--db", cli_env)
    assert "Imported 1 new reader, 0 updated" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="There is no file at"):
        run_cli("readers", "import", str(tmp_path / "missing.csv"), "--as", "office", "--db", cli_env)
