"""Lost books and claims returned: charges, the fine by policy, refunds when the copy comes back."""
from __future__ import annotations

from datetime import timedelta

import pytest

from counter_tui.domain.calendar import local_date
from counter_tui.models import AuditEvent, Fee, Item, ItemType, Loan
from counter_tui.services.admin import check, staff
from counter_tui.services.circulation import lending, losses
from counter_tui.services import library_settings
from counter_tui.services.readers import patrons
from counter_tui.services.fees import payments
from counter_tui.services.printing import slips
from counter_tui.services.readers.loans_and_fees import account
from counter_tui.services.errors import PermissionDenied, Refusal
from tests.conftest import NOW, ZONE

TODAY = local_date(NOW, ZONE)


@pytest.fixture(autouse=True)
def slip_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(slips.ENV_SLIPS, str(tmp_path / "slips"))
    monkeypatch.delenv(slips.ENV_PRINT, raising=False)


@pytest.fixture
def policy(settings):
    """Set the library's lost policies for one test."""
    def set_(**values):
        for key, value in values.items():
            setattr(settings, key, value)
    yield set_
    set_(lost_fine="keep", lost_refund="price", claims_returned_limit=3)


def snapshot():
    return (sorted(Fee.select(Fee.id, Fee.kind, Fee.amount).tuples()),
            sorted(Loan.select(Loan.id, Loan.returned_at, Loan.lost_at, Loan.claimed_returned_at).tuples()),
            sorted(Item.select(Item.id, Item.status).tuples()),
            AuditEvent.select().count())


def all_checks_pass():
    failed = [r for r in check.run_checks() if not r.ok and r.name != "database files"]
    assert not failed, failed


def late_loan(lib, days_late: int, price: int | None = 4500, processing: int = 500):
    ItemType.update(processing_fee=processing).where(ItemType.code == "book").execute()
    reader, book = lib.patron(), lib.item(price=price)
    loan = lib.loan(book, reader, TODAY - timedelta(days=28 + days_late), TODAY - timedelta(days=days_late))
    return reader, book, loan


def kinds(reader) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in Fee.select().where(Fee.patron == reader.id):
        out[f.kind] = out.get(f.kind, 0) + f.amount
    return out


def test_declare_lost_charges_price_processing_and_the_fine_and_closes_the_loan(lib, policy):
    policy(lost_fine="keep")
    lib.rule(fine_amount=10, fine_interval_days=1, grace_days=0, fine_cap=None, fine_cap_at_price=False)
    reader, book, loan = late_loan(lib, days_late=5)
    quote = losses.lost_quote(lib.clerk, loan.id, NOW)
    assert (quote.replacement, quote.processing, quote.fine) == (4500, 500, 50)
    assert "¥50.50" in quote.sentence()
    result = losses.declare_lost(lib.clerk, loan.id, NOW)
    assert result.balance == 5050 == patrons.balance(reader.id)
    assert kinds(reader) == {"lost": 4500, "processing": 500, "overdue": 50}
    loan = Loan.get_by_id(loan.id)
    assert loan.returned_at == NOW and loan.lost_at == NOW and loan.staff_in_id == lib.clerk.id
    assert Item.get_by_id(book.id).status == "lost"
    assert AuditEvent.get(AuditEvent.action == "loan.lost").record_id == loan.id
    assert account(reader.id, NOW).history[0].lost_on == TODAY
    all_checks_pass()


def test_lost_with_fine_waived_by_policy_and_the_item_types_default_price(lib, policy):
    policy(lost_fine="waive")
    reader, book, loan = late_loan(lib, days_late=20, price=None, processing=0)
    result = losses.declare_lost(lib.clerk, loan.id, NOW)
    assert result.quote.fine == 0 and result.quote.fine_due > 0
    assert kinds(reader) == {"lost": 5000}  # the book type's replacement price, no processing fee, no fine
    all_checks_pass()


def test_a_lost_copy_priced_0_is_charged_and_capped_at_its_types_price(lib, policy):
    """A price of 0 was never entered: the item type's price is charged, and caps the fine."""
    policy(lost_fine="keep")
    lib.rule(fine_amount=100, fine_interval_days=1, grace_days=0, fine_cap=None, fine_cap_at_price=True)
    reader, book, loan = late_loan(lib, days_late=90, price=0, processing=0)
    quote = losses.lost_quote(lib.clerk, loan.id, NOW)
    assert quote.replacement == 5000 and quote.fine == 5000  # 90 days x 1.00 would be 90.00
    losses.declare_lost(lib.clerk, loan.id, NOW)
    assert kinds(reader) == {"lost": 5000, "overdue": 5000}


def test_overdue_fine_of_a_lost_book_is_capped_at_the_replacement_price(lib, policy):
    policy(lost_fine="keep")
    lib.rule(fine_amount=100, fine_interval_days=1, grace_days=0, fine_cap=None, fine_cap_at_price=True)
    reader, book, loan = late_loan(lib, days_late=90, price=1200)
    quote = losses.lost_quote(lib.clerk, loan.id, NOW)
    assert quote.fine == 1200 and quote.replacement == 1200  # 90 days x 1.00 would be 90.00
    lib.rule(fine_cap=800)  # the rule's own cap, lower than the price, wins
    assert losses.lost_quote(lib.clerk, loan.id, NOW).fine == 800


def test_lost_refusals_change_nothing(lib):
    reader, book, loan = late_loan(lib, days_late=1)
    office = staff.add_staff(None, "office", "Office", "correct horse", ["office"], NOW)
    before = snapshot()
    with pytest.raises(PermissionDenied, match="circulation staff"):
        losses.declare_lost(office, loan.id, NOW)
    assert snapshot() == before
    losses.declare_lost(lib.clerk, loan.id, NOW)
    before = snapshot()
    with pytest.raises(Refusal, match="already declared lost"):
        losses.declare_lost(lib.clerk, loan.id, NOW)
    other = lib.item()
    done = lib.loan(other, reader, TODAY - timedelta(days=3), TODAY + timedelta(days=20))
    lending.checkin(lib.clerk, other.barcode, NOW)
    before = snapshot()
    with pytest.raises(Refusal, match="was returned"):
        losses.declare_lost(lib.clerk, done.id, NOW)
    assert snapshot() == before


def test_found_lost_book_refunds_the_paid_price_but_not_the_processing_fee(lib, policy):
    policy(lost_refund="price", lost_fine="waive")
    reader, book, loan = late_loan(lib, days_late=1)
    losses.declare_lost(lib.clerk, loan.id, NOW)
    payments.pay(lib.clerk, reader.id, 5000, NOW)  # paid in full
    later = NOW + timedelta(days=3)
    result = lending.checkin(lib.clerk, book.barcode, later)
    assert "Found" in result.note and "(¥45.00 paid)" in result.note and "has ¥45.00 to collect" in result.note
    st = payments.statement(reader.id)
    assert st.balance == -4500  # the reader is owed the price; the processing fee stays
    refund = Fee.get(Fee.kind == "refund")
    assert refund.amount == -4500 and Fee.get_by_id(refund.applies_to_id).kind == "lost"
    assert Item.get_by_id(book.id).status in ("available", "shelving cart")
    all_checks_pass()
    out = payments.pay_out(lib.clerk, reader.id, None, later)
    assert out.amount == 4500 and payments.statement(reader.id).balance == 0
    # checking it in again refunds nothing twice
    lending.checkout(lib.clerk, reader.id, book.barcode, later)
    lending.checkin(lib.clerk, book.barcode, later)
    assert Fee.select().where(Fee.kind == "refund").count() == 1


def test_found_lost_book_unpaid_is_waived_all_by_policy(lib, policy):
    policy(lost_refund="all", lost_fine="keep")
    lib.rule(fine_amount=10, fine_interval_days=1, grace_days=0, fine_cap=None, fine_cap_at_price=False)
    reader, book, loan = late_loan(lib, days_late=4)
    losses.declare_lost(lib.clerk, loan.id, NOW)
    payments.pay(lib.clerk, reader.id, 40, NOW)  # covers the oldest charge first: the lost charge's row
    result = lending.checkin(lib.clerk, book.barcode, NOW + timedelta(days=1))
    assert "Lost charges cancelled (¥49.60 unpaid, ¥0.40 paid)" in result.note
    st = payments.statement(reader.id)
    # price and processing cancelled; the 40 paid freed and moved onto the overdue fine
    assert st.balance == 0 and kinds(reader)["overdue"] == 40
    assert {f.kind for f in Fee.select().where(Fee.amount < 0)} == {"payment", "waiver", "refund"}
    all_checks_pass()


def test_found_lost_book_with_no_refund_policy_keeps_every_charge(lib, policy):
    policy(lost_refund="none")
    reader, book, loan = late_loan(lib, days_late=1)
    losses.declare_lost(lib.clerk, loan.id, NOW)
    owed = patrons.balance(reader.id)
    result = lending.checkin(lib.clerk, book.barcode, NOW)
    assert result.note == "Found: it was marked lost."
    assert patrons.balance(reader.id) == owed


def test_claims_returned_records_who_and_when_and_stops_overdue_and_fines(lib, policy):
    lib.rule(fine_amount=10, fine_interval_days=1, grace_days=0, fine_cap=None, fine_cap_at_price=False)
    reader, book, loan = late_loan(lib, days_late=3)
    assert patrons.summary(reader.id, NOW).overdue == 1
    result = losses.claim_returned(lib.clerk, loan.id, NOW)
    assert result.claims == 1 and result.warning == ""
    loan = Loan.get_by_id(loan.id)
    assert loan.claimed_returned_at == NOW and loan.claimed_by_id == lib.clerk.id and loan.returned_at is None
    assert Item.get_by_id(book.id).status == "claims returned"
    assert patrons.summary(reader.id, NOW).overdue == 0
    line = account(reader.id, NOW + timedelta(days=10)).loans[0]
    assert line.claimed_on == TODAY and line.overdue_days == 0
    all_checks_pass()
    before = snapshot()
    with pytest.raises(Refusal, match="claimed returned"):
        lending.renew_loan(lib.clerk, loan.id, NOW)
    with pytest.raises(Refusal, match="already claimed"):
        losses.claim_returned(lib.clerk, loan.id, NOW)
    assert snapshot() == before
    # found ten days later: the fine stops at the claim's day (3 days late), not 13
    back = lending.checkin(lib.clerk, book.barcode, NOW + timedelta(days=10))
    assert back.fine == 30
    all_checks_pass()


def test_a_claimed_loan_can_be_declared_lost(lib):
    reader, book, loan = late_loan(lib, days_late=2)
    losses.claim_returned(lib.clerk, loan.id, NOW)
    losses.declare_lost(lib.clerk, loan.id, NOW + timedelta(days=30))
    assert Item.get_by_id(book.id).status == "lost"
    all_checks_pass()


def test_reader_past_the_claims_limit_is_warned(lib, policy):
    policy(claims_returned_limit=1)
    reader = lib.patron()
    results = []
    for n in range(2):
        book = lib.item()
        loan = lib.loan(book, reader, TODAY - timedelta(days=30), TODAY - timedelta(days=2))
        results.append(losses.claim_returned(lib.clerk, loan.id, NOW))
    assert results[0].warning == ""
    assert "claimed 2 books returned" in losses.claims_warning(reader.id)
    assert losses.claims_warning(lib.patron(name="Nobody").id) == ""
    assert results[1].claims == 2 and "more than the library's limit of 1" in results[1].warning
    assert library_settings.settings().claims_returned_limit == 1


def test_claim_refusals_change_nothing(lib):
    reader, book, loan = late_loan(lib, days_late=1)
    lending.checkin(lib.clerk, book.barcode, NOW)
    before = snapshot()
    with pytest.raises(Refusal, match="not on loan"):
        losses.claim_returned(lib.clerk, loan.id, NOW)
    with pytest.raises(Refusal, match="no longer exists"):
        losses.claim_returned(lib.clerk, 9999, NOW)
    assert snapshot() == before
