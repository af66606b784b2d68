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


def test_numbers_tell_volumes_years_parts_and_editions_apart(clerk):
    """Titles nearly the same but for a number are different books; the same number in another
    spelling of a title nearly the same (vol. I. and Vol. 1, 上册 and （上）) is still the same book."""
    bound = _biblio("经济研究 2019年合订本", "", None, 2019)
    first = _biblio("红楼梦 第1卷", "曹雪芹", "9787020002207", 1996)  # a set catalogued volume by volume, one ISBN
    upper = _biblio("西游记（上）", "吴承恩", None, 2005)
    vol1 = _biblio("A History of Modern China, Vol. 1", "Wang Ming", None, 2001)
    second = Biblio.create(title="Statistics, 2nd edition", author="David Freedman", edition="2nd ed", year=1991,
                           created_at=NOW)
    part = _biblio("Henry IV, Part 1", "Shakespeare")
    apart = [("经济研究 2015年合订本", "", None, None, None),  # the year in the title is enough
             ("经济研究 2015年合订本", "", None, 2015, None),
             ("红楼梦 第2卷", "曹雪芹", None, 1996, None),
             ("红楼梦 第2卷", "曹雪芹", "7-02-000220-X", 1996, None),  # the set's ISBN, another volume
             ("西游记（下）", "吴承恩", None, 2005, None),
             ("A History of Modern China, Vol. 2", "Wang Ming", None, 2001, None),
             ("A History of Modern China", "Wang Ming", None, 2001, None),  # a numbered volume is not the whole
             ("Statistics, 3rd edition", "David Freedman", None, 1998, None),
             ("Henry IV, Part 2", "Shakespeare", None, None, None),
             ("Henry V, Part 1", "Shakespeare", None, None, None)]
    for title, author, isbn, year, edition in apart:
        known = {name: value for name, value in (("year", year), ("edition", edition)) if value}
        assert find_duplicates(title, author, isbn, **known) == [], title
    # different years or edition numbers on the records, the titles alike
    assert find_duplicates("Statistics, 2nd edition", "David Freedman", None, year=1998) == []
    assert find_duplicates("Statistics, 2nd edition", "David Freedman", None, edition="3rd ed.") == []

    same = [("经济研究 2019年合订本", "", None, 2019, None, bound, SIMILAR),
            ("红楼梦 第1卷", "", "7-02-000220-X", 2011, None, first, SAME_ISBN),  # a reprint: its ISBN says so
            ("红楼梦", "曹雪芹", "9787020002207", None, None, first, SAME_ISBN),  # the set's record
            ("西游记 上册", "吴承恩", None, 2005, None, upper, SIMILAR),
            ("A history of modern China, vol. I.", "Ming, Wang", None, None, None, vol1, SIMILAR),
            ("Statistics: 2nd edition", "Freedman, David", None, 1991, "Second edition", second, SIMILAR),
            ("Henry IV. Part I", "Shakespeare", None, None, None, part, SIMILAR)]
    for title, author, isbn, year, edition, record, reason in same:
        assert [(c.biblio_id, c.reason) for c in find_duplicates(title, author, isbn, year=year, edition=edition)] \
            == [(record.id, reason)], title


def test_designations_read_every_script():
    d = duplicates.designations
    assert d("经济研究 2015年合订本") == (("2015",), ())
    assert d("红楼梦 第二卷") == d("红楼梦 第2卷") == d("红楼梦（卷二）") == (("2",), ("2",))
    assert d("西游记（上）") == d("西游记 上册") == (("上",), ("上",))
    assert d("A History, Vol. II") == d("A history, volume two") == d("A history, v. 2") == (("2",), ("2",))
    assert d("中国哲学十五讲") == (("15",), ())
    assert d("二〇一九年合订本") == (("2019",), ())
    assert d("2nd ed.") == d("Second edition") == d("第2版") == (("2",), ())
    for plain in ("三国演义", "上海地方志", "中篇小说选", "No One Belongs Here", "The Civil War", "Roe v Wade", "修订版"):
        assert d(plain) == ((), ()), plain
