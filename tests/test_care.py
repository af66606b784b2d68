"""Damage assessment at check-in, the damage charge, the repair queue and withdrawal proposals."""
from __future__ import annotations

from datetime import timedelta

import pytest

from counter_tui.domain.item_status import ItemStatus, can_move
from counter_tui.models import AuditEvent, DamageAssessment, Fee, Item
from counter_tui.services.circulation import damage, lending, shelving
from counter_tui.services.admin import check, staff
from counter_tui.services.errors import PermissionDenied, Refusal
from tests.conftest import NOW


def snapshot():
    return ([(i.id, i.status, i.status_since, i.condition) for i in Item.select().order_by(Item.id)],
            [(a.id, a.decision, a.repaired_at) for a in DamageAssessment.select().order_by(DamageAssessment.id)],
            [(f.id, f.kind, f.amount) for f in Fee.select().order_by(Fee.id)],
            AuditEvent.select().count())


def returned(lib, reader=None, **fields):
    reader = reader or lib.patron()
    book = lib.item(**fields)
    lending.checkout(lib.clerk, reader.id, book.barcode, NOW - timedelta(days=2))
    lending.checkin(lib.clerk, book.barcode, NOW)
    return book, reader


def sound(result) -> bool:
    return not [r for r in check.run_checks() if not r.ok and r.name != "database files"]


def test_slight_damage_kept_in_circulation_with_a_confirmed_charge(lib):
    book, reader = returned(lib)
    last = damage.last_borrower(book.barcode)
    assert last.name == "Li Lei" and last.price == 4500
    result = damage.assess_damage(lib.clerk, book.barcode, "slight", damage.KEEP, fee=500, note="coffee stain",
                                now=NOW, expect_loan=last.loan_id)
    assert result.status == "shelving cart" and result.fee == 500 and result.charged_to == "Li Lei"
    fee = Fee.get(Fee.kind == "damage")
    assert fee.patron_id == reader.id and fee.amount == 500 and fee.loan_id == last.loan_id
    a = DamageAssessment.get_by_id(result.id)
    assert (a.degree, a.decision, a.note, a.fee_id, a.patron_id) == ("slight", damage.KEEP, "coffee stain",
                                                                      fee.id, reader.id)
    item = Item.get_by_id(book.id)
    assert item.status == "shelving cart" and item.condition == "slight damage"
    assert damage.repair_queue() == []  # kept in circulation: not queued
    assert "stays in circulation" in damage.describe(result) and "¥5.00 charged to Li Lei" in damage.describe(result)
    assert sound(result)


@pytest.mark.parametrize("price", [0, None])
def test_a_copy_without_a_price_offers_its_types_price(lib, price):
    """A price of 0 was never entered: the damage dialog offers the item type's price (5000 for a book)."""
    book, _ = returned(lib, price=price)
    assert damage.last_borrower(book.barcode).price == 5000


def test_repair_takes_the_copy_out_until_marked_repaired_then_back_via_the_cart(lib):
    book, _ = returned(lib)
    result = damage.assess_damage(lib.clerk, book.barcode, "moderate", damage.REPAIR, now=NOW)
    item = Item.get_by_id(book.id)
    assert item.status == "in repair" and item.status_since == NOW
    assert Fee.select().count() == 0  # no charge unless one is given
    queue = damage.repair_queue()
    assert [(q.barcode, q.decision, q.degree) for q in queue] == [(book.barcode, "repair", "moderate")]
    # in repair: not lendable, not shelvable, and check-in says so
    with pytest.raises(Refusal, match="in repair"):
        lending.checkout(lib.clerk, lib.patron(name="Han Meimei").id, book.barcode, NOW)
    with pytest.raises(Refusal, match="in repair"):
        shelving.shelve(lib.clerk, book.barcode, NOW)
    with pytest.raises(Refusal, match="already in the repair queue"):
        damage.assess_damage(lib.clerk, book.barcode, "severe", damage.REPAIR, now=NOW)
    done = damage.mark_repaired(lib.clerk, book.id, NOW + timedelta(days=3))
    assert done.status == "shelving cart"
    item = Item.get_by_id(book.id)
    assert item.status == "shelving cart" and item.status_since == NOW + timedelta(days=3)
    assert item.condition == "repaired"
    a = DamageAssessment.get_by_id(result.id)
    assert a.repaired_at == NOW + timedelta(days=3) and a.repaired_by_id == lib.clerk.id
    assert damage.repair_queue() == []
    before = snapshot()
    with pytest.raises(Refusal, match="shelving cart, no longer in repair"):
        damage.mark_repaired(lib.clerk, book.id, NOW + timedelta(days=4))
    assert snapshot() == before
    assert sound(done)


def test_a_proposal_for_withdrawal_is_the_cataloguers_list_and_the_copy_stays_out(lib):
    book, _ = returned(lib)
    other, _ = returned(lib, title="Fortress Besieged")
    proposed = damage.assess_damage(lib.clerk, book.barcode, "severe", damage.WITHDRAW, note="pages missing", now=NOW)
    repair = damage.assess_damage(lib.clerk, other.barcode, "moderate", damage.REPAIR, now=NOW + timedelta(minutes=1))
    assert Item.get_by_id(book.id).status == "in repair"
    assert [q.barcode for q in damage.withdrawal_proposals()] == [book.barcode]
    assert [q.barcode for q in damage.repair_queue()] == [book.barcode, other.barcode]
    # from the repair queue: beyond repair after all
    damage.propose_withdrawal(lib.clerk, other.id, note="spine broken", now=NOW + timedelta(days=1))
    assert [q.barcode for q in damage.withdrawal_proposals()] == [book.barcode, other.barcode]
    assert DamageAssessment.get_by_id(repair.id).decision == damage.WITHDRAW
    with pytest.raises(Refusal, match="already proposed"):
        damage.propose_withdrawal(lib.clerk, other.id, now=NOW)
    # the cataloguers' write-off may move the copy on: in repair -> withdrawn
    assert can_move(ItemStatus.IN_REPAIR, ItemStatus.WITHDRAWN)
    Item.update(status="withdrawn").where(Item.id == book.id).execute()
    assert [q.barcode for q in damage.withdrawal_proposals()] == [other.barcode]
    with pytest.raises(Refusal, match="no longer in repair"):
        damage.mark_repaired(lib.clerk, book.id, NOW)
    # the cataloguers may decline: the repair queue can still mend and shelve it
    damage.mark_repaired(lib.clerk, other.id, NOW + timedelta(days=2))
    assert Item.get_by_id(other.id).status == "shelving cart"


def test_a_copy_never_lent_can_be_assessed_but_not_charged(lib):
    book = lib.item()
    before = snapshot()
    with pytest.raises(Refusal, match="never been lent"):
        damage.assess_damage(lib.clerk, book.barcode, "slight", damage.KEEP, fee=100, now=NOW)
    assert snapshot() == before
    assert damage.last_borrower(book.barcode) is None
    result = damage.assess_damage(lib.clerk, book.barcode, "moderate", damage.REPAIR, now=NOW)
    assert result.status == "in repair" and DamageAssessment.get_by_id(result.id).patron_id is None


@pytest.mark.parametrize("args, words", [
    (("torn", damage.KEEP, 0), "degree"), (("slight", "burn it", 0), "decision"),
    (("slight", damage.KEEP, -5), "positive"), (("slight", damage.KEEP, 1.5), "positive")])
def test_bad_assessments_change_nothing(lib, args, words):
    book, _ = returned(lib)
    before = snapshot()
    with pytest.raises(Refusal, match=words):
        damage.assess_damage(lib.clerk, book.barcode, *args[:2], fee=args[2], now=NOW)
    assert snapshot() == before


def test_a_copy_on_loan_or_lent_again_is_not_charged(lib):
    book, first = returned(lib)
    last = damage.last_borrower(book.barcode)
    lending.checkout(lib.clerk, lib.patron(name="Han Meimei").id, book.barcode, NOW + timedelta(hours=1))
    before = snapshot()
    with pytest.raises(Refusal, match="check it in first"):
        damage.assess_damage(lib.clerk, book.barcode, "slight", damage.KEEP, fee=100, now=NOW + timedelta(hours=2))
    assert snapshot() == before
    lending.checkin(lib.clerk, book.barcode, NOW + timedelta(hours=3))
    before = snapshot()
    with pytest.raises(Refusal, match="lent again since"):
        damage.assess_damage(lib.clerk, book.barcode, "slight", damage.KEEP, fee=100, now=NOW + timedelta(hours=4),
                           expect_loan=last.loan_id)
    assert snapshot() == before
    assert damage.last_borrower(book.barcode).name == "Han Meimei"


def test_only_circulation_staff_assess_and_repair(lib):
    book, _ = returned(lib)
    result = damage.assess_damage(lib.clerk, book.barcode, "moderate", damage.REPAIR, now=NOW)
    cataloguer = staff.add_staff(None, "cat", "Cataloguer", "correct horse", ["cataloging"], NOW)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        damage.assess_damage(cataloguer, book.barcode, "slight", damage.KEEP, now=NOW)
    with pytest.raises(PermissionDenied):
        damage.mark_repaired(cataloguer, book.id, NOW)
    assert snapshot() == before
    assert len(damage.repair_queue()) == 1  # the list itself is open to read


def test_a_repaired_copy_back_on_the_cart_goes_on_the_shelf_by_scan(lib):
    book, _ = returned(lib)
    result = damage.assess_damage(lib.clerk, book.barcode, "slight", damage.REPAIR, now=NOW)
    damage.mark_repaired(lib.clerk, book.id, NOW + timedelta(hours=1))
    shelving.shelve(lib.clerk, book.barcode, NOW + timedelta(hours=2))
    assert Item.get_by_id(book.id).status == "available"


def test_a_copy_put_in_repair_without_an_assessment_is_in_the_queue_too(lib):
    """Statuses set elsewhere (a migration, the demo) still reach the repair queue."""
    book = lib.item(status="in repair")
    queue = damage.repair_queue()
    assert [(q.barcode, q.id, q.decision) for q in queue] == [(book.barcode, None, damage.REPAIR)]
    assert damage.withdrawal_proposals() == []
    before = snapshot()
    with pytest.raises(Refusal, match="No damage was recorded"):
        damage.propose_withdrawal(lib.clerk, book.id, now=NOW)
    with pytest.raises(Refusal, match="mark it repaired"):
        damage.assess_damage(lib.clerk, book.barcode, "slight", damage.KEEP, now=NOW)
    assert snapshot() == before
    damage.assess_damage(lib.clerk, book.barcode, "severe", damage.WITHDRAW, now=NOW)  # say how bad, propose
    assert [q.barcode for q in damage.withdrawal_proposals()] == [book.barcode]
    assert len(damage.repair_queue()) == 1
    damage.mark_repaired(lib.clerk, book.id, NOW + timedelta(days=1))
    assert Item.get_by_id(book.id).status == "shelving cart" and damage.repair_queue() == []
    legacy = lib.item(title="Walden", status="in repair")
    damage.mark_repaired(lib.clerk, legacy.id, NOW)  # no assessment to close: the copy still goes back
    assert Item.get_by_id(legacy.id).status == "shelving cart"


def test_check_finds_an_open_assessment_whose_copy_left_repair_behind_its_back(lib):
    book, _ = returned(lib)
    damage.assess_damage(lib.clerk, book.barcode, "moderate", damage.REPAIR, now=NOW)
    assert next(r for r in check.run_checks() if r.name == "repair queue agrees with copy statuses").ok
    Item.update(status="available").where(Item.id == book.id).execute()  # not through a service
    result = next(r for r in check.run_checks() if r.name == "repair queue agrees with copy statuses")
    assert result.problems == (f"copy {book.barcode} is 'available' but its damage assessment (repair) is still open",)
