"""Payments, waivers, refunds and payouts: the balance is always the ledger's sum."""
from __future__ import annotations

from datetime import timedelta

import pytest

from counter_tui.models import AuditEvent, Fee, Item, Loan, Patron
from counter_tui.services.admin import check, staff
from counter_tui.services.fees import payments
from counter_tui.services.readers import patrons
from counter_tui.services.printing import slips
from counter_tui.services.errors import PermissionDenied, Refusal
from tests.conftest import NOW


@pytest.fixture(autouse=True)
def slip_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(slips.ENV_SLIPS, str(tmp_path / "slips"))
    monkeypatch.delenv(slips.ENV_PRINT, raising=False)
    return tmp_path / "slips"


@pytest.fixture
def curator(clerk):
    return staff.add_staff(None, "head", "Head Librarian", "correct horse", ["curator"], NOW)


def snapshot():
    """Everything a refusal must leave alone."""
    return (sorted(Fee.select(Fee.id, Fee.kind, Fee.amount, Fee.applies_to).tuples()),
            sorted(Loan.select(Loan.id, Loan.returned_at).tuples()),
            sorted(Item.select(Item.id, Item.status).tuples()),
            AuditEvent.select().count())


def charge(reader: Patron, kind: str, amount: int, days_ago: int, note: str = "") -> int:
    return Fee.create(patron=reader.id, kind=kind, amount=amount, at=NOW - timedelta(days=days_ago),
                      note=note or kind).id


def ledger_ok(reader: Patron) -> None:
    st = payments.statement(reader.id)
    assert st.balance == patrons.balance(reader.id) == sum(f.amount for f in Fee.select().where(
        Fee.patron == reader.id))
    assert st.balance == sum(c.owing for c in st.charges) - st.credit
    assert all(c.owing >= 0 and c.paid >= 0 and c.due >= 0 for c in st.charges)
    assert all(r.ok for r in check.run_checks() if r.name == "fee ledger"), check.run_checks()


def test_partial_payments_cover_the_oldest_charges_first(lib, slip_folder):
    reader = lib.patron()
    old = charge(reader, "overdue", 300, 10, "late: Old book")
    new = charge(reader, "card", 500, 2, "replacement card")
    first = payments.pay(lib.clerk, reader.id, 200, NOW)
    assert first.balance == 600 and first.covered == ((payments.statement(reader.id).charge(old).label(), 200),)
    st = payments.statement(reader.id)
    assert (st.charge(old).paid, st.charge(old).owing, st.charge(new).owing) == (200, 100, 500)
    second = payments.pay(lib.clerk, reader.id, 250, NOW)
    assert [amount for _, amount in second.covered] == [100, 150]  # the rest of the old one, then the new
    assert payments.statement(reader.id).balance == 350
    ledger_ok(reader)
    # the whole balance by default; each payment is one row, not split
    last = payments.pay(lib.clerk, reader.id, None, NOW)
    assert last.amount == 350 and last.balance == 0
    assert Fee.select().where((Fee.patron == reader.id) & (Fee.kind == "payment")).count() == 3
    ledger_ok(reader)


def test_fee_receipt_is_a_slip_with_what_was_paid(lib, slip_folder):
    reader = lib.patron(name="Han Meimei")
    charge(reader, "overdue", 300, 10, "12 days late: Dream of the Red Chamber")
    receipt = payments.pay(lib.clerk, reader.id, 300, NOW)
    text = receipt.slip.path.read_text(encoding="utf-8")
    assert "Fee receipt" in text and "H. Meimei" in text and "Han Meimei" not in text  # left on counters:
    assert reader.card not in text and f"**********{reader.card[-4:]}" in text  # name shortened, card masked
    assert "Dream of the Red" in text and "¥3.00" in text and "Desk Clerk" in text
    assert all(slips.cells(line) <= slips.WIDTH for line in text.splitlines())
    assert slips.last_slip() == text


@pytest.mark.parametrize("amount, expected", [(0, "positive"), (-5, "positive"), (901, "more than"),
                                              (True, "positive")])
def test_payment_refusals_change_nothing(lib, amount, expected):
    reader = lib.patron()
    charge(reader, "overdue", 900, 3)
    before = snapshot()
    with pytest.raises(Refusal, match=expected):
        payments.pay(lib.clerk, reader.id, amount, NOW)
    assert snapshot() == before


def test_payments_never_exceed_the_balance(lib):
    reader = lib.patron()
    Fee.create(patron=reader, kind="overdue", amount=300, at=NOW)
    assert payments.pay(lib.clerk, reader.id, 100, NOW).balance == 200
    before = snapshot()
    for amount, expected in [(201, "owes ¥2.00"), (0, "positive"), (-5, "positive")]:
        with pytest.raises(Refusal, match=expected):
            payments.pay(lib.clerk, reader.id, amount, NOW)
    assert snapshot() == before
    assert payments.pay(lib.clerk, reader.id, 200, NOW).balance == 0


def test_payment_when_nothing_is_owed_is_refused(lib):
    reader = lib.patron()
    before = snapshot()
    with pytest.raises(Refusal, match="owes nothing"):
        payments.pay(lib.clerk, reader.id, None, NOW)
    assert snapshot() == before


def test_a_clerk_may_not_waive_or_refund_and_nothing_changes(lib, curator):
    reader = lib.patron()
    fee_id = charge(reader, "overdue", 400, 3)
    payments.pay(lib.clerk, reader.id, 100, NOW)
    before = snapshot()
    with pytest.raises(PermissionDenied, match="Only the curator may waive fees"):
        payments.waive(lib.clerk, reader.id, fee_id, "first offence", None, NOW)
    with pytest.raises(PermissionDenied, match="Only the curator may refund fees"):
        payments.refund(lib.clerk, reader.id, fee_id, "charged in error", None, NOW)
    assert snapshot() == before


def test_curator_waives_the_unpaid_part_with_a_reason(lib, curator, slip_folder):
    reader = lib.patron()
    fee_id = charge(reader, "overdue", 400, 3)
    payments.pay(lib.clerk, reader.id, 100, NOW)
    receipt = payments.waive(curator, reader.id, fee_id, "  first   offence ", None, NOW)
    assert receipt.amount == 300 and receipt.balance == 0
    row = Fee.get((Fee.kind == "waiver") & (Fee.patron == reader.id))
    assert row.amount == -300 and row.applies_to_id == fee_id and row.note == "first offence"
    assert AuditEvent.get(AuditEvent.action == "fee.waive").staff_id == curator.id
    assert "first offence" in receipt.slip.path.read_text(encoding="utf-8")
    ledger_ok(reader)


@pytest.mark.parametrize("case", ["no reason", "too much", "paid already", "other reader", "negative"])
def test_waiver_refusals_change_nothing(lib, curator, case):
    reader, other = lib.patron(), lib.patron(name="Other")
    fee_id = charge(reader, "overdue", 400, 3)
    other_fee = charge(other, "overdue", 100, 3)
    payments.pay(lib.clerk, reader.id, 100, NOW)
    args = {"no reason": (fee_id, " ", None, "reason"), "too much": (fee_id, "kind", 301, "Only"),
            "paid already": (fee_id, "x", None, None), "other reader": (other_fee, "x", None, "not one of"),
            "negative": (fee_id, "x", -1, "positive")}[case]
    if case == "paid already":
        payments.pay(lib.clerk, reader.id, 300, NOW)
        args = (fee_id, "x", None, "refund it instead")
    before = snapshot()
    with pytest.raises(Refusal, match=args[3]):
        payments.waive(curator, reader.id, args[0], args[1], args[2], NOW)
    assert snapshot() == before


def test_refund_of_a_paid_charge_covers_other_charges_then_hands_back_the_rest(lib, curator):
    reader = lib.patron()
    wrong = charge(reader, "damage", 1000, 5, "water damage (charged in error)")
    payments.pay(lib.clerk, reader.id, 1000, NOW)
    later = charge(reader, "overdue", 300, 1)
    assert payments.statement(reader.id).balance == 300
    receipt = payments.refund(curator, reader.id, wrong, "damage was there before the loan", None, NOW)
    # 1000 comes back: 300 pays the later fine, 700 is handed back
    assert receipt.amount == 1000 and receipt.paid_out == 700 and receipt.balance == 0
    st = payments.statement(reader.id)
    assert st.charge(wrong).due == 0 and st.charge(later).owing == 0
    assert Fee.get(Fee.kind == "payout").amount == 700
    ledger_ok(reader)


def test_refund_without_payout_leaves_the_reader_in_credit_and_a_clerk_pays_it_out(lib, curator):
    reader = lib.patron()
    wrong = charge(reader, "overdue", 500, 5)
    payments.pay(lib.clerk, reader.id, 500, NOW)
    payments.refund(curator, reader.id, wrong, "returned on time after all", 200, NOW, pay_out=False)
    st = payments.statement(reader.id)
    assert st.balance == -200 and st.credit == 200 and st.charge(wrong).paid == 300
    ledger_ok(reader)
    before = snapshot()
    with pytest.raises(Refusal, match="more than that"):
        payments.pay_out(lib.clerk, reader.id, 201, NOW)
    assert snapshot() == before
    out = payments.pay_out(lib.clerk, reader.id, None, NOW)
    assert out.amount == 200 and out.balance == 0
    ledger_ok(reader)
    with pytest.raises(Refusal, match="not in credit"):
        payments.pay_out(lib.clerk, reader.id, None, NOW)


def test_refund_refusals_change_nothing(lib, curator):
    reader = lib.patron()
    unpaid = charge(reader, "overdue", 500, 5)
    before = snapshot()
    with pytest.raises(Refusal, match="waive it instead"):
        payments.refund(curator, reader.id, unpaid, "x", None, NOW)
    payments.pay(lib.clerk, reader.id, 100, NOW)
    before = snapshot()
    with pytest.raises(Refusal, match="Only"):
        payments.refund(curator, reader.id, unpaid, "x", 101, NOW)
    with pytest.raises(Refusal, match="reason"):
        payments.refund(curator, reader.id, unpaid, "", None, NOW)
    assert snapshot() == before


def test_balance_over_the_category_limit_blocks_until_it_drops(lib):
    reader = lib.patron()  # students may owe up to ¥10.00
    charge(reader, "overdue", 1500, 3)
    assert any("over the limit" in b for b in patrons.summary(reader.id, NOW).blocks)
    payments.pay(lib.clerk, reader.id, 400, NOW)
    assert any("over the limit" in b for b in patrons.summary(reader.id, NOW).blocks)  # 1100 > 1000
    payments.pay(lib.clerk, reader.id, 100, NOW)
    assert not patrons.summary(reader.id, NOW).blocks  # 1000 is the limit, not over it


def test_old_unallocated_payments_still_count(lib):
    """Payments the demo writes, like older rows, have no applies_to."""
    reader = lib.patron()
    fee_id = charge(reader, "overdue", 500, 5)
    Fee.create(patron=reader.id, kind="payment", amount=-200, at=NOW, staff=lib.clerk.id, note="Paid at the desk")
    assert payments.statement(reader.id).charge(fee_id).owing == 300
    ledger_ok(reader)


def test_check_finds_a_waiver_larger_than_its_charge(lib):
    reader = lib.patron()
    fee_id = charge(reader, "overdue", 100, 5)
    Fee.create(patron=reader.id, kind="waiver", amount=-150, at=NOW, applies_to=fee_id, note="by hand")
    ledger = next(r for r in check.run_checks() if r.name == "fee ledger")
    assert not ledger.ok and "more than it was" in ledger.problems[0]
