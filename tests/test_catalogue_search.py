"""Catalogue search (F6): words inside titles in any script, ISBN scans, call numbers, pages, copies."""
from __future__ import annotations

from datetime import date

import pytest

from counter_tui import db
from counter_tui.models import Biblio, Item, ItemType
from counter_tui.services.catalogue import titles
from counter_tui.services.admin import staff
from counter_tui.services.errors import PermissionDenied, Refusal
from tests.conftest import NOW


def _title(title, author="", isbn=None, subjects="", year=None, issn=None):
    return Biblio.create(title=title, author=author, isbn=isbn, subjects=subjects, year=year, issn=issn,
                         created_at=NOW)


def _copy(lib, biblio, call_number="I242.47/1", status="available", location="Stacks", barcode=None):
    item = lib.item(call_number=call_number, status=status, location=location,
                    **({"barcode": barcode} if barcode else {}))
    throwaway = item.biblio_id
    from counter_tui.domain.callnumbers import clc_sort_key
    Item.update(biblio=biblio, call_sort=clc_sort_key(call_number)).where(Item.id == item.id).execute()
    Biblio.delete().where(Biblio.id == throwaway).execute()
    return Item.get_by_id(item.id)


def _titles(page):
    return [r.title for r in page.rows]


def test_chinese_words_match_inside_titles(lib):
    _title("红楼梦", "曹雪芹")
    _title("红楼梦魇", "张爱玲")
    _title("西游记", "吴承恩")
    assert _titles(titles.search_page(lib.clerk, "楼梦")) == ["红楼梦", "红楼梦魇"]  # two characters
    assert _titles(titles.search_page(lib.clerk, "红楼梦魇")) == ["红楼梦魇"]  # trigram index
    assert _titles(titles.search_page(lib.clerk, "楼")) == ["红楼梦", "红楼梦魇"]
    assert _titles(titles.search_page(lib.clerk, "游记 吴承恩")) == ["西游记"]  # title and author words
    assert titles.search_page(lib.clerk, "水浒").rows == ()


def test_latin_words_fields_and_case(lib):
    _title("Dream of the Red Chamber", "Cao Xueqin", subjects="Chinese fiction; Qing dynasty")
    _title("Red Sorghum", "Mo Yan", subjects="Chinese fiction")
    _title("The Cambridge History of China", "Twitchett", subjects="China -- History")
    assert _titles(titles.search_page(lib.clerk, "red")) == ["Dream of the Red Chamber", "Red Sorghum"]
    assert _titles(titles.search_page(lib.clerk, "RED chamb")) == ["Dream of the Red Chamber"]
    assert _titles(titles.search_page(lib.clerk, "a: mo yan")) == ["Red Sorghum"]
    assert _titles(titles.search_page(lib.clerk, "s: qing")) == ["Dream of the Red Chamber"]
    assert _titles(titles.search_page(lib.clerk, "t: fiction")) == []
    assert _titles(titles.search_page(lib.clerk, 'red "chamber')) == ["Dream of the Red Chamber"]


def test_isbn_10_and_13_scans_find_the_title(lib):
    b = _title("红楼梦", "曹雪芹", isbn="9787020002207")
    _title("Another book", isbn="9787544253994")
    for scanned in ("9787020002207", "7-02-000220-X", "702000220X", "978-7-02-000220-7", "isbn: 702000220x"):
        page = titles.search_page(lib.clerk, scanned)
        assert (page.how, [r.id for r in page.rows]) == ("isbn", [b.id]), scanned
    missing = titles.search_page(lib.clerk, "9780306406157")
    assert (missing.how, missing.rows) == ("none", ())
    with pytest.raises(Refusal, match="The check digit of ISBN 9787020002208 is wrong"):
        titles.search_page(lib.clerk, "isbn: 9787020002208")
    with pytest.raises(Refusal, match="not a valid ISBN"):
        titles.search_page(lib.clerk, "isbn: 97870200022")


def test_issn_and_copy_barcode_find_the_title(lib):
    journal = _title("Acta Example", issn="0317-8471")
    assert [r.id for r in titles.search_page(lib.clerk, "03178471").rows] == [journal.id]
    assert [r.id for r in titles.search_page(lib.clerk, "9770317847001").rows] == [journal.id]  # cover EAN
    book = _title("Fortress Besieged", "Qian Zhongshu")
    copy = _copy(lib, book)
    page = titles.search_page(lib.clerk, copy.barcode)
    assert (page.how, [r.id for r in page.rows]) == ("barcode", [book.id])


def test_call_number_pages_in_shelf_order(lib):
    made = []
    for n in range(1, 8):
        b = _title(f"Volume {n}")
        _copy(lib, b, f"I247.5/{8 - n}")  # the last made stands first on the shelf
        made.append(b.id)
    first = titles.search_page(lib.clerk, "I247.5", page_size=3)
    second = titles.search_page(lib.clerk, "I247.5", after=first.next, page_size=3)
    third = titles.search_page(lib.clerk, "I247.5", after=second.next, page_size=3)
    assert first.total == 7 and third.next is None
    assert [r.id for r in first.rows + second.rows + third.rows] == made[::-1]


def test_call_number_finds_the_shelf(lib):
    novel = _title("Dream of the Red Chamber")
    poems = _title("Tang Poems")
    _copy(lib, novel, "I242.47/1")
    _copy(lib, poems, "I222.742/5")
    _title("No copies")
    assert _titles(titles.search_page(lib.clerk, "I242")) == ["Dream of the Red Chamber"]
    assert _titles(titles.search_page(lib.clerk, "I2")) == ["Tang Poems", "Dream of the Red Chamber"]  # shelf order
    assert _titles(titles.search_page(lib.clerk, "c: I222.742/5")) == ["Tang Poems"]
    assert titles.search_page(lib.clerk, "c: I3").rows == ()


def test_pages_follow_one_another_without_gaps(lib):
    made = [_title(f"History volume {n:02d}", "Anon").id for n in range(1, 26)]
    _title("Something else")
    first = titles.search_page(lib.clerk, "history", page_size=10)
    assert (first.total, len(first.rows), first.next) == (25, 10, made[9])
    second = titles.search_page(lib.clerk, "history", after=first.next, page_size=10)
    third = titles.search_page(lib.clerk, "history", after=second.next, page_size=10)
    assert third.next is None and second.total is None
    assert [r.id for r in first.rows + second.rows + third.rows] == made
    # two characters are too short to count without reading every title: the pages still follow
    short = titles.search_page(lib.clerk, "ry", page_size=10)
    assert (len(short.rows), short.next) == (10, made[9])
    assert short.total == (None if db.is_sqlite() else 25)  # PostgreSQL's trigram index takes any length
    short = titles.search_page(lib.clerk, "ry", after=made[19], page_size=10)
    assert [r.id for r in short.rows] == made[20:] and short.next is None
    everything = titles.search_page(lib.clerk, "", page_size=10)
    assert (everything.how, everything.total) == ("all", 26)


def test_availability_counts_and_location(lib):
    book = _title("Fortress Besieged", "Qian Zhongshu", year=1991)
    _copy(lib, book, status="available", location="Stacks")
    out = _copy(lib, book, status="available", location="Reading room")
    _copy(lib, book, status="withdrawn", location="Stacks")
    reader = lib.patron()
    lib.loan(out, reader, date(2026, 11, 20), date(2026, 12, 20))
    (row,) = titles.search_page(lib.clerk, "fortress").rows
    assert (row.available, row.total, row.year, row.call_number) == (1, 2, 1991, "I242.47/1")
    assert row.location == "Stacks +"  # where the available copy is; copies stand in two places
    rec = titles.record(lib.clerk, book.id)
    assert rec.available == 1 and len(rec.copies) == 3
    due = {c.barcode: c.due for c in rec.copies}
    assert due[out.barcode] == date(2026, 12, 20)
    assert sum(1 for d in due.values() if d is None) == 2


def test_anyone_signed_in_may_search_but_not_a_stranger(lib):
    _title("红楼梦")
    office = staff.add_staff(None, "office1", "Office Clerk", "correct horse", ["office"], NOW)
    assert _titles(titles.search_page(office, "红楼")) == ["红楼梦"]
    with pytest.raises(PermissionDenied):
        titles.search_page(None, "红楼")


def test_new_titles_are_searchable_at_once(lib):
    assert titles.search_page(lib.clerk, "围城").rows == ()
    b = _title("围城", "钱锺书")
    assert [r.id for r in titles.search_page(lib.clerk, "围城").rows] == [b.id]
    Biblio.update(title="围城（新版）").where(Biblio.id == b.id).execute()
    assert _titles(titles.search_page(lib.clerk, "新版")) == ["围城（新版）"]
    assert ItemType.select().count() > 0


# -- the F6 screen, from the keyboard at 80x24 ------------------------------------------------

async def test_f6_lists_matches_a_page_at_a_time_and_enter_opens_the_record(lib, settings):
    from textual.widgets import Static

    from counter_tui.app import CounterApp
    from counter_tui.screens.catalogue.catalogue_desk import CatalogueScreen
    from tests.test_desk_screens import burst, rows, settle, status

    made = [_title(f"历史研究 第{n:02d}卷", "某某").id for n in range(1, 31)]
    _title("Something else")
    book = Biblio.get_by_id(made[0])
    on_loan = _copy(lib, book, location="Stacks")
    _copy(lib, book, location="Stacks")
    lib.loan(on_loan, lib.patron(), date(2026, 11, 20), date(2026, 12, 20))
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        screen = app.screen
        assert isinstance(screen, CatalogueScreen)
        await settle(pilot, lambda: screen.page is not None)
        burst(app, "历史研")
        await settle(pilot, lambda: "30 titles for" in status(screen))
        seen = [r[0] for r in rows(screen, "#results")]
        assert rows(screen, "#results")[0][4:] == ["1/2", "Stacks"]
        size = len(seen)
        assert 10 <= size < 30
        while "PgDn" in str(screen.query_one("#page-info", Static).content):
            before = len(seen)
            await pilot.press("pagedown")
            await settle(pilot, lambda: screen.first_row == before + 1)
            seen += [r[0] for r in rows(screen, "#results")]
        assert seen == [f"历史研究 第{n:02d}卷" for n in range(1, 31)]
        await pilot.press("pageup")
        await settle(pilot, lambda: screen.first_row == 1 + size * ((29 // size) - 1))
        while screen.first_row > 1:
            was = screen.first_row
            await pilot.press("pageup")
            await settle(pilot, lambda: screen.first_row == was - size
                         and rows(screen, "#results")[0][0] == f"历史研究 第{screen.first_row:02d}卷")
        await pilot.press("down", "enter")
        await settle(pilot, lambda: screen.showing_record)
        assert screen.record.id == made[0]
        copies = rows(screen, "#copies")
        assert sorted(c[4] for c in copies) == ["", "2026-12-20"]  # the due date of the copy on loan
        await pilot.press("escape")
        await settle(pilot, lambda: not screen.showing_record)


async def test_scanning_an_isbn_jumps_to_the_title(lib, settings):
    from counter_tui.app import CounterApp
    from tests.test_desk_screens import burst, settle, status

    book = _title("红楼梦", "曹雪芹", isbn="9787020002207")
    _title("红楼梦魇", "张爱玲")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        screen = app.screen
        await settle(pilot, lambda: screen.page is not None)
        for scan in ("9787020002207", "702000220X"):  # the EAN-13 on the cover, an ISBN-10 scanner
            screen.record = None
            screen.action_back()
            burst(app, scan)
            await settle(pilot, lambda: screen.record is not None and screen.showing_record)
            assert screen.record.id == book.id
        burst(app, "9780306406157")
        await settle(pilot, lambda: "No title in the catalogue matches" in status(screen))




def _tool_screen(biblio_id):
    from textual.screen import ModalScreen
    from textual.widgets import Static

    class Tool(ModalScreen):
        BINDINGS = [("escape", "dismiss", "Close")]

        def compose(self):
            yield Static(f"tool for record {biblio_id}")

    screen = Tool()
    screen.biblio_id = biblio_id
    return screen


async def test_a_record_tool_opens_its_screen_with_the_title_on_screen(lib, settings, monkeypatch):
    from counter_tui.app import CounterApp
    from counter_tui.screens.catalogue import catalogue_desk as catalogue_screen
    from tests.test_desk_screens import burst, settle

    book = _title("红楼梦", "曹雪芹", isbn="9787020002207")
    from counter_tui.screens.posts import TitleTool
    tool = TitleTool("ctrl+t", "Try a tool", "catalogue.try", (), "tests.test_catalogue_search:_tool_screen")
    monkeypatch.setattr(catalogue_screen, "RECORD_TOOLS", [tool])
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        screen = app.screen
        await settle(pilot, lambda: screen.page is not None)
        assert not screen.check_action("record_tool", ("catalogue.try",))  # no title on screen yet
        burst(app, "9787020002207")
        await settle(pilot, lambda: screen.showing_record)
        assert screen.check_action("record_tool", ("catalogue.try",))
        screen.action_record_tool("catalogue.try")
        await settle(pilot, lambda: getattr(app.screen, "biblio_id", None) == book.id and app.screen is not screen)
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)


@pytest.mark.parametrize("typed", ["紅樓夢", "红楼梦", "樓夢", "红 夢"])
def test_a_title_is_found_in_traditional_or_simplified_characters(lib, typed):
    simplified = _title("红楼梦", "曹雪芹", isbn="9787020002207")
    traditional = _title("紅樓夢（全二冊）", "曹雪芹")
    found = {row.id for row in titles.search_page(lib.clerk, typed).rows}
    assert {simplified.id, traditional.id} <= found
