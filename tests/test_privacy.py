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
from counter_tui.models import AuditEvent, Fee, Item, Loan, Patron, PatronCategory
from counter_tui.services.readers import loans_and_fees, patrons, privacy
from counter_tui.services.admin import check, staff
from counter_tui.services.fees import payments
from counter_tui.services.errors import NotFound, PermissionDenied, Refusal
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
    assert privacy.anonymise_loans(head, 30, NOW) == 3

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
    assert privacy.anonymise_loans(head, 30, NOW) == 3
    later = NOW + timedelta(days=1)
    returned_loan(lib, history["books"][2], history["li"], 100)
    assert privacy.anonymise_loans(head, 30, later) == 1
    assert privacy.anonymise_loans(head, 30, later) == 0
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
    assert privacy.anonymise_loans(head, 30, NOW, at_most=1) == 1
    assert privacy.anonymise_loans(head, 30, NOW, at_most=2) == 2
    assert privacy.anonymise_loans(head, 30, NOW, at_most=2) == 0
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
