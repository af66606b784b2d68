"""The bibliographic record form: validation with check digits, roles, audit, and the duplicate choice."""
from __future__ import annotations

import json

import pytest
from textual.widgets import Static

from counter_tui.app import CounterApp
from counter_tui.models import AuditEvent, Biblio
from counter_tui.screens.catalogue.biblio_form import BiblioForm, DuplicateChoice
from counter_tui.screens.catalogue.catalogue_desk import CatalogueScreen
from counter_tui.services.catalogue import titles
from counter_tui.services.admin import staff
from counter_tui.services.catalogue.titles import PossibleDuplicates
from counter_tui.services.errors import PermissionDenied, Refusal
from tests.conftest import NOW
from tests.test_desk_screens import burst, rows, settle, status
from tests.test_readers_screen import type_text


def cataloguer():
    return staff.add_staff(None, "cat1", "Cataloguer One", "a good password", ["cataloging"], NOW)


def _values(**changes):
    values = {"title": "红楼梦", "author": "曹雪芹 著", "edition": "第3版", "publisher": "人民文学出版社",
              "year": "1996", "isbn": "7-02-000220-X", "issn": "", "language": "chi",
              "classification": "I242.47", "subjects": "章回小说；中国 清代"}
    values.update(changes)
    return values


def test_save_creates_a_record_with_its_maker_and_an_audit_event(clerk):
    who = cataloguer()
    saved = titles.save_biblio(who, _values(), now=NOW)
    b = Biblio.get_by_id(saved.id)
    assert saved.created
    assert (b.title, b.isbn, b.year, b.subjects, b.created_by_id) == (
        "红楼梦", "9787020002207", 1996, "章回小说; 中国 清代", who.id)
    event = AuditEvent.get(AuditEvent.action == "biblio.create")
    assert (event.record_id, event.staff_id) == (b.id, who.id)
    assert json.loads(event.new)["isbn"] == "9787020002207"


def test_edit_changes_only_what_changed_and_audits_old_and_new(clerk):
    who = cataloguer()
    saved = titles.save_biblio(who, _values(), now=NOW)
    again = titles.save_biblio(who, _values(year="1998", issn="0317-8471"), saved.id, now=NOW)
    assert not again.created and again.id == saved.id
    b = Biblio.get_by_id(saved.id)
    assert (b.year, b.issn) == (1998, "0317-8471")
    event = AuditEvent.get(AuditEvent.action == "biblio.update")
    assert json.loads(event.old) == {"year": 1996, "issn": None}
    assert json.loads(event.new) == {"year": 1998, "issn": "0317-8471"}


@pytest.mark.parametrize("field, value, sentence", [
    ("isbn", "7-02-000220-5", "The check digit of ISBN 7-02-000220-5 is wrong"),
    ("isbn", "9787020002208", "The check digit of ISBN 9787020002208 is wrong"),
    ("isbn", "12345", "is not an ISBN"),
    ("issn", "0317-8472", "The check digit of ISSN 0317-8472 is wrong"),
    ("issn", "12", "is not an ISSN"),
    ("year", "96", "The year must be four digits"),
    ("year", "3000", "The year must be four digits"),
    ("title", "   ", "A record needs a title."),
])
def test_bad_input_is_refused_in_one_sentence_and_nothing_is_saved(clerk, field, value, sentence):
    who = cataloguer()
    with pytest.raises(Refusal, match=sentence):
        titles.save_biblio(who, _values(**{field: value}), now=NOW)
    assert Biblio.select().count() == 0
    assert AuditEvent.select().where(AuditEvent.record_type == "biblio").count() == 0


def test_a_circulation_clerk_may_search_but_not_save(clerk):
    with pytest.raises(PermissionDenied, match="Only cataloguers or the curator may edit catalogue records"):
        titles.save_biblio(clerk, _values(), now=NOW)
    assert Biblio.select().count() == 0
    curator = staff.add_staff(None, "boss", "The Curator", "a good password", ["curator"], NOW)
    assert titles.save_biblio(curator, _values(), now=NOW).created


def test_a_duplicate_is_refused_until_the_cataloguer_confirms(clerk):
    who = cataloguer()
    first = titles.save_biblio(who, _values(), now=NOW)
    with pytest.raises(PossibleDuplicates) as found:
        titles.save_biblio(who, _values(isbn="9787020002207", title="Another title"), now=NOW)
    assert [(c.biblio_id, c.reason) for c in found.value.candidates] == [(first.id, "same ISBN")]
    with pytest.raises(PossibleDuplicates) as found:
        titles.save_biblio(who, _values(isbn="", title="红楼梦 ", author="曹雪芹"), now=NOW)
    assert [(c.biblio_id, c.reason) for c in found.value.candidates] == [(first.id, "similar title and author")]
    assert Biblio.select().count() == 1
    second = titles.save_biblio(who, _values(), confirmed=True, now=NOW)
    assert second.created and Biblio.select().count() == 2
    # editing a record without touching its title, author or ISBN does not ask again
    assert not titles.save_biblio(who, _values(edition="第4版"), second.id, now=NOW).created


# -- from the keyboard ----------------------------------------------------------------------

def form_status(app) -> str:
    return str(app.screen.query_one("#form-status", Static).content)


async def open_catalogue(app, pilot) -> CatalogueScreen:
    await pilot.press("f6")
    screen = app.screen
    assert isinstance(screen, CatalogueScreen)
    await settle(pilot, lambda: screen.page is not None)
    return screen


async def new_record(app, pilot, *fields: str) -> BiblioForm:
    await pilot.press("ctrl+n")
    await settle(pilot, lambda: isinstance(app.screen, BiblioForm))
    for i, text in enumerate(fields):
        type_text(app, text)
        if i < len(fields) - 1:
            await pilot.press("enter")
    return app.screen


async def test_catalogue_a_new_title_from_the_keyboard(lib, settings):
    app = CounterApp(settings, cataloguer())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_catalogue(app, pilot)
        await new_record(app, pilot, "Fortress Besieged", "Qian Zhongshu", "", "", "1991", "9787020024759")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is screen and screen.showing_record)
        assert "Saved as a new record" in status(screen)
        assert "Fortress Besieged" in str(screen.query_one("#record", Static).content)
    b = Biblio.get(Biblio.title == "Fortress Besieged")
    assert (b.author, b.year, b.isbn) == ("Qian Zhongshu", 1991, "9787020024759")


async def test_the_form_refuses_a_bad_check_digit_and_keeps_what_was_typed(lib, settings):
    app = CounterApp(settings, cataloguer())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_catalogue(app, pilot)
        form = await new_record(app, pilot, "Fortress Besieged", "Qian Zhongshu", "", "", "1991", "9787020024750")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "check digit of ISBN 9787020024750 is wrong" in form_status(app))
        assert app.screen is form and form.values()["title"] == "Fortress Besieged"
    assert Biblio.select().count() == 0


@pytest.mark.parametrize("key, outcome", [("n", "new"), ("o", "open"), ("s", "skip"), ("escape", "back")])
async def test_the_duplicate_choice_with_one_key(lib, settings, key, outcome):
    existing = Biblio.create(title="Dream of the Red Chamber", author="Cao Xueqin", isbn="9787020002207",
                             created_at=NOW)
    app = CounterApp(settings, cataloguer())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_catalogue(app, pilot)
        form = await new_record(app, pilot, "Dream of the red chamber", "Xueqin Cao")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, DuplicateChoice))
        shown = str(app.screen.query_one(Static).content)
        assert "Dream of the Red Chamber" in shown and f"record {existing.id}" in shown
        await pilot.press(key)
        if outcome == "back":
            await settle(pilot, lambda: app.screen is form and "Nothing saved yet" in form_status(app))
            assert Biblio.select().count() == 1
            return
        await settle(pilot, lambda: app.screen is screen)
        if outcome == "new":
            await settle(pilot, lambda: screen.record is not None and screen.record.id != existing.id)
            assert Biblio.select().count() == 2
        elif outcome == "open":
            await settle(pilot, lambda: screen.record is not None and screen.showing_record)
            assert screen.record.id == existing.id and "add copies here" in status(screen)
            assert Biblio.select().count() == 1
        else:
            assert "Skipped: nothing saved" in status(screen)
            assert Biblio.select().count() == 1


async def test_a_circulation_clerk_has_no_cataloguing_keys(lib, settings):
    b = Biblio.create(title="红楼梦", author="曹雪芹", created_at=NOW)
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_catalogue(app, pilot)
        burst(app, "楼梦")
        await settle(pilot, lambda: rows(screen, "#results") and rows(screen, "#results")[0][0] == "红楼梦")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen is screen  # no form
        await pilot.press("down", "enter")
        await settle(pilot, lambda: screen.showing_record and screen.record.id == b.id)
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert app.screen is screen
