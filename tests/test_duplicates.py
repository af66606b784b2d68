"""The duplicate check shared by the record form and the MARC import."""
from __future__ import annotations

from counter_tui import db
from counter_tui.models import Biblio
from counter_tui.services.catalogue import duplicates
from counter_tui.services.catalogue.duplicates import SAME_ISBN, SIMILAR, Candidate, find_duplicates, normalise_isbn
from tests.conftest import NOW


def _biblio(title, author="", isbn=None, year=None):
    return Biblio.create(title=title, author=author, isbn=isbn, year=year, created_at=NOW)


def test_normalise_isbn_takes_every_spelling_to_13_digits():
    assert normalise_isbn("7-02-000220-X") == "9787020002207"
    assert normalise_isbn("7020002206") is None  # wrong check digit
    assert normalise_isbn("978-7-02-000220-7") == "9787020002207"
    assert normalise_isbn(" 9787020002207 ") == "9787020002207"
    assert normalise_isbn("９７８７０２０００２２０７") == "9787020002207"  # full-width digits
    assert normalise_isbn("9787020002208") is None
    assert normalise_isbn("") is None and normalise_isbn(None) is None
    assert normalise_isbn("not an isbn") is None


def test_same_isbn_is_found_whichever_form_was_typed(clerk):
    b = _biblio("红楼梦", "曹雪芹", "9787020002207", 1996)
    for typed in ("7-02-000220-X", "9787020002207", "978 7 02 000220 7"):
        found = find_duplicates("A different title", "Someone", typed)
        assert found == [Candidate(b.id, "红楼梦", "曹雪芹", "9787020002207", 1996, SAME_ISBN)]


def test_similar_title_and_compatible_author(clerk):
    latin = _biblio("Dream of the Red Chamber", "Cao Xueqin")
    chinese = _biblio("红楼梦（上册）", "曹雪芹 著")
    _biblio("Dream of the Red Chamber", "Somebody Else Entirely")
    _biblio("Journey to the West", "Wu Cheng'en")
    found = find_duplicates("dream of the red chamber.", "Xueqin, Cao", None)
    assert [(c.biblio_id, c.reason) for c in found] == [(latin.id, SIMILAR)]
    # full-width brackets, spaces and a missing author still match
    found = find_duplicates("红楼梦 (上册)", "", None)
    assert [c.biblio_id for c in found] == [chinese.id]
    found = find_duplicates("红楼梦(上册)", "曹雪芹", None)
    assert [c.biblio_id for c in found] == [chinese.id]
    found = find_duplicates("红楼梦(上册)", "曹雪芹编著", None)  # the role written without a space
    assert [c.biblio_id for c in found] == [chinese.id]


def test_different_titles_are_not_duplicates(clerk):
    _biblio("Dream of the Red Chamber", "Cao Xueqin")
    _biblio("红楼梦", "曹雪芹")
    assert find_duplicates("Dreams of Red Rivers in Spring", "Cao Xueqin", None) == []
    assert find_duplicates("红楼梦魇", "张爱玲", None) == []
    assert find_duplicates("", "", None) == []


def test_same_isbn_and_similar_title_count_once_and_exclude_leaves_out_the_record(clerk):
    b = _biblio("Fortress Besieged", "Qian Zhongshu", "9787020024759")
    found = find_duplicates("Fortress Besieged", "Qian Zhongshu", "9787020024759")
    assert [(c.biblio_id, c.reason) for c in found] == [(b.id, SAME_ISBN)]
    assert find_duplicates("Fortress Besieged", "Qian Zhongshu", "9787020024759", exclude=b.id) == []


def test_short_titles_are_checked_without_the_trigram_index(clerk):
    b = _biblio("围城", "钱锺书")
    _biblio("围城之外", "钱锺书")
    assert [c.biblio_id for c in find_duplicates("围城", "钱锺书", None)] == [b.id]


def test_titles_written_by_raw_sql_are_found_too(clerk):
    """Imports and the demo may insert without the service: the index follows every write."""
    db.execute("INSERT INTO biblio (title, author, edition, publisher, language, classification, subjects, "
               "created_at, book_number) VALUES (?, ?, '', '', '', '', '', ?, '')",
               "The Scholars", "Wu Jingzi", NOW)
    (bid,) = db.execute("SELECT id FROM biblio WHERE title = ?", "The Scholars").fetchone()
    assert [c.biblio_id for c in find_duplicates("The scholars", "Wu Jingzi", None)] == [bid]
    Biblio.update(title="Rulin Waishi").where(Biblio.id == bid).execute()
    assert find_duplicates("The scholars", "Wu Jingzi", None) == []
    assert [c.biblio_id for c in find_duplicates("Rulin waishi", "", None)] == [bid]
    Biblio.delete().where(Biblio.id == bid).execute()
    assert find_duplicates("Rulin waishi", "", None) == []


def test_title_pieces_are_distinctive_runs():
    assert duplicates.title_pieces("The Dream of the Red Chamber") == ["chamber", "dream", "red"]
    assert "红楼梦" in duplicates.title_pieces("红楼梦（上册）")


def test_one_word_changed_is_still_found(clerk):
    b = _biblio("An Introduction to Modern Chinese Literature", "Hong Zicheng")
    found = find_duplicates("An Introduction to Modern Chinese Literatures", "Hong Zicheng", None)
    assert [c.biblio_id for c in found] == [b.id]


def test_one_word_changed_is_found_behind_hundreds_of_titles_sharing_its_long_words(clerk):
    """The "one word changed" query asks the longest runs all but one at a time; titles with
    no author that share those runs must not crowd the real duplicate out of the candidates."""
    typed = "Introduction to Modern Chinese Literatures and Criticism"
    longest = duplicates.title_pieces(typed)[:duplicates.FALLBACK_PIECES]
    assert "literatures" in longest  # the word that differs from the record in the catalogue
    shared = [p for p in longest if p != "literatures"]
    for n in range(duplicates.CANDIDATE_LIMIT + 100):  # each has every long run but the changed one
        _biblio(" ".join(shared) + f" volume {n} supplementary notes and indexes")
    b = _biblio("Introduction to Modern Chinese Literature and Criticism", "Hong Zicheng")  # the newest row
    found = find_duplicates(typed, "Hong Zicheng", None)
    assert [c.biblio_id for c in found] == [b.id]
