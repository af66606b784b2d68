"""The new-books bulletin (grouped by class, a PDF and a proofreading view) and processing statistics."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from counter_tui.models import Biblio
from counter_tui.services.property import accessions, bulletin, processing_stats, writeoffs
from counter_tui.services.catalogue import copies
from counter_tui.services.admin import staff
from counter_tui.services.errors import PermissionDenied
from tests import printed
from tests.conftest import NOW

TODAY = date(2026, 11, 25)  # NOW is 10:00 on this day in Shanghai


@pytest.fixture(autouse=True)
def documents(tmp_path, monkeypatch):
    monkeypatch.setenv(accessions.ENV_DOCUMENTS, str(tmp_path / "docs"))
    return tmp_path / "docs"


@pytest.fixture
def team(clerk):
    return (staff.add_staff(None, "wang", "Wang Fang", "correct horse", ["cataloging"], NOW),
            staff.add_staff(None, "li", "Li Na", "correct horse", ["cataloging"], NOW))


def title(name, cls, number, **fields):
    return Biblio.create(title=name, classification=cls, book_number=number, created_at=NOW, **fields)


@pytest.fixture
def catalogued(team):
    wang, li = team
    novel = title("活着", "I247.57", "12", author="余华 著", publisher="作家出版社", year=2012)
    python = title("Python Programming", "TP312", "7", author="Mark Lutz", publisher="O'Reilly Media", year=2013)
    calculus = title("Calculus", "O1", "3")
    copies.receive_copies(wang, novel.id, 2, price=2000, location="New books", now=NOW)
    copies.receive_copies(li, python.id, 1, price=9900, location="Stacks", now=NOW)
    copies.receive_copies(li, python.id, 1, price=9900, location="New books", now=NOW)
    copies.receive_copies(wang, calculus.id, 1, price=3000, location="Stacks", now=NOW - timedelta(days=1))
    old = title("Old Book", "K2", "1")
    copies.receive_copies(wang, old.id, 1, price=100, location="Stacks", now=NOW - timedelta(days=40))
    return novel, python, calculus


def test_bulletin_groups_titles_by_class_and_writes_a_file(team, catalogued, documents):
    wang, _ = team
    data, path = bulletin.write_bulletin(wang, TODAY - timedelta(days=7), TODAY)
    assert [(g.code, [e.title for e in g.entries]) for g in data.groups] == [
        ("I", ["活着"]), ("O", ["Calculus"]), ("TP", ["Python Programming"])]
    python = data.groups[2].entries[0]
    assert python.copies == 2 and python.call_number == "TP312/7" and "Stacks 1" in python.locations
    assert (data.titles, data.copies) == (3, 5)
    assert path.parent == documents / "bulletins" and path.name == "new-books-2026-11-18-to-2026-11-25.pdf"
    [text] = printed.pages(path)
    assert text.startswith("Test Library New books Catalogued 2026-11-18 to 2026-11-25: 3 titles, 5 copies")
    assert "TP Automation and computer technology" in text and "活着 / 余华 著" in text
    assert "作家出版社, 2012" in text and "Titles 3 Copies 5" in text and text.endswith("Page 1 of 1")
    assert "Old Book" not in text
    assert text.index("I Literature") < text.index("O Mathematics") < text.index("TP Automation")
    # the proofreading view says the same
    proof = "\n".join(bulletin.bulletin_lines(data))
    assert "3 titles, 5 copies" in proof and "TP  Automation and computer technology" in proof
    only_today = bulletin.bulletin(wang, TODAY, TODAY)
    assert [g.code for g in only_today.groups] == ["I", "TP"]


def test_a_long_bulletin_runs_over_pages_with_its_classes_and_totals(team):
    wang, _ = team
    for n in range(60):
        novel = title(f"平凡的世界 第{n + 1}部", "I247.57", str(n + 1), author="路遥 著", publisher="北京十月文艺出版社",
                      year=2012, isbn="9787530216781")
        copies.receive_copies(wang, novel.id, 1 + n % 2, price=2000, location="New books", now=NOW)
    data, path = bulletin.write_bulletin(wang, TODAY, TODAY)
    pages = printed.pages(path)
    printed.assert_paged(pages, "New books", "No. Title / author Call number Publisher, year, ISBN Copies Where")
    text = " ".join(pages)
    assert all(f"平凡的世界 第{n + 1}部 / 路遥 著" in text for n in range(60)) and "ISBN 9787530216781" in text
    assert text.count("I Literature") == 1 and f"Titles 60 Copies {data.copies}" in pages[-1]
    assert data.copies == 90


def test_withdrawn_copies_leave_the_bulletin(team, catalogued):
    wang, _ = team
    calculus = catalogued[2]
    barcode = copies.copies_of(calculus.id)[0].barcode
    writeoffs.write_off(wang, [barcode], "damaged", now=NOW)
    assert "O" not in [g.code for g in bulletin.bulletin(wang, TODAY - timedelta(days=7), TODAY).groups]


def test_processing_statistics(team, catalogued):
    wang, _ = team
    since = TODAY - timedelta(days=7)
    by_day = processing_stats.processing(wang, since, TODAY, by="day")
    assert [(r.key, r.titles, r.copies) for r in by_day] == [
        ("2026-11-24", 1, 1), ("2026-11-25", 2, 4), ("total", 3, 5)]
    by_who = processing_stats.processing(wang, since, TODAY, by="cataloguer")
    assert [(r.key, r.titles, r.copies) for r in by_who] == [
        ("Li Na", 1, 2), ("Wang Fang", 2, 3), ("total", 3, 5)]
    by_class = processing_stats.processing(wang, since, TODAY, by="class")
    assert [(r.key, r.titles, r.copies) for r in by_class] == [
        ("I", 1, 2), ("O", 1, 1), ("TP", 1, 2), ("total", 3, 5)]


def test_circulation_clerk_is_refused(clerk, catalogued):
    with pytest.raises(PermissionDenied):
        bulletin.write_bulletin(clerk, TODAY, TODAY)
    with pytest.raises(PermissionDenied):
        processing_stats.processing(clerk, TODAY, TODAY)
