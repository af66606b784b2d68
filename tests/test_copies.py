"""Copies: accession numbers, barcodes (series or pre-printed), the register line, refusals by role."""
from __future__ import annotations

import pytest
from stdnum import luhn

from counter_tui.domain.acquisition_sources import SOURCES
from counter_tui.domain.barcodes import library_barcode
from counter_tui.models import Accession, AuditEvent, Biblio, Item, NumberSeries
from counter_tui.services.catalogue import copies
from counter_tui.services.admin import staff
from counter_tui.services.errors import PermissionDenied, Refusal
from tests.conftest import NOW


@pytest.fixture
def title(clerk):
    return Biblio.create(title="围城", author="钱锺书 著", classification="I246.57", book_number="12",
                         created_at=NOW)


def test_copies_take_the_next_accession_numbers_and_barcodes(cataloguer, title):
    made = copies.receive_copies(cataloguer, title.id, 3, price=3200, location="Stacks", source="gift", now=NOW)
    assert [c.accession_number for c in made] == [1, 2, 3]
    assert [c.barcode for c in made] == [library_barcode("31234", n) for n in (1, 2, 3)]
    for line in made:
        assert len(line.barcode) == 14 and line.barcode.startswith("3") and luhn.is_valid(line.barcode)
        assert line.status == "in processing" and line.price == 3200 and line.source == "gift"
        assert line.call_number == "I246.57/12"
    item = Item.get(Item.barcode == made[0].barcode)
    assert item.catalogued_by_id == cataloguer.id and item.catalogued_at == NOW and item.status_since == NOW
    register = list(Accession.select().order_by(Accession.number))
    assert [(a.number, a.item_id, a.price, a.source) for a in register] == [
        (c.accession_number, c.item_id, 3200, "gift") for c in made]
    assert AuditEvent.select().where(AuditEvent.action == "copy.add").count() == 3


def test_numbers_go_on_after_existing_copies_and_are_never_reused(cataloguer, title, lib):
    lib.item()
    lib.item()  # accession numbers 1 and 2, barcodes 1 and 2 of the series
    first = copies.receive_copies(cataloguer, title.id, 1, price=100, location="Stacks", now=NOW)[0]
    assert first.accession_number == 3 and first.barcode == library_barcode("31234", 3)
    Accession.delete().where(Accession.item == first.item_id).execute()  # even if rows went away
    Item.delete().where(Item.id == first.item_id).execute()
    second = copies.receive_copies(cataloguer, title.id, 1, price=100, location="Stacks", now=NOW)[0]
    assert second.accession_number == 4
    assert NumberSeries.get(NumberSeries.name == "accession_number").last == 4


def test_pre_printed_label_is_used_and_checked(cataloguer, title):
    label = library_barcode("31234", 777)
    made = copies.receive_copies(cataloguer, title.id, 2, labels=[f"A{label}B"], price=None,
                                 location="Open shelves", now=NOW)
    assert made[0].barcode == label
    # a new series starts after the highest label already on a copy
    assert made[1].barcode == library_barcode("31234", 778)
    assert Accession.get(Accession.item == made[0].item_id).price == 0
    before = (Item.select().count(), Accession.select().count(), NumberSeries.get(NumberSeries.name == "accession_number").last)
    bad_check = label[:-1] + str((int(label[-1]) + 1) % 10)
    for raw, words in [(label, "already on the copy"), (bad_check, "check digit"),
                       (library_barcode("21234", 5), "not an item label")]:
        with pytest.raises(Refusal, match=words):
            copies.receive_copies(cataloguer, title.id, 1, labels=[raw], price=100, location="Stacks", now=NOW)
    after = (Item.select().count(), Accession.select().count(), NumberSeries.get(NumberSeries.name == "accession_number").last)
    assert after == before  # nothing written, no number burnt


def test_a_bad_copy_in_the_batch_refuses_them_all(cataloguer, title):
    with pytest.raises(Refusal, match="item type"):
        copies.receive_copies(cataloguer, title.id, 2, item_type="scroll", price=100, location="Stacks", now=NOW)
    with pytest.raises(Refusal, match="negative"):
        copies.receive_copies(cataloguer, title.id, 2, price=-1, location="Stacks", now=NOW)
    assert Item.select().count() == 0 and Accession.select().count() == 0


def test_circulation_clerk_is_refused_and_curator_may(clerk, title):
    with pytest.raises(PermissionDenied, match="cataloguers or the curator"):
        copies.receive_copies(clerk, title.id, 1, price=100, location="Stacks", now=NOW)
    assert Item.select().count() == 0 and Accession.select().count() == 0
    curator = staff.add_staff(None, "boss", "Curator", "correct horse", ["curator"], NOW)
    assert len(copies.receive_copies(curator, title.id, 1, price=100, location="Stacks", now=NOW)) == 1
    assert [c.barcode for c in copies.copies_of(title.id)] == [library_barcode("31234", 1)]


def test_a_title_without_a_book_number_gets_the_next_of_its_class(cataloguer, title):
    other = Biblio.create(title="活着", classification="I246.57", created_at=NOW)
    made = copies.receive_copies(cataloguer, other.id, 1, volume="v.2", price=100, location="Stacks", now=NOW)
    assert made[0].call_number == "I246.57/13/v.2"  # after book number 12 of the class
    assert Biblio.get_by_id(other.id).book_number != ""
    assert Item.get_by_id(made[0].item_id).call_sort != ""


def test_a_new_copy_joins_the_call_number_of_the_titles_older_copies(cataloguer, lib):
    old = lib.item(call_number="I242.47/1")  # its title has no book number recorded
    made = copies.receive_copies(cataloguer, old.biblio_id, 1, price=100, location="Stacks", now=NOW)
    assert made[0].call_number == "I242.47/1"
    assert Item.get_by_id(made[0].item_id).call_sort == Item.get_by_id(old.id).call_sort


def test_the_source_is_one_of_the_known_list_and_anything_else_changes_nothing(cataloguer, title):
    made = copies.receive_copies(cataloguer, title.id, 1, price=100, location="Stacks", source=" Legal-Deposit ",
                                 now=NOW)
    assert made[0].source == "legal deposit"  # written as the list writes it
    assert Accession.get(Accession.item == made[0].item_id).source == "legal deposit"
    before = (Item.select().count(), Accession.select().count(),
              NumberSeries.get(NumberSeries.name == "accession_number").last)
    for typed in ("45", "bought", ""):
        with pytest.raises(Refusal) as refused:
            copies.receive_copies(cataloguer, title.id, 2, price=100, location="Stacks", source=typed, now=NOW)
        assert ", ".join(SOURCES[:-1]) + f" or {SOURCES[-1]}" in refused.value.sentence  # names the choices
    after = (Item.select().count(), Accession.select().count(),
             NumberSeries.get(NumberSeries.name == "accession_number").last)
    assert after == before


def test_a_title_without_a_class_number_gets_no_copies(cataloguer, clerk):
    bare = Biblio.create(title="无分类的书", created_at=NOW)
    for volume in ("", "v.2"):
        with pytest.raises(Refusal, match="无分类的书.*no class number.*classify the title first"):
            copies.receive_copies(cataloguer, bare.id, 2, price=100, location="Stacks", volume=volume, now=NOW)
    assert Item.select().count() == 0 and Accession.select().count() == 0
    assert "no class number" in copies.call_number_problem(bare.id)
    Biblio.update(classification="I247.5").where(Biblio.id == bare.id).execute()
    assert copies.call_number_problem(bare.id) == ""
    made = copies.receive_copies(cataloguer, bare.id, 1, price=100, location="Stacks", now=NOW)
    assert made[0].call_number.startswith("I247.5/")


def test_copies_left_without_a_call_number_get_theirs_once_the_title_is_classified(cataloguer, lib):
    old = lib.item(title="旧书", call_number="")  # received before a call number was required
    withdrawn = lib.item(call_number="", status="withdrawn")
    Item.update(biblio=old.biblio_id).where(Item.id == withdrawn.id).execute()
    with pytest.raises(Refusal, match="旧书.*no class number"):
        copies.give_call_numbers(cataloguer, old.biblio_id, now=NOW)
    assert Item.get_by_id(old.id).call_number == ""
    Biblio.update(classification="K825").where(Biblio.id == old.biblio_id).execute()
    [line] = copies.give_call_numbers(cataloguer, old.biblio_id, now=NOW)
    assert line.item_id == old.id and line.call_number == Item.get_by_id(old.id).call_number != ""
    assert Item.get_by_id(old.id).call_sort != ""
    assert Item.get_by_id(withdrawn.id).call_number == ""  # a withdrawn copy is left as it was
    assert AuditEvent.select().where(AuditEvent.action == "item.call_number").count() == 1
    with pytest.raises(Refusal, match="Every copy of this title has a call number"):
        copies.give_call_numbers(cataloguer, old.biblio_id, now=NOW)
