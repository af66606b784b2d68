"""Numbers the demo hands out: card and copy barcodes, and the series that registration and cataloguing go on from."""
from __future__ import annotations

from counter_tui import db
from counter_tui.domain.barcodes import BarcodeRules, library_barcode
from counter_tui.models import Biblio, Item, Loan, NumberSeries, Patron

ITEM_PREFIX = "31234"
CARD_PREFIX = "21234"
# NumberSeries rows set to the last number used, so that registration and cataloguing
# go on from there instead of handing out a demo reader's card or barcode again.
SERIES_CARD = "card"  # the series services/cards.py takes card numbers from
SERIES_ITEM = "item_barcode"
SERIES_ACCESSION = "accession_number"


def barcode_run(prefix: str, first: int, count: int, rules_: BarcodeRules) -> list[str]:
    return [library_barcode(prefix, number, rules_) for number in range(first, first + count)]


def set_number_series(readers: int, copies: int) -> None:
    """Move each series to the last number the demo used (never back)."""
    for name, last in ((SERIES_CARD, readers), (SERIES_ITEM, copies), (SERIES_ACCESSION, copies)):
        series = NumberSeries.get_or_none(NumberSeries.name == name)
        if series is None:
            NumberSeries.create(name=name, last=last)
        elif series.last < last:
            NumberSeries.update(last=last).where(NumberSeries.id == series.id).execute()


def move_id_sequences() -> None:
    """Ids were written explicitly: on PostgreSQL, move the sequences past them."""
    if db.is_sqlite():
        return
    for model in (Biblio, Patron, Item, Loan):
        table = model._meta.table_name
        db.database.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))")
