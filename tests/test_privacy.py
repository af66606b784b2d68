"""Anonymising old loans: readers' histories forget them, the library's figures do not."""
from __future__ import annotations

import argparse
import json
from datetime import date, datetime, timedelta

import pytest
from peewee import fn

from counter_tui import cli
from counter_tui.commands.readers import privacy as privacy_commands
from counter_tui.domain.calendar import utc_now
from counter_tui.models import AuditEvent, CardEvent, Fee, Hold, Item, Loan, Notice, Patron, PatronCategory
from counter_tui.services.readers import loans_and_fees, patrons, privacy
from counter_tui.services.admin import check, staff
from counter_tui.services.fees import payments
from counter_tui.services.errors import NotFound, PermissionDenied, Refusal
from tests import stored
from tests.conftest import NOW


@pytest.fixture
def head(lib):
    return staff.add_staff(None, "head", "Head Librarian", "a good password", ["curator"])


def returned_loan(lib, item, reader, returned_days_ago: int, now: datetime = NOW) -> Loan:
    """A loan of three weeks that came back `returned_days_ago` days before `now`."""
    back = now - timedelta(days=returned_days_ago)
    return Loan.create(item=item, patron=reader, out_at=back - timedelta(days=21), due_at=back,
                       returned_at=back, staff_out=lib.clerk, staff_in=lib.clerk)


@pytest.fixture
def history(lib):
    """Two readers' loans: old ones, a recent one, one still out, and old ones with fees."""
    li, wang = lib.patron(name="Li Lei"), lib.patron(name="Wang Fang", category="teacher")
    books = [lib.item(title=f"Book {n}") for n in range(6)]
    loans = {
        "li_old": returned_loan(lib, books[0], li, 400),
        "li_old_again": returned_loan(lib, books[1], li, 200),
        "wang_old": returned_loan(lib, books[0], wang, 365),
        "li_recent": returned_loan(lib, books[2], li, 10),
        "li_open": lib.loan(books[3], li, date(2025, 1, 6), date(2025, 2, 3)),  # a year overdue, still out
        "wang_unpaid": returned_loan(lib, books[4], wang, 300),
        "li_paid": returned_loan(lib, books[5], li, 300),
    }
    Fee.create(patron=wang, loan=loans["wang_unpaid"], kind="overdue", amount=150, at=NOW - timedelta(days=300))
    Fee.create(patron=li, loan=loans["li_paid"], kind="overdue", amount=80, at=NOW - timedelta(days=300))
    payments.pay(lib.clerk, li.id, 80, NOW - timedelta(days=299), receipt=False)
    return {"li": li, "wang": wang, "books": books, "loans": loans}


def statistics() -> dict:
    """The figures the library reports: loans by category and by copy, and every loan's dates, copy and clerks."""
    by_category = (Loan.select(PatronCategory.code, fn.COUNT(Loan.id)).join(Patron).join(PatronCategory)
                   .group_by(PatronCategory.code).tuples())
    by_item = Loan.select(Loan.item, fn.COUNT(Loan.id)).group_by(Loan.item).tuples()
    dates = Loan.select(Loan.id, Loan.out_at, Loan.due_at, Loan.returned_at, Loan.item, Loan.renewals,
                        Loan.staff_out, Loan.staff_in).tuples()
    return {"by_category": sorted(by_category), "by_item": sorted(by_item), "loans": sorted(dates)}


def patrons_of_loans() -> list[tuple[int, int]]:
    return sorted(Loan.select(Loan.id, Loan.patron).tuples())


def test_old_returned_loans_leave_the_readers_history_and_the_figures_stay(lib, head, history):
    before = statistics()
    loans = history["loans"]
    assert privacy.anonymise_loans(head, 30, NOW).loans == 3

    assert statistics() == before  # every count, date, copy and clerk as it was
    li_history = {line.loan_id for line in loans_and_fees.account(history["li"].id, NOW).history}
    assert li_history == {loans["li_recent"].id, loans["li_paid"].id}
    wang_history = {line.loan_id for line in loans_and_fees.account(history["wang"].id, NOW).history}
    assert wang_history == {loans["wang_unpaid"].id}
    assert [line.loan_id for line in loans_and_fees.account(history["li"].id, NOW).loans] == [loans["li_open"].id]

    student = Patron.get(Patron.card == "anon-student")
    teacher = Patron.get(Patron.card == "anon-teacher")
    assert (student.name, student.status, student.category.code) == ("Anonymised student", "cancelled", "student")
    assert teacher.name == "Anonymised teacher"
    assert {loan.id for loan in student.loans} == {loans["li_old"].id, loans["li_old_again"].id}
    assert {loan.id for loan in teacher.loans} == {loans["wang_old"].id}
    assert all(r.ok for r in check.run_checks()), [r for r in check.run_checks() if not r.ok]


def test_open_loans_and_loans_with_fees_keep_their_reader(lib, head, history):
    loans = history["loans"]
    privacy.anonymise_loans(head, 30, NOW)
    for name, reader in (("li_open", "li"), ("wang_unpaid", "wang"), ("li_paid", "li"), ("li_recent", "li")):
        assert Loan.get_by_id(loans[name].id).patron_id == history[reader].id, name
    assert patrons.balance(history["wang"].id) == 150  # the ledger is untouched
    assert Item.get_by_id(history["books"][3].id).status == "checked out"


def test_one_placeholder_per_category_and_one_audit_event_per_run(lib, head, history):
    assert privacy.anonymise_loans(head, 30, NOW).loans == 3
    later = NOW + timedelta(days=1)
    returned_loan(lib, history["books"][2], history["li"], 100)
    assert privacy.anonymise_loans(head, 30, later).loans == 1
    assert privacy.anonymise_loans(head, 30, later).loans == 0
    assert Patron.select().where(Patron.card.startswith("anon-")).count() == 2
    runs = [json.loads(e.new) for e in AuditEvent.select().where(AuditEvent.action == "privacy.anonymise")
            .order_by(AuditEvent.id)]
    assert [run["loans"] for run in runs] == [3, 1, 0]
    assert runs[0]["placeholders_made"] == ["anon-student", "anon-teacher"] and runs[1]["placeholders_made"] == []
    assert runs[0]["older_than_days"] == 30


def test_a_placeholder_card_can_never_be_scanned_or_typed(lib, head, history):
    privacy.anonymise_loans(head, 30, NOW)
    for typed in ("anon-student", "ANON-STUDENT", " anon-student\r"):
        with pytest.raises(NotFound):
            patrons.find_by_card(typed)
    assert privacy.is_placeholder_card("anon-student") and not privacy.is_placeholder_card("21234000000012")
    # a real reader whose legacy card happens to look similar is not taken for one
    lib.patron(name="Anon Legacy", card="ANON-7")
    assert Patron.select().where(privacy.not_placeholder()).count() == 3


def test_placeholders_are_not_found_by_name(lib, head, history):
    privacy.anonymise_loans(head, 30, NOW)
    assert patrons.search("Anonymised") == [] and patrons.search("student") == []


def test_batches_add_up_to_one_run(lib, head, history):
    loans = history["loans"]
    assert privacy.anonymise_loans(head, 30, NOW, at_most=1).loans == 1
    assert privacy.anonymise_loans(head, 30, NOW, at_most=2).loans == 2
    assert privacy.anonymise_loans(head, 30, NOW, at_most=2).loans == 0
    moved = {loan.id for loan in Loan.select().join(Patron).where(Patron.card.startswith("anon-"))}
    assert moved == {loans["li_old"].id, loans["li_old_again"].id, loans["wang_old"].id}
    with pytest.raises(Refusal, match="A batch of loans"):
        privacy.anonymise_loans(head, 30, NOW, at_most=0)


@pytest.mark.parametrize("days", [0, -5, "30", 2.5, True, None])
def test_a_bad_number_of_days_changes_nothing(lib, head, history, days):
    before, events = patrons_of_loans(), AuditEvent.select().count()
    with pytest.raises(Refusal, match="how many days of loan history to keep"):
        privacy.anonymise_loans(head, days, NOW)
    assert patrons_of_loans() == before and AuditEvent.select().count() == events
    assert not Patron.select().where(Patron.card.startswith("anon-")).exists()


def test_only_the_curator_anonymises(lib, head, history):
    office = staff.add_staff(None, "office1", "Office Clerk", "a good password", ["office"])
    before = patrons_of_loans()
    for who in (lib.clerk, office, None):
        with pytest.raises(PermissionDenied, match="Only the curator may anonymise loan history"):
            privacy.anonymise_loans(who, 30, NOW)
    assert patrons_of_loans() == before
    assert not Patron.select().where(Patron.card.startswith("anon-")).exists()


# -- the command ---------------------------------------------------------------------------

def run_command(argv: list[str]) -> None:
    """What cli.main will do once the command is registered there."""
    parser = argparse.ArgumentParser(prog="counter-tui")
    sub = parser.add_subparsers(dest="command")
    handlers = privacy_commands.register(sub, cli._db_option, cli._open)
    args = parser.parse_args(argv)
    assert args.handler is handlers[args.command]
    args.handler(args)


@pytest.fixture
def command_env(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("COUNTER_TUI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv(cli.PASSWORD_ENV, "a good password")
    return ["--db", settings.db_url]


def test_the_command_anonymises_and_says_how_many(lib, head, command_env, capsys):
    reader, book = lib.patron(), lib.item()
    now = utc_now()  # the command runs on the clock
    for days_ago in (400, 100, 5):
        returned_loan(lib, book, reader, days_ago, now)
    run_command(["anonymise", "--older-than", "90", "--as", "head", *command_env])
    assert capsys.readouterr().out.strip() == "Anonymised 2 loans returned more than 90 days ago."
    assert Loan.select().where(Loan.patron == reader.id).count() == 1
    for days_ago in (300, 200, 100):
        returned_loan(lib, book, reader, days_ago, now)
    run_command(["anonymise", "--older-than", "1", "--as", "head", "--batch", "2", *command_env])
    assert capsys.readouterr().out.strip() == "Anonymised 4 loans returned more than 1 day ago."
    runs = AuditEvent.select().where(AuditEvent.action == "privacy.anonymise").order_by(AuditEvent.id)
    assert [json.loads(run.new)["loans"] for run in runs] == [2, 2, 2, 0]  # one event per batch


def test_the_command_refuses_in_one_sentence(lib, head, command_env, monkeypatch, capsys):
    reader, book = lib.patron(), lib.item()
    returned_loan(lib, book, reader, 400, utc_now())
    with pytest.raises(SystemExit, match="Only the curator may anonymise"):
        monkeypatch.setenv(cli.PASSWORD_ENV, "correct horse")
        run_command(["anonymise", "--older-than", "90", "--as", "clerk", *command_env])
    monkeypatch.setenv(cli.PASSWORD_ENV, "a good password")
    with pytest.raises(SystemExit, match="Wrong username or password"):
        run_command(["anonymise", "--older-than", "90", "--as", "nobody", *command_env])
    with pytest.raises(SystemExit):  # argparse, before anything is opened
        run_command(["anonymise", "--older-than", "0", "--as", "head", *command_env])
    assert "--older-than: give a whole number from 1 to 36,500 (days: a hundred years at most), not 0" \
        in capsys.readouterr().err
    with pytest.raises(SystemExit):  # argparse: not a number
        run_command(["anonymise", "--older-than", "ninety", "--as", "head", *command_env])
    assert Loan.select().where(Loan.patron == reader.id).count() == 1


# -- nothing left that names the reader --------------------------------------------------------

def ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture
def lived_history(lib, head, tmp_path, monkeypatch):
    """Two readers' history as the desks write it, through the services: loans renewed, overdue
    notices, holds cancelled, collected and expired, a hold-ready notice, a card replaced."""
    from counter_tui.services.circulation import holds, lending, notices
    from counter_tui.services.readers import cards
    monkeypatch.setenv(notices.ENV_NOTICES, str(tmp_path / "notices"))
    lib.rule(fine_amount=0)  # no fee keeps any of these loans with its reader
    PatronCategory.update(card_fee=0).execute()
    li, wang = lib.patron(name="Li Lei"), lib.patron(name="Wang Fang", category="teacher")
    first, second, wanted, expired, other = (lib.item(title=t) for t in ("First", "Second", "Wanted", "Expired",
                                                                         "Other"))
    lending.checkout(lib.clerk, li.id, first.barcode, ago(400))
    lending.renew(lib.clerk, first.barcode, ago(390))
    holds.cancel(lib.clerk, holds.place(lib.clerk, li.id, other.biblio_id, now=ago(352)).id, ago(345), "changed mind")
    notices.produce(lib.clerk, now=ago(350))  # overdue: a letter, a notice, an audit event
    lending.checkin(lib.clerk, first.barcode, ago(345))
    cards.replace(head, li.id, lost=False, now=ago(300))  # the first loan's events carry the old card
    lending.checkout(lib.clerk, li.id, second.barcode, ago(200))
    lending.checkin(lib.clerk, second.barcode, ago(190))
    lending.checkout(lib.clerk, wang.id, wanted.barcode, ago(185))
    holds.place(lib.clerk, li.id, wanted.biblio_id, now=ago(180))
    found = lending.checkin(lib.clerk, wanted.barcode, ago(178)).hold
    holds.trap(lib.clerk, wanted.id, found.hold_id, now=ago(178))
    notices.produce(lib.clerk, now=ago(177))  # the hold is ready: a letter
    lending.checkout(lib.clerk, li.id, wanted.barcode, ago(175))  # collected
    lending.checkin(lib.clerk, wanted.barcode, ago(170))
    lending.checkout(lib.clerk, wang.id, expired.barcode, ago(165))
    holds.place(lib.clerk, li.id, expired.biblio_id, now=ago(160))
    found = lending.checkin(lib.clerk, expired.barcode, ago(158)).hold
    holds.trap(lib.clerk, expired.id, found.hold_id, now=ago(158))
    holds.expire(lib.clerk, ago(140))
    return {"li": Patron.get_by_id(li.id), "wang": Patron.get_by_id(wang.id)}


def rows_naming(reader: Patron) -> set[tuple[str, object]]:
    """(table, row id) of every row holding, in any text, a card the reader has had."""
    cards = {reader.card} | {e.card for e in CardEvent.select().where(CardEvent.patron == reader.id)}
    return {(table, row_id) for table, row_id, _, value in stored.text_values() if any(c in value for c in cards)}


def own_rows(reader: Patron) -> set[tuple[str, object]]:
    """The reader's own record and its history, which name the reader and no loan or hold."""
    events = AuditEvent.select().where(AuditEvent.record_type == "patron", AuditEvent.record_id == reader.id)
    return ({("patron", reader.id)} | {("card_event", e.id) for e in CardEvent.select().where(
        CardEvent.patron == reader.id)} | {("audit_event", e.id) for e in events})


def test_no_card_number_of_an_anonymised_loan_or_hold_remains_anywhere(lib, head, lived_history):
    li, wang = lived_history["li"], lived_history["wang"]
    assert len({e.card for e in CardEvent.select().where(CardEvent.patron == li.id)}) == 2  # old card and new
    assert rows_naming(li) - own_rows(li)  # before: loans', holds' and notices' events name the cards

    done = privacy.anonymise_loans(head, 30, NOW)

    assert (done.loans, done.holds) == (5, 3)
    for reader in (li, wang):
        assert rows_naming(reader) == own_rows(reader), reader.name  # every table, every text column
    placeholders = {p.id for p in Patron.select().where(Patron.card.startswith("anon-"))}
    assert {h.patron_id for h in Hold.select()} <= placeholders  # every hold had ended
    assert {n.patron_id for n in Notice.select()} <= placeholders and Notice.select().count() == 2
    assert not Loan.select().where(Loan.patron.in_([li.id, wang.id])).exists()
    # the events stay, who did what when, their details naming the placeholder
    checkouts = AuditEvent.select().where(AuditEvent.action == "checkout").order_by(AuditEvent.id)
    assert [json.loads(e.new)["patron"] for e in checkouts] == ["anon-student", "anon-student", "anon-teacher",
                                                                "anon-student", "anon-teacher"]
    assert all(e.redacted_at == NOW and e.staff_id == lib.clerk.id for e in checkouts)
    sent = AuditEvent.select().where(AuditEvent.action == "notice.sent")
    assert {json.loads(e.new)["patron"] for e in sent} == {Patron.get(Patron.card == "anon-student").id}
    run = json.loads(AuditEvent.get(AuditEvent.action == "privacy.anonymise").new)
    assert (run["loans"], run["holds"]) == (5, 3) and run["events_redacted"] > 10
    assert all(r.ok for r in check.run_checks()), [r for r in check.run_checks() if not r.ok]


def test_holds_still_open_or_ended_recently_keep_their_reader(lib, head):
    from counter_tui.services.circulation import holds
    reader, book, later = lib.patron(), lib.item(title="Waiting"), lib.item(title="Lately")
    holds.place(lib.clerk, reader.id, book.biblio_id, now=ago(400))  # still waiting
    recent = holds.place(lib.clerk, reader.id, later.biblio_id, now=ago(40))
    holds.cancel(lib.clerk, recent.id, ago(10))
    assert privacy.anonymise_loans(head, 30, NOW) == privacy.Anonymised(loans=0, holds=0)
    assert {h.patron_id for h in Hold.select()} == {reader.id}
    hold_place = AuditEvent.select().where(AuditEvent.action == "hold.place")
    assert all(reader.card in e.new and e.redacted_at is None for e in hold_place)


def test_the_command_says_how_many_holds_went_too(lib, head, command_env, capsys):
    from counter_tui.services.circulation import holds
    reader, book = lib.patron(), lib.item()
    now = utc_now()
    returned_loan(lib, book, reader, 400, now)
    holds.cancel(lib.clerk, holds.place(lib.clerk, reader.id, book.biblio_id, now=now - timedelta(days=300)).id,
                 now - timedelta(days=200))
    run_command(["anonymise", "--older-than", "90", "--as", "head", *command_env])
    assert capsys.readouterr().out.strip() == "Anonymised 1 loan returned and 1 hold ended more than 90 days ago."
