"""Check out, check in and renew through the services, on a real SQLite file."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from counter_tui.domain.calendar import local_date
from counter_tui.models import AuditEvent, CirculationRule, Fee, Item, ItemType, Loan, Patron, PatronCategory
from counter_tui.services.circulation import lending
from counter_tui.services.readers import patrons
from counter_tui.services.errors import CardScanned, NotFound, OnLoanElsewhere, Refusal
from tests.conftest import NOW, ZONE

TODAY = local_date(NOW, ZONE)  # Wednesday 2026-11-25


def snapshot():
    """Everything a refusal must leave alone."""
    return (
        sorted(Loan.select(Loan.id, Loan.item, Loan.patron, Loan.returned_at, Loan.due_at, Loan.renewals).tuples()),
        sorted(Item.select(Item.id, Item.status).tuples()),
        sorted(Fee.select(Fee.id, Fee.amount).tuples()),
        AuditEvent.select().count(),
    )


def test_checkout_lends_with_due_date_from_rule_and_writes_audit(lib):
    reader, book = lib.patron(), lib.item()
    lib.rule(loan_days=14)
    result = lending.checkout(lib.clerk, reader.id, book.barcode, NOW)
    assert result.due == TODAY + timedelta(days=14)
    assert Item.get_by_id(book.id).status == "checked out"
    loan = Loan.get(Loan.item == book.id)
    assert loan.patron_id == reader.id and loan.returned_at is None
    event = AuditEvent.get(AuditEvent.action == "checkout")
    assert event.staff_id == lib.clerk.id and event.record_id == loan.id
    assert result.patron.loans_out == 1


def test_due_date_moves_off_closed_days(lib):
    reader, book = lib.patron(), lib.item()
    lib.rule(loan_days=4)  # would be Sunday 2026-11-29
    lib.closed(date(2026, 11, 29), date(2026, 11, 30))
    assert lending.checkout(lib.clerk, reader.id, book.barcode, NOW).due == date(2026, 12, 1)


def test_most_specific_rule_wins(lib):
    teacher = lib.patron(category="teacher")
    student = lib.patron(category="student")
    book1, book2, disc = lib.item(), lib.item(), lib.item(item_type="av")
    teacher_cat = PatronCategory.get(PatronCategory.code == "teacher")
    av = ItemType.get(ItemType.code == "av")
    CirculationRule.create(category=teacher_cat, loan_days=60)
    CirculationRule.create(item_type=av, loan_days=7)
    CirculationRule.create(category=teacher_cat, item_type=av, loan_days=10)
    assert lending.checkout(lib.clerk, teacher.id, book1.barcode, NOW).due == TODAY + timedelta(60)
    assert lending.checkout(lib.clerk, student.id, book2.barcode, NOW).due == TODAY + timedelta(28)
    assert lending.checkout(lib.clerk, teacher.id, disc.barcode, NOW).due == TODAY + timedelta(10)


def test_scanner_variants_of_one_barcode_lend_the_same_copy(lib):
    reader, book = lib.patron(), lib.item()
    code = book.barcode
    result = lending.checkout(lib.clerk, reader.id, f"A{code}B", NOW)
    assert result.barcode == code
    with pytest.raises(Refusal, match="already on loan to Li Lei"):
        lending.checkout(lib.clerk, reader.id, " ".join([code[:1], code[1:5], code[5:]]), NOW)


@pytest.mark.parametrize("case", [
    "unknown", "bad_check", "isbn", "blocked", "expired", "limit", "not_loanable", "lost",
    "withdrawn", "repair", "same_reader", "fees", "overdue_books", "garbage",
])
def test_checkout_refusals_say_why_and_change_nothing(lib, case):
    reader, book = lib.patron(), lib.item()
    barcode = book.barcode
    if case == "unknown":
        barcode = "31234999999992"
        # make sure the made-up number is a valid, unused one
        from counter_tui.domain.barcodes import library_barcode
        barcode = library_barcode("31234", 99999)
        expected = "No copy has barcode"
    elif case == "bad_check":
        barcode = barcode[:-1] + str((int(barcode[-1]) + 1) % 10)
        expected = "check digit"
    elif case == "isbn":
        barcode, expected = "9780306406157", "ISBN"
    elif case == "blocked":
        Patron.update(status="blocked", block_reason="damaged a book").where(Patron.id == reader.id).execute()
        expected = "may not borrow: Blocked: damaged a book"
    elif case == "expired":
        Patron.update(expires_on=TODAY - timedelta(days=1)).where(Patron.id == reader.id).execute()
        expected = "card expired on 2026-11-24"
    elif case == "limit":
        for _ in range(5):
            lib.loan(lib.item(), reader, TODAY - timedelta(2), TODAY + timedelta(20))
        expected = "already has 5 books out"
    elif case == "not_loanable":
        book = lib.item(item_type="reference")
        barcode, expected = book.barcode, "for use in the library only"
    elif case in ("lost", "withdrawn"):
        Item.update(status=case).where(Item.id == book.id).execute()
        expected = "marked lost" if case == "lost" else "has been withdrawn"
    elif case == "repair":
        Item.update(status="in repair").where(Item.id == book.id).execute()
        expected = "is in repair"
    elif case == "same_reader":
        lending.checkout(lib.clerk, reader.id, barcode, NOW)
        expected = "already on loan to Li Lei"
    elif case == "fees":
        Fee.create(patron=reader, kind="overdue", amount=1001, at=NOW)
        expected = "over the limit"
    elif case == "overdue_books":
        for _ in range(3):
            lib.loan(lib.item(), reader, TODAY - timedelta(40), TODAY - timedelta(10))
        expected = "3 overdue books"
    elif case == "garbage":
        barcode, expected = "\x1b[31m;DROP TABLE item", "not"
    before = snapshot()
    with pytest.raises(Refusal, match=expected):
        lending.checkout(lib.clerk, reader.id, barcode, NOW)
    assert snapshot() == before


def test_reader_card_scanned_as_book_is_recognised(lib):
    reader, other = lib.patron(), lib.patron(name="Han Meimei")
    with pytest.raises(CardScanned) as caught:
        lending.checkout(lib.clerk, reader.id, other.card, NOW)
    assert caught.value.card == other.card


def test_copy_on_loan_elsewhere_offers_check_in_first(lib):
    first, second, book = lib.patron(), lib.patron(name="Han Meimei"), lib.item()
    lending.checkout(lib.clerk, first.id, book.barcode, NOW)
    before = snapshot()
    with pytest.raises(OnLoanElsewhere, match="still on loan to Li Lei"):
        lending.checkout(lib.clerk, second.id, book.barcode, NOW)
    assert snapshot() == before
    result = lending.checkout(lib.clerk, second.id, book.barcode, NOW, check_in_first=True)
    assert result.returned_first.patron_name == "Li Lei"
    open_loans = list(Loan.select().where(Loan.item == book.id, Loan.returned_at.is_null()))
    assert [loan.patron_id for loan in open_loans] == [second.id]


def test_check_in_first_is_undone_when_the_new_reader_is_refused(lib):
    first, book = lib.patron(), lib.item()
    second = lib.patron(name="Han Meimei", expires_on=TODAY - timedelta(days=3))
    lending.checkout(lib.clerk, first.id, book.barcode, NOW)
    before = snapshot()
    with pytest.raises(Refusal, match="expired"):
        lending.checkout(lib.clerk, second.id, book.barcode, NOW, check_in_first=True)
    assert snapshot() == before


def test_database_refuses_a_second_open_loan(lib):
    import peewee
    reader, book = lib.patron(), lib.item()
    lending.checkout(lib.clerk, reader.id, book.barcode, NOW)
    with pytest.raises(peewee.IntegrityError):
        Loan.create(item=book, patron=reader, out_at=NOW, due_at=NOW)


def test_a_checkin_waiting_for_another_desk_is_stamped_after_what_that_desk_did(lib):
    """A desk scans a book in while another desk holds the lock, checks the same copy
    in and lends it again. The waiting check-in closes the new loan, so its moment must
    be taken once the lock is held, or the loan is returned before it was lent."""
    import threading
    import time

    from counter_tui import db
    from counter_tui.domain.calendar import utc_now
    from counter_tui.services.admin import check

    first, second = lib.patron(), lib.patron(name="Han Meimei", expires_on=date(2099, 1, 1))
    book = lib.item()
    lending.checkout(lib.clerk, first.id, book.barcode, NOW)
    waiting = {}
    with db.database.atomic():
        lending.checkin(lib.clerk, book.barcode, NOW + timedelta(days=1))
        desk = threading.Thread(target=lambda: waiting.update(r=lending.checkin(lib.clerk, book.barcode)))
        desk.start()
        time.sleep(1.1)  # stamps are whole seconds: the other desk read its clock a second ago
        lending.checkout(lib.clerk, second.id, book.barcode, utc_now())
    desk.join()
    assert waiting["r"].was_on_loan and waiting["r"].patron_name == "Han Meimei"
    lent_again = Loan.get(Loan.patron == second.id)
    assert lent_again.returned_at >= lent_again.out_at
    assert [r.name for r in check.run_checks() if not r.ok] == []


def test_checkin_on_time_charges_nothing(lib):
    reader, book = lib.patron(), lib.item()
    lending.checkout(lib.clerk, reader.id, book.barcode, NOW)
    result = lending.checkin(lib.clerk, book.barcode, NOW + timedelta(days=3))
    assert result.was_on_loan and result.patron_name == "Li Lei"
    assert result.fine == 0 and result.days_late == 0
    back = Item.get_by_id(book.id)  # onto the shelving cart, shelved by a scan or in time
    assert back.status == "shelving cart" and back.status_since == NOW + timedelta(days=3)
    assert Loan.get(Loan.item == book.id).returned_at is not None
    assert Fee.select().count() == 0
    assert "Stacks" in result.destination and book.call_number in result.destination


def test_checkin_late_charges_fine_by_rule(lib):
    reader, book = lib.patron(), lib.item(price=3000)
    lib.rule(fine_amount=25, fine_interval_days=1, grace_days=3, fine_includes_grace=True, fine_cap=500,
             fine_cap_at_price=False, fines_skip_closed=False)
    lib.loan(book, reader, TODAY - timedelta(days=38), TODAY - timedelta(days=10))
    result = lending.checkin(lib.clerk, book.barcode, NOW)
    assert result.days_late == 10 and result.fine == 250
    fee = Fee.get(Fee.patron == reader.id)
    assert fee.kind == "overdue" and fee.amount == 250 and fee.loan_id is not None
    assert patrons.balance(reader.id) == 250
    assert AuditEvent.select().where(AuditEvent.action == "checkin").count() == 1


def test_fine_skips_closed_days_and_caps_at_price(lib):
    reader, book = lib.patron(), lib.item(price=120)
    lib.rule(fine_amount=50, fine_interval_days=1, grace_days=0, fine_cap=5000, fine_cap_at_price=True,
             fines_skip_closed=True)
    lib.closed(TODAY - timedelta(days=1))
    lib.loan(book, reader, TODAY - timedelta(days=30), TODAY - timedelta(days=2))
    result = lending.checkin(lib.clerk, book.barcode, NOW)
    # 2 days late, 1 closed: 1 chargeable day = 50, under the price of 120
    assert result.days_late == 2 and result.fine == 50
    book2 = lib.item(price=120)
    lib.loan(book2, reader, TODAY - timedelta(days=40), TODAY - timedelta(days=12))
    assert lending.checkin(lib.clerk, book2.barcode, NOW).fine == 120  # capped at the price


def test_checkin_refusals_change_nothing(lib):
    reader, book = lib.patron(), lib.item()
    Item.update(status="withdrawn").where(Item.id == book.id).execute()
    for code, expected in [(reader.card, "reader's card"), (book.barcode, "withdrawn"),
                           ("31234000000017", "check digit"), ("", "Scan a book")]:
        before = snapshot()
        with pytest.raises(Refusal, match=expected):
            lending.checkin(lib.clerk, code, NOW)
        assert snapshot() == before


def test_checkin_of_a_copy_not_on_loan_writes_nothing(lib):
    book = lib.item()
    before = snapshot()
    result = lending.checkin(lib.clerk, book.barcode, NOW)
    assert not result.was_on_loan and "not on loan" in result.note
    assert snapshot() == before


def test_checkin_of_a_lost_copy_marks_it_found(lib):
    book = lib.item(status="lost")
    result = lending.checkin(lib.clerk, book.barcode, NOW)
    assert "Found" in result.note and Item.get_by_id(book.id).status == "shelving cart"


def test_renew_extends_from_today_and_counts(lib):
    reader, book = lib.patron(), lib.item()
    lib.rule(loan_days=28, renewals=1)
    lib.loan(book, reader, TODAY - timedelta(days=20), TODAY + timedelta(days=8))
    result = lending.renew(lib.clerk, book.barcode, NOW)
    assert result.old_due == TODAY + timedelta(8) and result.due == TODAY + timedelta(28)
    assert Loan.get(Loan.item == book.id).renewals == 1
    assert AuditEvent.select().where(AuditEvent.action == "renew").count() == 1
    before = snapshot()
    with pytest.raises(Refusal, match="renewed 1 time, the most allowed"):
        lending.renew(lib.clerk, book.barcode, NOW + timedelta(days=5))
    assert snapshot() == before


def test_renew_refusals(lib):
    reader, book, idle = lib.patron(), lib.item(), lib.item()
    lib.rule(renew_overdue_days=2)
    lib.loan(book, reader, TODAY - timedelta(days=40), TODAY - timedelta(days=5))
    before = snapshot()
    with pytest.raises(Refusal, match="5 days overdue"):
        lending.renew(lib.clerk, book.barcode, NOW)
    with pytest.raises(Refusal, match="not on loan"):
        lending.renew(lib.clerk, idle.barcode, NOW)
    Patron.update(status="blocked", block_reason="unpaid").where(Patron.id == reader.id).execute()
    with pytest.raises(Refusal, match="Cannot renew for Li Lei: Blocked"):
        lending.renew(lib.clerk, book.barcode, NOW)
    assert snapshot()[1:] == before[1:]


def test_renewing_a_slightly_overdue_loan_charges_the_fine_so_far(lib):
    reader, book = lib.patron(), lib.item()
    lib.rule(renew_overdue_days=3, fine_amount=10, grace_days=0, fines_skip_closed=False)
    loan = lib.loan(book, reader, TODAY - timedelta(days=30), TODAY - timedelta(days=2))
    result = lending.renew_loan(lib.clerk, loan.id, NOW)
    assert result.fine == 20 and patrons.balance(reader.id) == 20


def test_unknown_patron_card_and_name_search(lib):
    lib.patron(name="Wang Fang")
    lib.patron(name="Wang Wei")
    lib.patron(name="王芳")
    with pytest.raises(NotFound, match="No reader has card"):
        patrons.find_by_card("21234000999995")
    assert [m.name for m in patrons.search("Wang")] == ["Wang Fang", "Wang Wei"]
    assert [m.name for m in patrons.search("芳")] == ["王芳"]
