"""The accession register: a line per copy received, totals, and the balance with write-offs that check proves."""
from __future__ import annotations

from datetime import date

import pytest

from counter_tui import db
from counter_tui.models import Accession, AuditEvent, Biblio, Item
from counter_tui.services.property import accessions, writeoffs
from counter_tui.services.admin import check, staff
from counter_tui.services.catalogue import copies
from counter_tui import demo
from counter_tui.services.errors import PermissionDenied, Refusal
from tests.conftest import NOW


pytestmark = pytest.mark.usefixtures("property_documents")


def property_check():
    return next(r for r in check.run_checks() if r.name.startswith("property accounts"))


def titles(n):
    return [Biblio.create(title=f"Title {i}", classification="TP312", book_number=str(i), created_at=NOW)
            for i in range(n)]


def test_balance_after_receipts_and_write_offs(cataloguer):
    one, two = titles(2)
    copies.receive_copies(cataloguer, one.id, 3, price=2000, location="Stacks", source="purchase",
                          received_on=date(2026, 10, 3), now=NOW)
    gifts = copies.receive_copies(cataloguer, two.id, 2, price=550, location="Stacks", source="gift",
                                  received_on=date(2026, 11, 20), now=NOW)
    copies.receive_copies(cataloguer, two.id, 1, price=None, location="Stacks", source="gift",
                          received_on=date(2026, 11, 21), now=NOW)
    b = accessions.balance()
    assert (b.accessions, b.accession_value, b.written_off, b.holdings, b.holdings_value) == (6, 7100, 0, 6, 7100)
    cert = writeoffs.write_off(cataloguer, [gifts[0].barcode], "worn out", now=NOW)
    b = accessions.balance()
    assert b.ok and (b.written_off, b.written_off_value, b.holdings, b.holdings_value) == (1, 550, 5, 6550)
    assert cert.value == 550 and property_check().ok

    by_month = accessions.totals(cataloguer, period="month")
    assert [(t.period, t.source, t.copies, t.value) for t in by_month] == [
        ("2026-10", "purchase", 3, 6000), ("2026-11", "gift", 3, 1100), ("total", "", 6, 7100)]
    november = accessions.totals(cataloguer, since=date(2026, 11, 1), until=date(2026, 11, 20), period="day")
    assert [(t.period, t.copies) for t in november] == [("2026-11-20", 2), ("total", 2)]
    lines = accessions.register(cataloguer, source="gift")
    assert [line.number for line in lines] == [4, 5, 6]
    assert lines[0].withdrawn_by == cert.number and lines[1].withdrawn_by is None
    assert [line.number for line in accessions.register(cataloguer, after_number=4, limit=1)] == [5]


def test_check_fails_when_the_books_and_accounts_disagree(cataloguer, lib):
    lib.item()  # the test builder's copies are registered too
    (one,) = titles(1)
    made = copies.receive_copies(cataloguer, one.id, 2, price=1000, location="Stacks", now=NOW)
    assert property_check().ok
    db.execute("UPDATE item SET price = 999 WHERE id = ?", made[0].item_id)  # edited behind the register's back
    result = property_check()
    assert not result.ok
    assert any("are not accessions" in p for p in result.problems)
    assert any(made[0].barcode in p and "price" in p for p in result.problems)
    db.execute("UPDATE item SET price = 1000 WHERE id = ?", made[0].item_id)
    db.execute("UPDATE item SET status = 'withdrawn' WHERE id = ?", made[1].item_id)  # no certificate
    assert any(f"copy {made[1].barcode} is withdrawn without a write-off certificate" == p
               for p in property_check().problems)


def test_a_copy_without_a_register_line_fails_the_check(cataloguer, lib):
    item = lib.item()
    Accession.delete().where(Accession.item == item.id).execute()
    assert f"copy {item.barcode} has no line in the accession register" in property_check().problems


def test_the_demo_library_balances(clerk):
    scale = demo.Scale(titles=30, copies=60, readers=10, past_loans=20, open_loans=5, overdue_loans=1)
    counts = demo.build_library(scale, now=NOW)
    assert counts["accessions"] == 60 == Accession.select().count()
    b = accessions.balance()
    assert b.ok and b.holdings == 60 and b.accession_value == sum(i.price or 0 for i in Item.select())
    assert property_check().ok
    named = {r.name: r for r in check.run_checks()}  # the demo's sources are known, its copies have call numbers
    assert named["accession register sources are known sources"].ok
    assert named["copies on the shelves have call numbers"].ok
    assert sorted(a.number for a in Accession.select()) == list(range(1, 61))
    recent = Item.select().where(Item.acquired_on >= date.fromordinal(date(2026, 11, 25).toordinal() - 60))
    assert Item.select().where(Item.catalogued_at.is_null(False)).count() == recent.count() > 0


def test_circulation_clerk_may_not_read_the_register(clerk):
    with pytest.raises(PermissionDenied):
        accessions.totals(clerk)
    with pytest.raises(PermissionDenied):
        accessions.register(clerk)


def test_the_commands(lib, settings, cataloguer, monkeypatch, capsys, property_documents):
    from counter_tui import cli
    monkeypatch.setenv(cli.PASSWORD_ENV, "correct horse")
    monkeypatch.setenv("COUNTER_TUI_CONFIG", "/nonexistent/none.toml")
    monkeypatch.setattr(cli, "_open", lambda args, url=None, need_schema=True: settings)
    old = lib.item(price=1500)
    new = copies.receive_copies(cataloguer, old.biblio_id, 2, price=700, location="Stacks", now=NOW)
    cli.main(["register", "balance", "--as", "cat"])
    out = capsys.readouterr().out
    assert "holdings            3" in out and "balanced" in out
    cli.main(["writeoff", "--reason", "worn out", old.barcode, "--as", "cat"])
    certificate = property_documents / "write-offs" / "write-off-000001.pdf"
    assert f"Write-off certificate 1: 1 copy, ¥15.00. The certificate to sign (PDF): {certificate}\n" == \
        capsys.readouterr().out and certificate.exists()
    cli.main(["transfer", new[0].barcode, new[1].barcode, "--as", "cat"])
    transfer_list = property_documents / "transfers" / "transfer-000001.pdf"
    assert f"Transfer batch 1: 2 copies to Circulation. The transfer list to sign (PDF): {transfer_list}\n" == \
        capsys.readouterr().out and transfer_list.exists()
    assert Item.get_by_id(new[0].item_id).status == "available"
    cli.main(["bulletin", "--from", "2026-11-25", "--to", "2026-11-25", "--as", "cat"])
    bulletin = property_documents / "bulletins" / "new-books-2026-11-25-to-2026-11-25.pdf"
    assert capsys.readouterr().out.endswith(f"2 copies in 1 classes. The bulletin to print (PDF): {bulletin}\n")
    assert bulletin.exists()
    cli.main(["register", "totals", "--by", "year", "--as", "cat"])
    assert capsys.readouterr().out.splitlines()[-1].split()[:2] == ["total", "3"]
    with pytest.raises(SystemExit, match="on loan|withdrawn"):
        cli.main(["writeoff", "--reason", "again", old.barcode, "--as", "cat"])
    with pytest.raises(SystemExit, match="Only cataloguers or the curator"):
        cli.main(["writeoff", "--reason", "x", new[0].barcode, "--as", "clerk"])
    assert Item.get_by_id(new[0].item_id).status == "available"
    assert accessions.balance().ok
    staff.add_staff(None, "office1", "Office Clerk", "correct horse", ["office"], NOW)
    cli.main(["check", "--as", "office1"])  # the proof, in figures: 3 received at 15 + 7 + 7, 1 written off at 15
    assert "accessions 3 (¥29.00) - write-offs 1 (¥15.00) = holdings 2 (¥14.00)" in capsys.readouterr().out


def named_check(name):
    return next(r for r in check.run_checks() if r.name == name)


def test_check_names_register_lines_of_an_unknown_source_and_a_cataloguer_corrects_them(cataloguer, lib):
    typed, kept = lib.item(), lib.item()
    Accession.update(source="45").where(Accession.item == typed.id).execute()  # typed into the source field
    Item.update(source="45").where(Item.id == typed.id).execute()
    Accession.update(source="donation").where(Accession.item == kept.id).execute()
    result = named_check("accession register sources are known sources")
    assert result.problems == (
        f"register line {typed.accession_number} (copy {typed.barcode}) has the source '45', not one of "
        "purchase, gift, donation, exchange, legal deposit or transfer: S in the accession register (F9, A) "
        "corrects it",)
    totals = accessions.totals(cataloguer, period="year")
    assert [(t.period, t.source, t.copies, t.known) for t in totals] == [
        ("2026", "donation", 1, True), ("2026", "45", 1, False), ("total", "", 2, True)]
    with pytest.raises(Refusal, match="'45' is not a source of acquisition: use purchase, gift, donation"):
        accessions.register(cataloguer, source="45")
    assert accessions.next_unknown_source(cataloguer).number == typed.accession_number
    assert accessions.next_unknown_source(cataloguer, after_number=typed.accession_number).number == \
        typed.accession_number  # from the start again
    with pytest.raises(Refusal, match="'bought' is not a source"):
        accessions.correct_source(cataloguer, typed.accession_number, "bought", now=NOW)
    with pytest.raises(PermissionDenied):
        accessions.correct_source(lib.clerk, typed.accession_number, "gift", now=NOW)
    assert Accession.get(Accession.item == typed.id).source == "45"
    assert accessions.correct_source(cataloguer, typed.accession_number, "Gift", now=NOW) == "gift"
    assert (Accession.get(Accession.item == typed.id).source, Item.get_by_id(typed.id).source) == ("gift", "gift")
    event = AuditEvent.get(AuditEvent.action == "accession.source")
    assert (event.staff_id, event.old, event.new) == (cataloguer.id, '{"source": "45"}', '{"source": "gift"}')
    assert named_check("accession register sources are known sources").ok
    assert accessions.next_unknown_source(cataloguer) is None
    for number in (typed.accession_number, kept.accession_number):  # a known source is never changed
        with pytest.raises(Refusal, match="a known source: a register line is never edited"):
            accessions.correct_source(cataloguer, number, "purchase", now=NOW)
    assert [line.source for line in accessions.register(cataloguer)] == ["gift", "donation"]


def test_check_names_copies_on_the_shelves_without_a_call_number(cataloguer, lib):
    lib.item(title="有索书号")
    bare = lib.item(title="没有索书号", call_number="")
    lib.item(title="加工中", call_number="", status="in processing")  # still being catalogued: not yet a problem
    result = named_check("copies on the shelves have call numbers")
    assert result.problems == (
        f"copy {bare.barcode} of \"没有索书号\" is 'available' with no call number, so it has no place on the "
        "shelves: C on its title's copies (F6, the title, Ctrl+T) gives it one",)
    Biblio.update(classification="I247.5").where(Biblio.id == bare.biblio_id).execute()
    copies.give_call_numbers(cataloguer, bare.biblio_id, now=NOW)
    assert named_check("copies on the shelves have call numbers").ok
