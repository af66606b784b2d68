"""Pilot tests of the cataloguing office's scan desks: write-off and transfer to circulation."""
from __future__ import annotations

import pytest

from counter_tui.app import CounterApp
from counter_tui.models import Item, TransferBatch, WriteOff
from counter_tui.screens.property.transfer import TransferScreen
from counter_tui.screens.property.writeoff import WriteOffScreen
from counter_tui.services.property import accessions
from counter_tui.services.catalogue import copies
from counter_tui.widgets.fields_dialog import FieldsDialog
from tests import printed
from tests.conftest import NOW
from tests.test_desk_screens import burst, rows, settle, status


pytestmark = pytest.mark.usefixtures("property_documents")


async def test_write_off_desk_scans_a_pile_then_makes_the_certificate(lib, settings, cataloguer, property_documents):
    reader = lib.patron()
    pile = [lib.item(title=f"Book {n}", price=1000 + n) for n in range(3)]
    lent = lib.item(title="Lent")
    lib.loan(lent, reader, NOW.date(), NOW.date())
    app = CounterApp(settings, cataloguer)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = WriteOffScreen()
        app.push_screen(desk)
        await pilot.pause()
        burst(app, pile[0].barcode, lent.barcode, pile[1].barcode, pile[1].barcode, pile[2].barcode)
        await settle(pilot, lambda: desk.lines == 5)
        lines = [" ".join(c for c in r if c) for r in rows(desk)]
        assert lines[0].endswith("to write off") and lines[2].endswith("to write off")
        assert lines[1] == f"{lent.barcode} ✗ Copy {lent.barcode} is on loan: check it in first."
        assert lines[3] == f"{pile[1].barcode} ✗ Copy {pile[1].barcode} is already on the list."
        assert "3 copies to write off, ¥30.03" in status(desk)
        assert WriteOff.select().count() == 0  # nothing written while scanning
        await pilot.press("f10")
        await settle(pilot, lambda: isinstance(app.screen, FieldsDialog))
        await pilot.press("enter")  # no reason: asked again, with the sentence
        await settle(pilot, lambda: isinstance(app.screen, FieldsDialog) and app.screen.error)
        for ch in "worn out":
            await pilot.press("space" if ch == " " else ch)
        await pilot.press("enter")
        await settle(pilot, lambda: desk.certificate is not None)
        assert desk.certificate.number == 1 and desk.certificate.copies == 3
        assert "Write-off certificate 1: 3 copies, ¥30.03" in status(desk)
        assert [Item.get_by_id(i.id).status for i in pile] == ["withdrawn"] * 3
        assert Item.get_by_id(lent.id).status == "checked out"
        assert (property_documents / "write-offs" / "write-off-000001.pdf").exists()
        assert "The certificate to sign (PDF): " in status(desk)


async def test_write_off_desk_refuses_a_circulation_clerk(lib, settings):
    book = lib.item()
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = WriteOffScreen()
        app.push_screen(desk)
        await pilot.pause()
        burst(app, book.barcode)
        await settle(pilot, lambda: desk.lines == 1)
        assert "Only cataloguers or the curator may write off copies" in status(desk)
    assert Item.get_by_id(book.id).status == "available"


async def test_transfer_desk_batch_take_out_and_close(lib, settings, cataloguer, property_documents):
    title = lib.item().biblio
    new = copies.receive_copies(cataloguer, title.id, 3, price=500, location="New books", now=NOW)
    app = CounterApp(settings, cataloguer)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = TransferScreen()
        app.push_screen(desk)
        await settle(pilot, lambda: desk.batch is not None)
        burst(app, *(c.barcode for c in new))
        await settle(pilot, lambda: desk.count == 3)
        await pilot.press("ctrl+r")
        burst(app, new[1].barcode)
        await settle(pilot, lambda: desk.count == 2)
        assert "Taken out of batch 1" in status(desk)
        await pilot.press("f10")
        await settle(pilot, lambda: desk.closed is not None)
        assert "Batch 1 closed: 2 copies are available. Transfer list to sign (PDF): " in status(desk)
        assert [r[0] for r in rows(desk)] == [new[0].barcode, new[2].barcode]
    assert [Item.get_by_id(c.item_id).status for c in new] == ["available", "in processing", "available"]
    assert (property_documents / "transfers" / "transfer-000001.pdf").exists()
    assert TransferBatch.get().closed_at is not None


async def test_copies_screen_adds_copies_from_the_form(lib, settings, cataloguer):
    from counter_tui.screens.catalogue.copies import CopiesScreen
    title = lib.item(title="围城").biblio
    app = CounterApp(settings, cataloguer)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = CopiesScreen(title.id)
        app.push_screen(screen)
        await pilot.pause()
        await settle(pilot, lambda: len(rows(screen, "#copies")) == 1)
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, FieldsDialog))
        dialog = app.screen
        dialog.query_one("#field-count").value = "2"
        dialog.query_one("#field-price").value = "12.50"
        dialog.query_one("#field-labels").value = "not-a-label"
        await pilot.press("ctrl+s")  # a refusal comes back in the dialog, nothing typed is lost
        await settle(pilot, lambda: isinstance(app.screen, FieldsDialog) and app.screen.error)
        assert app.screen.query_one("#field-price").value == "12.50"
        app.screen.query_one("#field-labels").value = ""
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: len(screen.added) == 2)
        await settle(pilot, lambda: len(rows(screen, "#copies")) == 3)
        table = rows(screen, "#copies")
        assert [r[-1] for r in table] == ["available", "in processing", "in processing"]
        assert table[1][4] == "¥12.50"
        assert "Added 2 copies" in str(screen.query_one("#copies-status").content)
    assert accessions.balance().ok and accessions.balance().accessions == 3


async def test_register_bulletin_and_statistics_views(lib, settings, cataloguer, property_documents):
    from counter_tui.screens.property.bulletin import BulletinScreen
    from counter_tui.screens.property.processing import ProcessingScreen
    from counter_tui.screens.property.register import RegisterScreen
    title = lib.item().biblio
    copies.receive_copies(cataloguer, title.id, 2, price=800, location="New books")  # catalogued now
    app = CounterApp(settings, cataloguer)
    async with app.run_test(size=(80, 24)) as pilot:
        register = RegisterScreen()
        app.push_screen(register)
        await settle(pilot, lambda: register.shown == 3)
        assert "holdings 3" in str(register.query_one("#balance").content)
        assert "balanced" in str(register.query_one("#balance").content)
        assert rows(register, "#totals")[-1][:3] == ["total", "", "3"]
        await pilot.press("escape")
        bulletin_view = BulletinScreen()
        app.push_screen(bulletin_view)
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, lambda: bulletin_view.data is not None)
        assert "Dream of the Red Chamber" in str(bulletin_view.query_one("#bulletin-text").content)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: bulletin_view.path is not None)
        assert bulletin_view.path.parent == property_documents / "bulletins" and bulletin_view.path.suffix == ".pdf"
        assert "Dream of the Red Chamber" in printed.pages(bulletin_view.path)[0]
        await pilot.press("escape")
        stats = ProcessingScreen()
        app.push_screen(stats)
        await settle(pilot, lambda: bool(stats.rows))
        assert [r.key for r in stats.rows][-1] == "total" and stats.rows[-1].copies == 2
        await pilot.press("f10")
        await settle(pilot, lambda: stats.by == "cataloguer" and stats.rows[0].key == "Cataloguer")


async def test_back_office_lists_the_tools_for_cataloguers_only(lib, settings, cataloguer):
    from counter_tui.screens import posts
    mine = {"register", "writeoff", "transfer", "bulletin", "processing"}
    allowed = {e.id for _, entries in posts.entries_for(cataloguer) for e in entries}
    assert mine <= allowed
    assert not mine & {e.id for _, entries in posts.entries_for(lib.clerk) for e in entries}


async def test_transfer_desk_refuses_a_copy_without_a_call_number(lib, settings, cataloguer):
    title = lib.item().biblio
    [new] = copies.receive_copies(cataloguer, title.id, 1, price=500, location="New books", now=NOW)
    unplaced = lib.item(title="无索书号", call_number="", status="in processing")  # from before it was required
    app = CounterApp(settings, cataloguer)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = TransferScreen()
        app.push_screen(desk)
        await settle(pilot, lambda: desk.batch is not None)
        burst(app, unplaced.barcode, new.barcode)
        await settle(pilot, lambda: desk.lines == 2)
        assert desk.count == 1
        await pilot.press("up")  # the refusal's line, read whole on the status line
        assert status(desk) == (f"{unplaced.barcode}: Copy {unplaced.barcode} has no call number: it stays in "
                                "processing. C on its title's copies (Ctrl+T) gives it one.")
        await pilot.press("f10")
        await settle(pilot, lambda: desk.closed is not None)
    assert Item.get_by_id(unplaced.id).status == "in processing"
    assert Item.get_by_id(new.item_id).status == "available"


async def test_register_s_corrects_a_source_outside_the_list(lib, settings, cataloguer):
    from counter_tui.models import Accession
    from counter_tui.screens.property.register import RegisterScreen
    kept, typed = lib.item(), lib.item()
    Accession.update(source="45").where(Accession.item == typed.id).execute()  # typed into the old form
    app = CounterApp(settings, cataloguer)
    async with app.run_test(size=(80, 24)) as pilot:
        register = RegisterScreen()
        app.push_screen(register)
        await settle(pilot, lambda: register.shown == 2)
        assert [r[1] for r in rows(register, "#totals")] == ["purchase", "45", ""]
        assert "red" in str(register.query_one("#totals").get_row_at(1)[1].style)  # outside the list
        register.query_one("#register").move_cursor(row=0)  # a known source: S goes on to the next line without one
        await pilot.press("s")
        await settle(pilot, lambda: isinstance(app.screen, FieldsDialog))
        assert f"Register line {typed.accession_number}, copy {typed.barcode}: the source says '45'" in \
            str(app.screen.query_one("Static").content)
        for key in ("b", "o", "u", "g", "h", "t", "enter"):
            await pilot.press(key)
        await settle(pilot, lambda: isinstance(app.screen, FieldsDialog) and app.screen.error)
        assert "'bought' is not a source of acquisition: use purchase, gift, donation" in app.screen.error
        assert Accession.get(Accession.item == typed.id).source == "45"  # nothing changed
        for key in ("g", "i", "f", "t", "enter"):  # "bought" is selected: this replaces it
            await pilot.press(key)
        await settle(pilot, lambda: "corrected" in str(register.query_one("#register-status").content))
        assert rows(register, "#register")[1][2] == "gift"
        assert [r[1] for r in rows(register, "#totals")] == ["purchase", "gift", ""]
        await pilot.press("s")
        await settle(pilot, lambda: "Every register line has a known source" in
                     str(register.query_one("#register-status").content))
    assert Accession.get(Accession.item == typed.id).source == "gift"


async def open_copies(app, pilot, biblio_id: int, said: str):
    """A title's copies screen, once its status line says `said`."""
    from counter_tui.screens.catalogue.copies import CopiesScreen
    screen = CopiesScreen(biblio_id)
    app.push_screen(screen)
    await pilot.pause()
    await settle(pilot, lambda: said in str(screen.query_one("#copies-status").content))
    return screen


async def test_copies_screen_says_a_title_needs_a_class_number_and_c_gives_copies_their_call_numbers(
        lib, settings, cataloguer):
    from counter_tui.models import Biblio
    old = lib.item(title="旧书", call_number="")  # received before a call number was required
    app = CounterApp(settings, cataloguer)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_copies(app, pilot, old.biblio_id, "no class number")
        assert ("\"旧书\" has no class number, so a copy would have no call number: classify the title first "
                "(Ctrl+E on its record).") == str(screen.query_one("#copies-status").content)
        screen.say("")
        await pilot.press("a")  # said again at once: no form to fill in for nothing
        await settle(pilot, lambda: "no class number" in str(screen.query_one("#copies-status").content))
        assert not isinstance(app.screen, FieldsDialog)
        await pilot.press("c")
        await settle(pilot, lambda: "no class number" in str(screen.query_one("#copies-status").content))
        assert Item.get_by_id(old.id).call_number == ""
        Biblio.update(classification="I247.5").where(Biblio.id == old.biblio_id).execute()  # classified meanwhile
        await pilot.press("escape")
        screen = await open_copies(app, pilot, old.biblio_id, "1 copy. A adds copies.")
        assert str(screen.query_one("#copies-status").content).endswith(
            "1 copy without a call number: C gives it one.")
        await pilot.press("c")
        await settle(pilot, lambda: "given a call number" in str(screen.query_one("#copies-status").content))
        call_number = Item.get_by_id(old.id).call_number
        assert call_number.startswith("I247.5/")
        assert str(screen.query_one("#copies-status").content) == \
            f"1 copy given a call number: {old.accession_number} {call_number}."
        assert rows(screen, "#copies")[0][2] == call_number


async def test_the_add_copies_form_starts_on_how_many_and_takes_only_a_known_source(lib, settings, cataloguer):
    from counter_tui.models import Accession, Biblio
    from tests.test_readers_screen import type_text
    title = Biblio.create(title="围城", classification="I246.57", created_at=NOW)
    app = CounterApp(settings, cataloguer)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_copies(app, pilot, title.id, "0 copies")
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, FieldsDialog))
        form = app.screen
        labels = [str(label.content) for label in form.query("Label")]
        assert labels == ["How many copies: a number from 1 to 200",
                          "Item type: book, reference, periodical or av",
                          "Price of each copy, like ¥45.00 (empty: not known)",
                          "Location, like Stacks or New books",
                          "Source: purchase, gift, donation, exchange, legal deposit or transfer",
                          "Volume, like v.2 (empty: a single volume)",
                          "Pre-printed labels: scan each one (empty: the next numbers)"]
        assert app.focused.id == "field-count"
        type_text(app, "2")  # two copies, not a price of ¥2.00
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: len(screen.added) == 2)
        assert [(c.price, c.source) for c in screen.added] == [(None, "purchase"), (None, "purchase")]
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, FieldsDialog))
        form = app.screen
        await pilot.press("down", "down", "down", "down")
        assert app.focused.id == "field-source"
        type_text(app, "45")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "not a source" in str(form.query_one("#dialog-error").content))
        assert str(form.query_one("#dialog-error").content) == \
            "'45' is not a source of acquisition: use purchase, gift, donation, exchange, legal deposit or transfer."
        assert app.screen is form and app.focused.id == "field-source"  # the cursor on what was wrong
        assert Accession.select().count() == 2  # nothing written
        type_text(app, "donation")  # "45" is selected: this replaces it
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: len(screen.added) == 3)
        assert screen.added[-1].source == "donation"
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, FieldsDialog))
        form = app.screen
        type_text(app, "x")
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "How many copies" in str(form.query_one("#dialog-error").content))
        assert app.focused.id == "field-count"
        await pilot.press("home", "ctrl+k", "1", "enter", "enter")
        type_text(app, "4O.00")  # a letter O for a zero
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "not an amount of money" in str(form.query_one("#dialog-error").content))
        assert app.focused.id == "field-price" and Accession.select().count() == 3
    assert [a.source for a in Accession.select().order_by(Accession.number)] == ["purchase", "purchase", "donation"]
