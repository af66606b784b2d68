"""A demo library: titles, copies, readers, a calendar, rules, loans and fees to try the desk on.

`build_library` fills a freshly created library (schema and standard rows in place)
with made-up but plausible data: Chinese and English titles with valid ISBN-13s and
CLC call numbers, copies with Luhn-checked barcodes, readers with cards and card
histories, two years of returned loans, open loans (some overdue), fines paid and
unpaid, closed days and a few circulation rules. The same seed gives the same library.

Why bulk insert instead of the services: the large scale (a million copies, two million
loans) is the fixture of the benchmarks and must build in under a minute on two cores.
Through Peewee's model layer a row costs tens of microseconds of SQL building (about
55,000 rows a second with `insert_many`); the DB-API cursor's `executemany` of
multi-row INSERT statements, inside one transaction, is an order of magnitude faster.
So rows are generated as plain values (random.Random(seed), no ORM objects) and written
in foreign-key order with explicit ids, so that loans and fees can refer to rows never
read back. The SQL is portable: double-quoted names and the driver's own placeholder;
on PostgreSQL the id sequences are then moved past the ids written. The few rows that
carry rules (the staff account, circulation rules, numbering series, the audit event)
go through the models and services as usual.

Where the time goes at the large scale, and what is done about it:
- Updating 25 secondary indexes row by row would cost more than the inserts; they are
  dropped for the load and built again before the commit, inside the same transaction.
  On SQLite the load also runs with a large page cache, foreign keys checked once by
  the tests rather than per row, and a rollback journal instead of the WAL.
- Building those indexes (~12 s) is single-threaded database work; so is the commit.
  The machine's second core gets the pure Python: the copies (each barcode from the
  domain's `library_barcode` costs ~11 us, a million of them) and the two years of
  past loans are made by helper processes that hand their rows over in scratch SQLite
  files, copied in with INSERT ... SELECT (see `_Helpers`). Small builds, and builds
  on PostgreSQL, run the same jobs in this process.

The invariants the services rely on hold on the result (tests/test_demo.py checks them):
at most one open loan per copy, a copy is "checked out" exactly when it has an open
loan, due dates fall on open days at the end of the local day, fines are what the rules
give, and no copy is ever lent twice at once.
"""
from __future__ import annotations

import os
import pickle
import random
import subprocess
import sys
import tempfile
from bisect import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import peewee
from stdnum import ean, issn
from stdnum.cn import ric

from counter_tui import db
from counter_tui.domain.barcodes import BarcodeRules, library_barcode
from counter_tui.domain.calendar import due_date, end_of_local_day_utc, local_date, utc_now
from counter_tui.domain.callnumbers import clc_sort_key
from counter_tui.domain.fines import overdue_fine
from counter_tui.domain.item_status import ItemStatus
from counter_tui.models import (Accession, Biblio, CardEvent, CirculationRule, ClosedDay, Fee, Item, ItemType,
                                Loan, NumberSeries, Patron, PatronCategory, Staff)
from counter_tui.services import audit, library_settings
from counter_tui.services.circulation import rules
from counter_tui.services.admin import staff
from counter_tui.services.errors import Refusal
from counter_tui.services.files import write_atomically

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-library"
DEMO_FULL_NAME = "Demo Clerk"
DEMO_ROLES = ["circulation", "curator"]

ITEM_PREFIX = "31234"
CARD_PREFIX = "21234"
# NumberSeries rows set to the last number used, so that registration and cataloguing
# go on from there instead of handing out a demo reader's card or barcode again.
SERIES_CARD = "card"  # the series services/cards.py takes card numbers from
SERIES_ITEM = "item_barcode"
SERIES_ACCESSION = "accession_number"

CHUNK = 50_000  # rows generated between two writes: bounded memory
# From this many copies on, barcodes and past loans are made by helper processes.
HELPER_PROCESSES_FROM = 200_000


@dataclass(frozen=True)
class Scale:
    titles: int
    copies: int
    readers: int
    past_loans: int
    open_loans: int
    overdue_loans: int  # of the open loans, this many are past their due date at `now`

    def __post_init__(self) -> None:
        if min(self.titles, self.readers) < 1:
            raise ValueError("A demo library needs at least one title and one reader.")
        if min(self.past_loans, self.open_loans, self.overdue_loans) < 0:
            raise ValueError("Loan counts cannot be negative.")
        if self.copies < self.titles:
            raise ValueError("Every title needs at least one copy: copies >= titles.")
        if self.overdue_loans > self.open_loans:
            raise ValueError("Overdue loans are some of the open loans: overdue_loans <= open_loans.")
        if self.open_loans > self.copies // 4:
            raise ValueError("Lend at most a quarter of the copies at once.")


DEMO = Scale(titles=3000, copies=5000, readers=500, past_loans=4000, open_loans=600, overdue_loans=80)
LARGE = Scale(titles=300_000, copies=1_000_000, readers=100_000, past_loans=2_000_000,
              open_loans=50_000, overdue_loans=5_000)

# --------------------------------------------------------------------------------------------
# Word lists. A class entry: CLC class number, weight, Chinese subjects, English subjects,
# Chinese works (titles of their own), English works. All 22 CLC basic classes appear.

CLASSES: list[tuple[str, int, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = [
    ("A81", 1, ("马克思主义哲学", "马克思主义基本原理"), ("Marxist Philosophy",), (), ()),
    ("A84", 1, ("毛泽东思想",), ("Mao Zedong Thought",), (), ()),
    ("B0", 2, ("哲学", "西方哲学", "逻辑学"), ("Philosophy", "Logic", "Metaphysics"), (), ()),
    ("B22", 2, ("先秦哲学", "儒家思想"), ("Early Chinese Thought",), ("论语", "庄子", "孟子"),
     ("The Analects",)),
    ("B84", 3, ("心理学", "社会心理学", "发展心理学"), ("Psychology", "Social Psychology"), (), ()),
    ("C91", 2, ("社会学", "社会调查方法"), ("Sociology", "Social Research Methods"), (), ()),
    ("C93", 1, ("管理学",), ("Management Science",), (), ()),
    ("D0", 2, ("政治学",), ("Political Science", "Political Theory"), (), ()),
    ("D92", 3, ("法学", "民法学", "宪法学", "刑法学"), ("Law", "Contract Law", "Constitutional Law"), (), ()),
    ("E0", 1, ("军事理论",), ("Military History",), ("孙子兵法",), ("The Art of War",)),
    ("F0", 4, ("经济学", "微观经济学", "宏观经济学", "计量经济学"),
     ("Economics", "Microeconomics", "Macroeconomics", "Econometrics"), (), ()),
    ("F27", 3, ("企业管理", "市场营销", "人力资源管理"), ("Management", "Marketing", "Accounting"), (), ()),
    ("F830", 2, ("金融学", "货币银行学"), ("Finance", "Money and Banking"), (), ()),
    ("G40", 3, ("教育学", "教育心理学", "课程与教学论"), ("Education", "Educational Psychology"), (), ()),
    ("G642", 2, ("高等教育教学", "大学生学习方法"), ("Teaching in Higher Education",), (), ()),
    ("G25", 1, ("图书馆学", "信息检索", "目录学"), ("Library Science", "Information Retrieval"), (), ()),
    ("G8", 1, ("体育", "篮球运动", "太极拳"), ("Sport", "Basketball"), (), ()),
    ("H31", 4, ("英语语法", "英语写作", "英语阅读", "英语听力"),
     ("English Grammar", "Academic Writing", "English Vocabulary"), (), ()),
    ("H19", 2, ("现代汉语", "汉语语法", "古代汉语"), ("Modern Chinese", "Chinese Grammar"), (), ()),
    ("I207.411", 2, ("明清小说",), ("The Chinese Novel",), ("红楼梦", "三国演义", "水浒传", "西游记"),
     ("Dream of the Red Chamber", "Journey to the West")),
    ("I247.5", 6, ("当代小说",), (), ("围城", "平凡的世界", "活着", "白鹿原", "边城", "骆驼祥子", "呐喊"), ()),
    ("I222", 2, ("古典诗词", "唐诗", "宋词"), ("Tang Poetry",), ("唐诗三百首", "宋词选", "诗经"),
     ("Three Hundred Tang Poems",)),
    ("I561.45", 3, ("英国小说",), ("English Fiction",), ("傲慢与偏见", "简·爱"),
     ("Pride and Prejudice", "Jane Eyre", "Great Expectations", "Middlemarch", "Hamlet")),
    ("I712.45", 3, ("美国小说",), ("American Fiction",), ("老人与海",),
     ("The Great Gatsby", "Moby-Dick", "The Old Man and the Sea", "To Kill a Mockingbird")),
    ("I313.45", 1, ("日本小说",), ("Japanese Fiction",), ("雪国",), ("Kokoro",)),
    ("J2", 1, ("中国画", "书法"), ("Chinese Painting", "Calligraphy"), (), ()),
    ("J6", 1, ("音乐理论", "钢琴"), ("Music Theory", "Piano"), (), ()),
    ("J9", 1, ("电影艺术",), ("Film Studies",), (), ()),
    ("K2", 3, ("中国通史", "明史", "中国近代史"), ("History of China", "Ming China"), ("史记", "资治通鉴"), ()),
    ("K825", 2, ("人物传记", "科学家传记"), ("Biography", "Lives of Scientists"), ("苏东坡传",), ()),
    ("K1", 2, ("世界史", "欧洲史"), ("World History", "European History"), (), ()),
    ("K92", 1, ("中国地理",), ("Geography of China",), (), ()),
    ("N0", 1, ("科学方法论", "科学史"), ("History of Science",), (), ()),
    ("O1", 3, ("高等数学", "线性代数", "离散数学"), ("Calculus", "Linear Algebra", "Discrete Mathematics"), (), ()),
    ("O13", 2, ("数学分析", "微积分"), ("Real Analysis",), (), ()),
    ("O21", 2, ("概率论与数理统计",), ("Probability and Statistics",), (), ()),
    ("O4", 3, ("大学物理", "量子力学", "电磁学"), ("Physics", "Quantum Mechanics", "Electromagnetism"), (), ()),
    ("O6", 2, ("有机化学", "无机化学", "分析化学"), ("Organic Chemistry", "Physical Chemistry"), (), ()),
    ("P1", 1, ("天文学",), ("Astronomy",), (), ()),
    ("P5", 1, ("地质学",), ("Geology",), (), ()),
    ("Q1", 2, ("生物学", "生态学"), ("Biology", "Ecology"), (), ()),
    ("Q7", 1, ("分子生物学", "遗传学"), ("Molecular Biology", "Genetics"), (), ()),
    ("R1", 1, ("公共卫生",), ("Public Health",), (), ()),
    ("R2", 1, ("中医学", "中药学"), ("Traditional Chinese Medicine",), ("黄帝内经",), ()),
    ("R4", 1, ("内科学",), ("Internal Medicine",), (), ()),
    ("S3", 1, ("作物栽培学",), ("Crop Science",), (), ()),
    ("TB", 1, ("工程力学", "工程制图"), ("Engineering Mechanics",), (), ()),
    ("TM", 1, ("电工学", "电力系统"), ("Electrical Engineering",), (), ()),
    ("TN91", 1, ("通信原理",), ("Communication Systems",), (), ()),
    ("TP18", 2, ("人工智能", "机器学习", "深度学习"), ("Artificial Intelligence", "Machine Learning"), (), ()),
    ("TP311.1", 3, ("数据结构", "算法设计", "软件工程"), ("Data Structures", "Algorithms", "Software Engineering"), (), ()),
    ("TP311.13", 2, ("数据库系统", "数据库原理"), ("Database Systems", "SQL"), (), ()),
    ("TP312", 3, ("C语言程序设计", "Python编程", "Java程序设计"), ("Programming in C", "Python Programming"), (), ()),
    ("TP316", 2, ("操作系统",), ("Operating Systems", "Unix"), (), ()),
    ("TP393", 2, ("计算机网络", "网络安全"), ("Computer Networks", "Network Security"), (), ()),
    ("TU", 1, ("建筑学", "建筑设计"), ("Architecture",), (), ()),
    ("U4", 1, ("道路工程",), ("Highway Engineering",), (), ()),
    ("V2", 1, ("航空概论",), ("Aeronautics",), (), ()),
    ("V4", 1, ("航天技术",), ("Spaceflight",), (), ()),
    ("X3", 1, ("环境保护",), ("Environmental Protection",), (), ()),
    ("X5", 1, ("环境污染与防治",), ("Pollution Control",), (), ()),
    ("Z228", 1, ("少年百科",), ("Children's Encyclopedia",), ("十万个为什么",), ()),
    ("Z3", 1, ("推荐书目",), ("Bibliographies",), (), ()),
]

ZH_TOPIC_FORMS = ("", "", "概论", "导论", "研究", "教程", "基础", "原理", "十五讲", "新论", "简明教程",
                  "学习指导", "史", "入门", "与实践")
ZH_WORK_FORMS = ("", "", "研究", "评注", "导读", "赏析", "校注", "（插图本）")
EN_TOPIC_FORMS = ("{}", "Introduction to {}", "Principles of {}", "A Short History of {}",
                  "Foundations of {}", "Essays on {}", "Readings in {}", "The Practice of {}",
                  "Topics in {}", "Understanding {}", "{}: Theory and Practice", "{}: A Very Short Introduction",
                  "Advanced {}", "{} for Beginners")
EN_WORK_FORMS = ("{}", "{}", "{}: A Critical Edition", "Reading {}", "{} (Oxford World's Classics)",
                 "A Companion to {}")
ZH_REFERENCE_FORMS = ("辞典", "大辞典", "手册", "年鉴", "百科全书")
EN_REFERENCE_FORMS = ("Dictionary of {}", "Encyclopedia of {}", "Handbook of {}", "The Oxford Companion to {}")
ZH_EDITIONS = ("第2版", "第3版", "修订版", "第4版")
EN_EDITIONS = ("2nd ed.", "3rd ed.", "Rev. ed.", "4th ed.")

# Journals kept as bound volumes: title, class number, language.
JOURNALS = [
    ("计算机学报", "TP3", "chi"), ("中国图书馆学报", "G25", "chi"), ("物理学报", "O4", "chi"),
    ("经济研究", "F", "chi"), ("文学评论", "I206", "chi"), ("读者", "Z", "chi"), ("新华文摘", "Z", "chi"),
    ("Nature", "N", "eng"), ("Science", "N", "eng"), ("The Economist", "F", "eng"),
    ("Communications of the ACM", "TP3", "eng"), ("The Lancet", "R", "eng"),
]

# Publisher, ISBN prefix up to and including the registrant, language.
PUBLISHERS_ZH = [
    ("人民文学出版社", "978702"), ("科学出版社", "978703"), ("高等教育出版社", "978704"),
    ("商务印书馆", "9787100"), ("中华书局", "9787101"), ("人民教育出版社", "9787107"),
    ("生活·读书·新知三联书店", "9787108"), ("机械工业出版社", "9787111"), ("人民邮电出版社", "9787115"),
    ("电子工业出版社", "9787121"), ("中国人民大学出版社", "9787300"), ("北京大学出版社", "9787301"),
    ("清华大学出版社", "9787302"), ("上海古籍出版社", "97875325"), ("外语教学与研究出版社", "97875600"),
]
PUBLISHERS_EN = [
    ("Penguin Books", "978014"), ("Oxford University Press", "978019"), ("Pearson", "978013"),
    ("MIT Press", "9780262"), ("Routledge", "9780415"), ("W. W. Norton", "9780393"),
    ("Princeton University Press", "9780691"), ("Harvard University Press", "9780674"),
    ("Cambridge University Press", "9781107"), ("Wiley", "9781118"), ("O'Reilly Media", "97814919"),
]

ZH_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
               "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史黎贺顾毛郝龚邵万钱")
ZH_DOUBLE_SURNAMES = ("欧阳", "司马", "诸葛", "上官")
ZH_GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华玉萍红鹏飞鑫宇浩晨欣怡梓涵子轩雨萱博文思佳嘉俊一诺"
            "晓雪婷琳颖蕾雷凯斌辉波宁昊然天泽睿瑞晗彤铭建国志红海燕春梅小龙")
EN_FIRST = ("Emma", "Olivia", "Ava", "Sophia", "Isabella", "Mia", "Amelia", "Harper", "Evelyn", "Abigail",
            "Emily", "Ella", "Grace", "Chloe", "Lucy", "Hannah", "Liam", "Noah", "Oliver", "Elijah", "James",
            "William", "Benjamin", "Lucas", "Henry", "Alexander", "Daniel", "Matthew", "Samuel", "David",
            "Joseph", "Thomas", "Jack", "Ethan", "Ryan", "Adam", "Sarah", "Laura", "Anna", "Peter")
EN_LAST = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson",
           "Anderson", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark",
           "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green",
           "Adams", "Baker", "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell",
           "Parker", "Evans", "Edwards", "Collins", "Stewart", "Morris", "Murphy", "Cook", "Rogers",
           "Morgan", "Cooper", "Reed", "Bailey", "Bell", "Kelly", "Ward", "Wood", "Watson", "Brooks",
           "Bennett", "Gray", "Hughes", "Price", "Foster")
ZH_AUTHOR_ROLES = ("著", "著", "著", "主编", "编著")

MAJORS = ("计算机科学与技术", "软件工程", "数学与应用数学", "物理学", "化学", "汉语言文学", "英语", "历史学",
          "经济学", "会计学", "法学", "教育学", "生物科学", "土木工程", "电子信息工程", "音乐学")
FACULTIES_ZH = ("数学学院", "物理学院", "化学学院", "文学院", "外国语学院", "历史学院", "经济学院", "法学院",
                "教育学院", "计算机学院", "生命科学学院", "艺术学院")
FACULTIES_EN = ("School of Foreign Languages", "International Office", "Department of Physics",
                "Department of Economics")
OFFICES = ("图书馆", "教务处", "后勤处", "校长办公室", "财务处", "信息中心", "Library", "Registry")
EXTERNAL_GROUPS = ("校友", "社区读者", "访问学者", "Visiting scholar", "Alumni")
BLOCK_REASONS = ("Lost book not yet paid for.", "Damaged a book; awaiting assessment.",
                 "Repeated noise in the reading room.", "拖欠赔书款。")
REGIONS = ("110101", "110108", "310104", "320102", "330106", "420111", "440106", "510107", "610113")

# Item type mix by title: book, reference (not loanable), periodical (bound volumes), audio-visual.
TYPE_WEIGHTS = (("book", 90), ("reference", 4), ("periodical", 3), ("av", 3))
BOOK_LOCATIONS = (("Stacks", 60), ("Open shelves", 25), ("New books", 5), ("Reading room", 10))
TYPE_LOCATION = {"reference": "Reference", "periodical": "Reading room", "av": "Media room"}
CATEGORY_WEIGHTS = (("student", 80), ("teacher", 10), ("staff", 6), ("external", 4))

# Fixed-date holidays (month, day, reason) and the Spring Festival's first day by year.
FIXED_HOLIDAYS = [((1, 1), "元旦 New Year's Day"), ((5, 1), "劳动节 Labour Day"),
                  ((5, 2), "劳动节 Labour Day"), ((5, 3), "劳动节 Labour Day")]
FIXED_HOLIDAYS += [((10, d), "国庆节 National Day") for d in range(1, 8)]
SPRING_FESTIVAL = {2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
                   2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26),
                   2029: date(2029, 2, 13), 2030: date(2030, 2, 3)}

# Extra rules beside the default: (category or None, item type or None, fields).
EXTRA_RULES = [
    ("teacher", "book", dict(loan_days=60, renewals=3, fine_amount=10, fine_interval_days=1,
                             grace_days=0, fine_cap=2000, fine_cap_at_price=True)),
    (None, "av", dict(loan_days=7, renewals=1, fine_amount=50, fine_interval_days=1, grace_days=0,
                      fine_cap=1000, fine_cap_at_price=True)),
    ("student", "book", dict(loan_days=28, renewals=2, fine_amount=10, fine_interval_days=1,
                             grace_days=2, fine_cap=2000, fine_cap_at_price=True)),
]

_EPOCH = datetime(1970, 1, 1)
_DAY = 86_400
_OPEN_FROM, _OPEN_UNTIL = 8 * 3600, 21 * 3600 + 1800  # desk hours, local


def build_library(scale: Scale, now: datetime | None = None, seed: int = 7,
                  progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Fill a new library (schema and standard rows in place, no titles or readers yet).

    Returns the number of rows written per kind. Raises Refusal when the library
    already has titles, copies or readers: the demo never mixes with real data.
    `progress(stage)` is called as each stage starts.
    """
    now = (now or utc_now()).replace(microsecond=0)
    if now.tzinfo is not None:
        now = now.astimezone(UTC).replace(tzinfo=None)
    say = progress or (lambda stage: None)
    if Biblio.select().exists() or Item.select().exists() or Patron.select().exists():
        raise Refusal("This library already has titles or readers; build the demo into a new database.")

    say("staff")
    clerk = Staff.get_or_none(Staff.username == DEMO_USERNAME)
    if clerk is None:
        clerk = staff.add_staff(None, DEMO_USERNAME, DEMO_FULL_NAME, DEMO_PASSWORD, DEMO_ROLES, now)

    use_helpers = scale.copies >= HELPER_PROCESSES_FROM and db.is_sqlite()
    with _Helpers(use_helpers) as helpers, _SqliteBulkLoad():
        builder = _Builder(scale, now, seed, clerk.id, say, helpers)
        try:
            with db.database.atomic():
                counts = builder.build()
                audit.record(clerk, "library.demo", "library", None, now, new=counts)
                say("commit")
        finally:
            helpers.detach()
    if scale is DEMO:  # a few queues and a hold shelf to see at F7 and at check-in
        from counter_tui.services.circulation import holds
        counts["holds"] = holds.demo_holds(clerk, now, seed)
    return counts


# Tables loaded in bulk. Their secondary indexes are dropped for the load and built again
# before the commit (in the same transaction, so no other desk ever sees them missing):
# building an index from all its rows at once is several times faster than updating it
# row by row, and the unique ones still check every row as they are built.
BULK_MODELS = (Biblio, Patron, CardEvent, Item, Loan, Fee)


class _SqliteBulkLoad:
    """SQLite settings for this connection while it bulk loads, put back afterwards.

    - a larger page cache;
    - foreign keys not checked row by row: every id written refers to a row written
      before it, and tests/test_demo.py runs SQLite's foreign_key_check on a built library;
    - a rollback journal instead of the WAL when no other connection has the file open,
      so the data is written once rather than to the WAL and then again into the file.
    """

    def __enter__(self):
        self.sqlite = db.is_sqlite()
        if self.sqlite:
            self.cache = self._pragma("cache_size")
            self.foreign_keys = self._pragma("foreign_keys")
            self.journal = self._pragma("journal_mode")
            self._pragma("cache_size", -262144)  # 256 MiB
            self._pragma("foreign_keys", 0)  # (only takes effect outside a transaction)
            if self.journal == "wal":
                try:
                    self._pragma("journal_mode", "delete")
                except peewee.OperationalError:  # another desk has it open: stay in WAL
                    pass
        return self

    def __exit__(self, *exc):
        if self.sqlite:
            self._pragma("cache_size", int(self.cache))
            self._pragma("foreign_keys", int(self.foreign_keys))
            if self._pragma("journal_mode") != self.journal:
                try:
                    self._pragma("journal_mode", self.journal)
                except peewee.OperationalError:  # someone opened it meanwhile; the next connect sets WAL
                    pass
            elif self.journal == "wal":
                # the load went through the WAL: fold it into the file and truncate it
                db.database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return False

    @staticmethod
    def _pragma(name: str, value=None):
        sql = f"PRAGMA {name}" if value is None else f"PRAGMA {name} = {value}"
        row = db.database.execute_sql(sql).fetchone()
        return row[0] if row else None


class _Rows:
    """Rows for one table, written with `executemany` of multi-row INSERT statements.

    Loops append each row's values to `flat` (one flat list, no tuple per row) and
    call `flush` now and then. A hundred rows per statement halve the driver's cost
    per row on SQLite and save round trips on PostgreSQL; the SQL is plain SQL-92.
    """

    ROWS_PER_STATEMENT = 100

    def __init__(self, cursor, table: str, columns: Sequence[str], param: str):
        self.cursor, self.width = cursor, len(columns)
        row = "(" + ", ".join([param] * self.width) + ")"
        head = f'INSERT INTO "{table}" ({_names(columns)}) VALUES '
        self.sql_one = head + row
        self.sql_many = head + ", ".join([row] * self.ROWS_PER_STATEMENT)
        self.flat: list = []
        self.written = 0

    def add(self, *values) -> None:
        self.flat.extend(values)

    def flush(self, final: bool = False) -> None:
        flat, width = self.flat, self.width
        block = width * self.ROWS_PER_STATEMENT
        whole = len(flat) // block * block
        if whole:
            self.cursor.executemany(self.sql_many, [tuple(flat[i:i + block]) for i in range(0, whole, block)])
        if final and whole < len(flat):
            self.cursor.executemany(self.sql_one, [tuple(flat[i:i + width]) for i in range(whole, len(flat), width)])
            whole = len(flat)
        self.written += whole // width
        del flat[:whole]

    def maybe_flush(self) -> None:
        if len(self.flat) >= CHUNK * self.width:
            self.flush()


def _columns(fields: Sequence[peewee.Field]) -> list[str]:
    return [f.column_name for f in fields]


def _names(columns: Sequence[str]) -> str:
    """Column names quoted the SQL-92 way (SQLite and PostgreSQL alike)."""
    return ", ".join(f'"{name}"' for name in columns)


def _next_id(model: type[peewee.Model]) -> int:
    return (model.select(peewee.fn.MAX(model.id)).scalar() or 0) + 1


def _cumulative(weights: Iterable[int]) -> list[int]:
    total, out = 0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


# ---- helper processes ---------------------------------------------------------------------
#
# A job is a pure function of a picklable argument, writing rows to a _Sink. Some jobs
# have early work that needs only a small first argument (the copies' barcodes need only
# their number), so a helper can start on it before the builder has planned the rest.
# On a small build (or on PostgreSQL) a job runs here when its result is first asked for,
# and writes straight into the library's tables. On a big SQLite build it runs in a
# helper process that writes its rows into a scratch SQLite file; the builder copies them
# across with one INSERT ... SELECT, a fraction of the cost of binding them from Python.

_JOBS: dict[str, Callable] = {}  # name -> function(argument, sink, early result)
_EARLY: dict[str, Callable] = {}  # name -> function(early argument), for jobs with early work
_HELPER_PATIENCE = 900  # seconds a helper waits for its argument before giving up


class _Sink:
    """Where a job's rows go: the library's own tables, or a scratch SQLite file."""

    def __init__(self, cursor, scratch: bool):
        self.cursor, self.scratch = cursor, scratch

    def rows(self, table: str, columns: Sequence[str]) -> _Rows:
        if self.scratch:  # untyped columns: the library's table gives the types on the copy
            self.cursor.execute(f'CREATE TABLE "{table}" ({_names(columns)})')
            return _Rows(self.cursor, table, columns, "?")
        return _Rows(self.cursor, table, columns, db.database.param)


def _helper_main(job: str, folder: str, niceness: str) -> None:
    """Entry point of a helper process: files early.in, in, out and rows.sqlite in `folder`."""
    import sqlite3
    import time as timing  # (the module's `time` is datetime.time)
    parent = os.getppid()
    try:  # the builder, which writes the library, is the critical path: it goes first
        os.nice(int(niceness))
    except OSError:
        pass
    place = Path(folder)
    early = None
    if job in _EARLY:
        with open(place / "early.in", "rb") as fh:
            early = _EARLY[job](pickle.load(fh))
    deadline = timing.monotonic() + _HELPER_PATIENCE
    while not (place / "in").exists():
        if timing.monotonic() > deadline or os.getppid() != parent:
            raise SystemExit("the builder never sent the job")
        timing.sleep(0.02)
    with open(place / "in", "rb") as fh:
        argument = pickle.load(fh)
    conn = sqlite3.connect(place / "rows.sqlite", isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    result = _JOBS[job](argument, _Sink(conn.cursor(), scratch=True), early)
    conn.execute("COMMIT")
    conn.close()
    with open(place / "out", "wb") as fh:
        pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)


def _dump(value, path: Path) -> None:
    """Pickle to `path` so that a reader never sees half a file."""
    def pickled(scratch: Path) -> None:
        with open(scratch, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
    write_atomically(path, pickled, unwritten="the demo library was not made")


class _Job:
    """A job started early; `provide` gives it its argument, `result` waits for it."""

    def __init__(self, helpers: "_Helpers", name: str, early, proc=None, folder: Path | None = None):
        self.helpers, self.name, self.early = helpers, name, early
        self.proc, self.folder = proc, folder
        self.argument = None
        self._done, self._result = False, None

    def provide(self, argument) -> "_Job":
        self.argument = argument
        if self.proc is not None:
            _dump(argument, self.folder / "in")
        return self

    def result(self):
        """The job's result, once its rows are in the library's tables."""
        if not self._done:
            self._result, self._done = self._finish(), True
        return self._result

    def _finish(self):
        if self.proc is not None and self.proc.wait() == 0:
            try:
                with open(self.folder / "out", "rb") as fh:
                    result = pickle.load(fh)
                self.helpers.copy_in(self.folder / "rows.sqlite")
                return result
            except (OSError, pickle.UnpicklingError, EOFError):
                pass
        # no helper, or it failed: do the work here, straight into the library's tables
        early = _EARLY[self.name](self.early) if self.name in _EARLY else None
        return _JOBS[self.name](self.argument, _Sink(self.helpers.cursor, scratch=False), early)


class _Helpers:
    """Runs jobs in helper processes (big SQLite builds) or here (everything else).

    A helper is a plain `python -c` child of this interpreter that talks through files:
    no multiprocessing, whose spawn re-runs the caller's main script and whose fork is
    unsafe under an app's threads. Should a helper fail, its job is done here instead.
    """

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.cursor = None  # the builder's, set when it starts
        self.procs: list[subprocess.Popen] = []
        self.attached: list[str] = []

    def __enter__(self) -> "_Helpers":
        if self.enabled:
            self.folder = tempfile.TemporaryDirectory(prefix="counter-tui-demo-")
        return self

    def __exit__(self, *exc):
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        if self.enabled:
            self.folder.cleanup()
        return False

    def start(self, name: str, early=None, niceness: int = 5) -> _Job:
        """Start a job's helper now; give it its argument later with `provide`."""
        if not self.enabled:
            return _Job(self, name, early)
        folder = Path(self.folder.name) / str(len(self.procs))
        folder.mkdir()
        if name in _EARLY:
            _dump(early, folder / "early.in")
        code = "import sys; from counter_tui.demo import _helper_main; _helper_main(*sys.argv[1:])"
        try:
            proc = subprocess.Popen([sys.executable, "-c", code, name, str(folder), str(niceness)],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        except OSError:
            return _Job(self, name, early)
        self.procs.append(proc)
        return _Job(self, name, early, proc, folder)

    def copy_in(self, scratch: Path) -> None:
        """Copy every table of a scratch file into the library's table of the same name."""
        alias = f"demo_scratch_{len(self.attached)}"
        self.cursor.execute(f"ATTACH DATABASE ? AS {alias}", (str(scratch),))
        self.attached.append(alias)  # (SQLite detaches only after the commit)
        tables = [row[0] for row in self.cursor.execute(f"SELECT name FROM {alias}.sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = ", ".join(f'"{row[1]}"' for row in self.cursor.execute(f'PRAGMA {alias}.table_info("{table}")'))
            self.cursor.execute(f'INSERT INTO main."{table}" ({columns}) SELECT {columns} FROM {alias}."{table}"')

    def detach(self) -> None:
        for alias in self.attached:
            try:
                db.database.execute_sql(f"DETACH DATABASE {alias}")
            except peewee.DatabaseError:
                pass
        self.attached.clear()


# ---- time -------------------------------------------------------------------------------

class _Clock:
    """Naive-UTC times as integer seconds, written as the strings the database stores."""

    _HMS: list[str] = []

    def __init__(self, tz: ZoneInfo, today: int):
        self.tz = tz
        if not _Clock._HMS:
            _Clock._HMS = [f" {h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
        self.hms = _Clock._HMS
        first = date.fromordinal(today - 6 * 366)
        self.day0 = (first - _EPOCH.date()).days  # UTC dates as text, by days since 1970
        self.days = [(first + timedelta(days=n)).isoformat() for n in range(8 * 366)]
        self._midnight: dict[int, int] = {}
        self._local: dict[int, int] = {}
        self._eod: dict[int, int] = {}

    @staticmethod
    def seconds(moment: datetime) -> int:
        return int((moment - _EPOCH).total_seconds())

    def text(self, ts: int) -> str:
        return self.days[ts // _DAY - self.day0] + self.hms[ts % _DAY]

    def local_midnight(self, day: int) -> int:
        """Seconds at the local midnight that starts the day with this ordinal."""
        ts = self._midnight.get(day)
        if ts is None:
            aware = datetime.combine(date.fromordinal(day), time(0), tzinfo=self.tz)
            ts = self._midnight[day] = self.seconds(aware.astimezone(UTC).replace(tzinfo=None))
        return ts

    def local_day(self, ts: int) -> int:
        """The ordinal of the local day at `ts`."""
        # zones differ from UTC by whole quarter hours, so a quarter hour has one local day
        quarter = ts // 900
        day = self._local.get(quarter)
        if day is None:
            day = self._local[quarter] = local_date(_EPOCH + timedelta(seconds=quarter * 900),
                                                    self.tz).toordinal()
        return day

    def end_of_day(self, day: int) -> int:
        ts = self._eod.get(day)
        if ts is None:
            ts = self._eod[day] = self.seconds(end_of_local_day_utc(date.fromordinal(day), self.tz))
        return ts


class _DueDates:
    """End of the due day, in seconds, of a loan made on a day, by the domain's rule."""

    def __init__(self, clock: _Clock, closed: frozenset[date]):
        self.clock, self.closed = clock, closed
        self._cache: dict[tuple[int, int], int] = {}

    def __call__(self, out_day: int, loan_days: int) -> int:
        key = (out_day, loan_days)
        ts = self._cache.get(key)
        if ts is None:
            due = due_date(date.fromordinal(out_day), loan_days, self.closed).toordinal()
            ts = self._cache[key] = self.clock.end_of_day(due)
        return ts


# ---- jobs: past loans and copies (pure; in helper processes on big builds) ---------------

@dataclass
class _PastLoanPlan:
    """One share of the past loans: its own readers and copies, so shares never meet."""
    seed: str
    count: int
    tz: str
    today: int
    now_ts: int
    closed: list[int]  # closed day ordinals
    open_days: list[int]  # open days of the last two years, oldest first
    copies: list[int]  # copies of this share (loanable, not on loan now)
    copy_kind: list[int]  # by position in `copies`
    copy_acquired: list[int]  # by position in `copies`: day ordinals
    first_reader: int  # the share's readers are first_reader, first_reader + 1, ...
    reader_pair: list[int]  # by position among the share's readers: category * kinds
    pair_days: list[int]  # category * kinds + kind -> loan period
    first_id: int
    item_base: int
    patron_base: int
    clerk_id: int


def _past_loans(plan: _PastLoanPlan, sink: _Sink, _early=None) -> tuple[int, list[tuple[int, int, int, int, int]]]:
    """Two years of returned loans, day by day, never two at once on one copy.

    The loans are numbered in order of reader and return time, the order of the two
    reader indexes on Loan: those indexes then build from sorted rows, twice as fast.
    Returns the number of loans and the late returns as
    (loan id, reader, copy, due seconds, returned seconds).
    """
    rng = random.Random(plan.seed)
    rand = rng.random
    clock = _Clock(ZoneInfo(plan.tz), plan.today)
    due_of = _DueDates(clock, frozenset(date.fromordinal(d) for d in plan.closed))
    open_days, copies, copy_kind = plan.open_days, plan.copies, plan.copy_kind
    reader_pair, pair_days = plan.reader_pair, plan.pair_days
    copy_count, reader_count = len(copies), len(reader_pair)
    per_day = [0] * len(open_days)
    if copy_count and reader_count:
        for _ in range(plan.count):
            per_day[int(rand() * len(open_days))] += 1
    # when each copy is next free: from the day after it was acquired, then after each return
    busy = [clock.local_midnight(day + 1) for day in plan.copy_acquired]
    latest, today, midnight = plan.now_ts - 600, plan.today, clock.local_midnight
    by_reader: list[list[tuple[int, int, int, int, int]]] = [[] for _ in reader_pair]  # returned, copy, out, due, late
    open_span = _OPEN_UNTIL - _OPEN_FROM
    for day, count in zip(open_days, per_day):
        if not count:
            continue
        start = clock.local_midnight(day) + _OPEN_FROM
        due_for: dict[int, int] = {}
        for _ in range(count):
            out_ts = start + int(rand() * open_span)
            position = int(rand() * copy_count)
            if busy[position] > out_ts:
                for _attempt in range(100):
                    position = int(rand() * copy_count)
                    if busy[position] <= out_ts:
                        break
                else:
                    continue  # every copy tried was out: skip this loan (vanishingly rare)
            reader = int(rand() * reader_count)
            loan_days = pair_days[reader_pair[reader] + copy_kind[position]]
            due = due_for.get(loan_days)
            if due is None:
                due_ts = due_of(day, loan_days)
                due = due_for[loan_days] = (due_ts, clock.local_day(due_ts))
            due_ts, due_day = due
            if rand() < 0.08 and due_day + 1 < today:
                # back late: within 44 days after the due day (and by today), in desk hours
                back_day = due_day + 1 + int(rand() * min(44, today - due_day - 1))
                late = 1
            else:  # back in time: any day from the loan to the due day (and by today)
                back_day = day + int(rand() * ((due_day if due_day < today else today) - day + 1))
                late = 0
            returned = midnight(back_day) + _OPEN_FROM + int(rand() * open_span)
            if returned <= out_ts:  # back the day it went out
                returned = out_ts + 600 + int(rand() * 3600)
            if returned > latest:
                returned = latest - int(rand() * 3600)
            busy[position] = returned + 3600
            by_reader[reader].append((returned, copies[position], out_ts, due_ts, late))
    days_text, hms, day0 = clock.days, clock.hms, clock.day0
    item_base, clerk = plan.item_base, plan.clerk_id
    due_text: dict[int, str] = {}
    out = sink.rows(Loan._meta.table_name, _columns(LOAN_FIELDS))
    put = out.flat.extend
    late_returns: list[tuple[int, int, int, int, int]] = []
    loan_id = plan.first_id
    for position, loans in enumerate(by_reader):
        if not loans:
            continue
        if len(loans) > 1:
            loans.sort()
        reader = plan.first_reader + position
        patron = plan.patron_base + reader
        for returned, item, out_ts, due_ts, late in loans:
            text = due_text.get(due_ts)
            if text is None:
                text = due_text[due_ts] = clock.text(due_ts)
            # one loan in twenty was renewed once (chosen by the return time: no extra draw)
            put((loan_id, item_base + item, patron, days_text[out_ts // _DAY - day0] + hms[out_ts % _DAY], text,
                 days_text[returned // _DAY - day0] + hms[returned % _DAY], 1 if returned % 20 == 0 else 0,
                 clerk, clerk))
            if late:
                late_returns.append((loan_id, reader, item, due_ts, returned))
            loan_id += 1
        out.maybe_flush()
    out.flush(final=True)
    return out.written, late_returns


@dataclass
class _CopiesPlan:
    count: int
    seed: str
    item_title: list[int]
    item_kind: list[int]
    item_acquired: list[int]  # day ordinals
    item_status: list[str]
    title_call: list[str]
    title_price: list[int]
    kind_type: list[int]  # kind -> ItemType id
    kind_location: list[str]
    biblio_base: int
    item_base: int


def _copy_barcodes(early: tuple[int, BarcodeRules]) -> list[str]:
    """Early work of the copies: every barcode, by the domain's `library_barcode`."""
    count, rules_ = early
    return _barcode_run(ITEM_PREFIX, 1, count, rules_)


def _copies(plan: _CopiesPlan, sink: _Sink, barcodes: list[str]) -> int:
    """The copies, with their barcodes and the shelf-order keys of `clc_sort_key`."""
    rand = random.Random(plan.seed).random
    sort_keys = [clc_sort_key(number) for number in plan.title_call]
    out = sink.rows(Item._meta.table_name, _columns(ITEM_FIELDS))
    put = out.flat.extend
    sources = ("purchase",) * 8 + ("donation", "exchange")
    day_text = {d: date.fromordinal(d).isoformat() for d in set(plan.item_acquired)}
    item_title, item_kind, item_acquired, item_status = (plan.item_title, plan.item_kind,
                                                         plan.item_acquired, plan.item_status)
    title_call, title_price, kind_type, kind_location = (plan.title_call, plan.title_price,
                                                         plan.kind_type, plan.kind_location)
    base, biblio_base = plan.item_base, plan.biblio_base
    for first in range(0, plan.count, CHUNK):
        for index in range(first, min(first + CHUNK, plan.count)):
            title, kind = item_title[index], item_kind[index]
            put((base + index, barcodes[index], index + 1, biblio_base + title, title_call[title],
                 sort_keys[title], kind_location[kind], kind_type[kind], title_price[title],
                 day_text[item_acquired[index]], sources[int(rand() * 10)], item_status[index], ""))
        out.flush()
    out.flush(final=True)
    return out.written


def _barcode_run(prefix: str, first: int, count: int, rules_: BarcodeRules) -> list[str]:
    return [library_barcode(prefix, number, rules_) for number in range(first, first + count)]


ITEM_FIELDS = (Item.id, Item.barcode, Item.accession_number, Item.biblio, Item.call_number, Item.call_sort,
               Item.location, Item.item_type, Item.price, Item.acquired_on, Item.source, Item.status,
               Item.condition)
LOAN_FIELDS = (Loan.id, Loan.item, Loan.patron, Loan.out_at, Loan.due_at, Loan.returned_at, Loan.renewals,
               Loan.staff_out, Loan.staff_in)

_JOBS.update(copies=_copies, past_loans=_past_loans)
_EARLY.update(copies=_copy_barcodes)


# ---- the build ---------------------------------------------------------------------------

class _Builder:
    """One build: first a plan of who and what (cheap), then the rows, table by table.

    Days are ordinals and times integer seconds until they are written.
    """

    def __init__(self, scale: Scale, now: datetime, seed: int, clerk_id: int, say: Callable[[str], None],
                 helpers: _Helpers):
        self.scale, self.now, self.seed, self.clerk_id, self.say = scale, now, seed, clerk_id, say
        self.helpers = helpers
        self.rng = random.Random(f"{seed}:plan")
        self.rand = self.rng.random
        self.tz = library_settings.settings().timezone
        self.now_ts = _Clock.seconds(now)
        self.today = local_date(now, self.tz).toordinal()
        self.clock = _Clock(self.tz, self.today)
        self.counts: dict[str, int] = {}

    def _below(self, n: int) -> int:
        return int(self.rand() * n)

    def _choice(self, seq: Sequence):
        return seq[int(self.rand() * len(seq))]

    def _table(self, model: type[peewee.Model], fields: Sequence[peewee.Field]) -> _Rows:
        return _Rows(self.cursor, model._meta.table_name, _columns(fields), db.database.param)

    def build(self) -> dict[str, int]:
        self.cursor = self.helpers.cursor = db.database.cursor()
        # The barcodes need only their number: a helper can start on them at once.
        copies = self.helpers.start("copies", (self.scale.copies, library_settings.settings().barcodes), niceness=1)
        for model in BULK_MODELS:
            model._schema.drop_indexes()
        self.say("calendar")
        self._calendar()
        self._rules()
        self.say("plan")
        self._plan_titles()
        self._plan_readers()
        self._plan_copies()
        self._plan_open_loans()
        self.biblio_base, self.patron_base = _next_id(Biblio), _next_id(Patron)
        self.item_base, self.loan_base = _next_id(Item), _next_id(Loan)
        copies.provide(self._copies_plan())
        past_loans = [self.helpers.start("past_loans", niceness=8).provide(plan) for plan in self._past_loan_plans()]
        self.rng = random.Random(f"{self.seed}:text")  # the words come from a stream of their own
        self.rand = self.rng.random
        self.say("readers")
        self._readers()
        self.say("titles")
        self._titles()
        # Complete tables are indexed while the helpers may still be at work.
        self.say("indexes")
        for model in (Biblio, Patron, CardEvent):
            model._schema.create_indexes()
        self.say("copies")
        self.counts["copies"] = copies.result()
        Item._schema.create_indexes()
        self._accessions()
        self.say("loans")
        self._open_loans()
        self.late_returns = []
        self.counts["past_loans"] = 0
        for share in past_loans:
            written, late = share.result()
            self.counts["past_loans"] += written
            self.late_returns.extend(late)
        self.say("fees")
        self._fees()
        self.say("loan indexes")
        for model in (Loan, Fee):
            model._schema.create_indexes()
        self._finish()
        return self.counts

    def _accessions(self) -> None:
        """The accession register: one line per copy, its number, day, source and price (one statement)."""
        self.say("accessions")
        at = "acquired_on || ' 01:00:00'" if db.is_sqlite() else "acquired_on + TIME '01:00'"
        Accession._schema.drop_indexes()  # built once from all the rows, like the bulk tables'
        self.cursor.execute(
            'INSERT INTO "accession" ("number", "item_id", "received_on", "source", "price", "at", "staff_id") '
            f'SELECT "accession_number", "id", "acquired_on", "source", COALESCE("price", 0), {at}, '
            f'{db.database.param} FROM "item" WHERE "id" >= {db.database.param}', (self.clerk_id, self.item_base))
        Accession._schema.create_indexes()
        self.counts["accessions"] = self.counts["copies"]
        # the last two months' copies were catalogued on the day they came: the new-books
        # bulletin and the processing statistics have something to show
        since = date.fromordinal(self.today - 60).isoformat()
        self.cursor.execute(
            f'UPDATE "item" SET "catalogued_at" = {at}, "catalogued_by_id" = {db.database.param} '
            f'WHERE "acquired_on" >= {db.database.param} AND "id" >= {db.database.param}',
            (self.clerk_id, since, self.item_base))

    # ---- calendar and rules ----------------------------------------------------------------
    def _calendar(self) -> None:
        first, last = self.today - 365, self.today + 365
        closed: dict[int, str] = {d: "Sunday" for d in range(first, last + 1) if d % 7 == 0}  # ordinal % 7 == 0: Sunday
        for year in range(date.fromordinal(first).year, date.fromordinal(last).year + 1):
            for (month, mday), reason in FIXED_HOLIDAYS:
                closed[date(year, month, mday).toordinal()] = reason
            if year in SPRING_FESTIVAL:
                for offset in range(3):
                    closed[SPRING_FESTIVAL[year].toordinal() + offset] = "春节 Spring Festival"
        closed = {d: reason for d, reason in closed.items() if first <= d <= last}
        existing = {d.toordinal() for (d,) in ClosedDay.select(ClosedDay.day).tuples()}
        table = self._table(ClosedDay, (ClosedDay.day, ClosedDay.reason))
        for d, reason in sorted(closed.items()):
            if d not in existing:
                table.add(date.fromordinal(d).isoformat(), reason)
        table.flush(final=True)
        self.closed_days = frozenset(closed) | existing
        self.due_of = _DueDates(self.clock, frozenset(date.fromordinal(d) for d in self.closed_days))
        # Loans are made on open days; before the calendar starts, Sundays are closed too.
        self.open_days = [d for d in range(self.today - 730, self.today) if d % 7 and d not in self.closed_days]
        self.counts["closed_days"] = table.written

    def _rules(self) -> None:
        self.categories = {c.code: c for c in PatronCategory.select()}
        self.types = {t.code: t for t in ItemType.select()}
        added = 0
        for category, item_type, fields in EXTRA_RULES:
            cat_id = self.categories[category].id if category else None
            type_id = self.types[item_type].id
            query = CirculationRule.select().where(
                (CirculationRule.category.is_null() if cat_id is None else CirculationRule.category == cat_id)
                & (CirculationRule.item_type == type_id) & CirculationRule.location.is_null())
            if not query.exists():
                CirculationRule.create(category=cat_id, item_type=type_id, **fields)
                added += 1
        self.counts["rules_added"] = added
        # Readers come in categories and copies in kinds (item type x location); the rule
        # of each pair is looked up once, through the rules service.
        self.category_codes = [code for code, _ in CATEGORY_WEIGHTS]
        self.kinds: list[tuple[str, str]] = []
        for code, _ in TYPE_WEIGHTS:
            locations = [TYPE_LOCATION[code]] if code in TYPE_LOCATION else [loc for loc, _ in BOOK_LOCATIONS]
            self.kinds.extend((code, location) for location in locations)
        self.kind_index = {kind: i for i, kind in enumerate(self.kinds)}
        self.pair_rule: list[CirculationRule] = []  # index: category * len(kinds) + kind
        for code in self.category_codes:
            for type_code, location in self.kinds:
                self.pair_rule.append(rules.rule_for(self.categories[code].id, self.types[type_code].id, location))
        self.pair_days = [rule.loan_days for rule in self.pair_rule]
        self.kind_loanable = [self.types[type_code].loanable for type_code, _ in self.kinds]

    # ---- the plan --------------------------------------------------------------------------
    def _plan_titles(self) -> None:
        """Each title's type, language, class and call number, year, price, ISBN or ISSN."""
        rand, below = self.rand, self._below
        n = self.scale.titles
        type_codes = [code for code, _ in TYPE_WEIGHTS]
        type_cum = _cumulative(w for _, w in TYPE_WEIGHTS)
        cls_cum = _cumulative(entry[1] for entry in CLASSES)
        expovariate = self.rng.expovariate
        latest_year = date.fromordinal(self.today).year - 1
        prices = {"book": (15, 75), "reference": (80, 320), "av": (20, 60), "periodical": (30, 130)}
        running: dict[str, int] = {}
        isbn_seq: dict[str, int] = {}
        self.title_type: list[str] = []
        self.title_chinese: list[bool] = []
        self.title_class: list[int] = []  # index into CLASSES, or -1 - journal for a periodical
        self.title_call: list[str] = []
        self.title_year: list[int] = []
        self.title_price: list[int] = []
        self.title_publisher: list[str] = []
        self.title_isbn: list[str | None] = []  # first twelve digits; the check digit comes later
        for _ in range(n):
            kind = type_codes[bisect(type_cum, rand() * type_cum[-1])]
            chinese = rand() < 0.62
            year = latest_year - min(int(expovariate(1 / 9)), 45)
            if kind == "periodical":
                journal = below(len(JOURNALS))
                name, cls, lang = JOURNALS[journal]
                chinese, class_index = lang == "chi", -1 - journal
                publisher, isbn_ = (name if chinese else ""), None
            else:
                class_index = bisect(cls_cum, rand() * cls_cum[-1])
                cls, _, zh_topics, en_topics, zh_works, en_works = CLASSES[class_index]
                if chinese and not (zh_topics or zh_works):
                    chinese = False
                elif not chinese and not (en_topics or en_works):
                    chinese = True
                publisher, isbn_ = self._isbn_payload(PUBLISHERS_ZH if chinese else PUBLISHERS_EN, isbn_seq)
            low, span = prices[kind]
            price = (low + below(span)) * 100 + (0, 0, 50, 80, 90)[below(5)]
            if not chinese:
                price = price * 2 + 900
            running[cls] = number = running.get(cls, 0) + 1
            self.title_type.append(kind)
            self.title_chinese.append(chinese)
            self.title_class.append(class_index)
            self.title_call.append(f"{cls}/{number}")
            self.title_year.append(year)
            self.title_price.append(price)
            self.title_publisher.append(publisher)
            self.title_isbn.append(isbn_)

    def _isbn_payload(self, publishers, seq: dict[str, int]) -> tuple[str, str]:
        """A publisher and the first twelve digits of the next unused ISBN-13 in its range."""
        start = self._below(len(publishers))
        for step in range(len(publishers)):
            name, prefix = publishers[(start + step) % len(publishers)]
            width = 12 - len(prefix)
            number = seq.get(prefix, 0) + 1
            if number < 10 ** width:
                seq[prefix] = number
                return name, prefix + str(number).zfill(width)
        raise ValueError("The demo's publishers have run out of ISBNs.")

    def _plan_readers(self) -> None:
        """Each reader's category, card expiry and status."""
        rand, below = self.rand, self._below
        cat_cum = _cumulative(w for _, w in CATEGORY_WEIGHTS)
        self.reader_category: list[int] = []  # index into category_codes
        self.reader_expires: list[int] = []
        self.reader_status: list[str] = []
        for _ in range(self.scale.readers):
            cat = bisect(cat_cum, rand() * cat_cum[-1])
            years = self.categories[self.category_codes[cat]].card_years
            if rand() < 0.03:
                expires = self.today - 1 - below(300)
            else:
                expires = self.today + 20 + below(365 * years - 20)
            roll = rand()
            status = "blocked" if roll < 0.01 else "card lost" if roll < 0.013 else "active"
            self.reader_category.append(cat)
            self.reader_expires.append(expires)
            self.reader_status.append(status)

    def _plan_copies(self) -> None:
        """Each copy's title, kind (type and location), acquisition day and status."""
        rand = self.rand
        titles, title_type = self.scale.titles, self.title_type
        per_title = [1] * titles
        for _ in range(self.scale.copies - titles):
            t = int(rand() * titles)
            if title_type[t] != "book":  # popular books get the extra copies
                t = int(rand() * titles)
            per_title[t] += 1
        loc_cum = _cumulative(w for _, w in BOOK_LOCATIONS)
        loc_total = loc_cum[-1]
        book_kinds = [self.kind_index[("book", location)] for location, _ in BOOK_LOCATIONS]
        fixed_kind = {code: self.kind_index[(code, location)] for code, location in TYPE_LOCATION.items()}
        earliest, latest = self.today - 15 * 365, self.today - 7
        first_day = {year: max(date(year, 1, 1).toordinal(), earliest) for year in set(self.title_year)}
        self.item_title = item_title = []
        self.item_kind = item_kind = []
        self.item_acquired = item_acquired = []  # day ordinal: no copy is lent before it
        for title, count in enumerate(per_title):
            start = first_day[self.title_year[title]]
            span = max(latest - start, 1)
            fixed = fixed_kind.get(title_type[title])
            for _ in range(count):
                item_title.append(title)
                item_kind.append(book_kinds[bisect(loc_cum, rand() * loc_total)] if fixed is None else fixed)
                item_acquired.append(start + int(rand() * span))
        count = len(item_title)
        self.item_status = ["available"] * count
        for _ in range(count // 250):
            self.item_status[int(rand() * count)] = ItemStatus.IN_REPAIR.value
            self.item_status[int(rand() * count)] = ItemStatus.MISSING.value

    def _plan_open_loans(self) -> None:
        """The copies on loan now, to whom, since when; the first `overdue_loans` are overdue."""
        below, clock, today, due_of = self._below, self.clock, self.today, self.due_of
        count, wanted, kinds = len(self.item_title), self.scale.open_loans, len(self.kinds)
        lent_since = today - 240  # copies on loan now were acquired well before
        chosen: list[int] = []
        taken: set[int] = set()
        for _attempt in range(50 * (wanted + 10)):
            if len(chosen) == wanted:
                break
            item = below(count)
            if (item not in taken and self.kind_loanable[self.item_kind[item]]
                    and self.item_status[item] == "available" and self.item_acquired[item] < lent_since):
                taken.add(item)
                chosen.append(item)
                self.item_status[item] = ItemStatus.CHECKED_OUT.value
        if len(chosen) < wanted:
            raise ValueError("Not enough loanable copies for the open loans of this scale.")
        self.open_items = taken
        readers = [r for r in range(self.scale.readers)
                   if self.reader_status[r] == "active" and self.reader_expires[r] >= today]
        readers = readers or list(range(self.scale.readers))
        limits = [self.categories[code].loan_limit for code in self.category_codes]
        out_count = [0] * self.scale.readers
        today_ends = clock.end_of_day(today)
        recent: dict[int, list[int]] = {}
        self.open_loans: list[tuple[int, int, int, int]] = []  # copy, reader, out seconds, due seconds
        for k, item in enumerate(chosen):
            reader = readers[below(len(readers))]
            for _ in range(20):  # keep within the reader's loan limit where possible
                if out_count[reader] < limits[self.reader_category[reader]]:
                    break
                reader = readers[below(len(readers))]
            out_count[reader] += 1
            loan_days = self.pair_days[self.reader_category[reader] * kinds + self.item_kind[item]]
            if k < self.scale.overdue_loans:
                out_day = today - loan_days - 1 - min(int(self.rng.expovariate(1 / 12)), 120)
                while out_day % 7 == 0 or out_day in self.closed_days or due_of(out_day, loan_days) >= today_ends:
                    out_day -= 1
            else:  # lent on an open day recent enough to be due after today
                days = recent.get(loan_days)
                if days is None:
                    days = recent[loan_days] = [d for d in self.open_days[-loan_days:]
                                                if due_of(d, loan_days) >= today_ends] or [today - 1]
                out_day = days[below(len(days))]
            out_ts = clock.local_midnight(out_day) + _OPEN_FROM + below(_OPEN_UNTIL - _OPEN_FROM)
            self.open_loans.append((item, reader, out_ts, due_of(out_day, loan_days)))

    def _copies_plan(self) -> _CopiesPlan:
        return _CopiesPlan(
            count=len(self.item_title), seed=f"{self.seed}:copies",
            item_title=self.item_title, item_kind=self.item_kind, item_acquired=self.item_acquired,
            item_status=self.item_status, title_call=self.title_call, title_price=self.title_price,
            kind_type=[self.types[code].id for code, _ in self.kinds],
            kind_location=[location for _, location in self.kinds],
            biblio_base=self.biblio_base, item_base=self.item_base)

    def _past_loan_plans(self) -> list[_PastLoanPlan]:
        """Two shares of the past loans (half the readers, half the copies each), made apart."""
        kinds = len(self.kinds)
        lendable = [i for i, kind in enumerate(self.item_kind)
                    if self.kind_loanable[kind] and i not in self.open_items]
        readers, half = self.scale.readers, self.scale.readers // 2
        shares = [(lendable[0::2], 0, half, self.scale.past_loans // 2),
                  (lendable[1::2], half, readers, self.scale.past_loans - self.scale.past_loans // 2)]
        if half == 0:  # a single reader takes every loan
            shares = [(lendable, 0, readers, self.scale.past_loans)]
        first_id = self.loan_base + len(self.open_loans)
        closed = sorted(self.closed_days)
        plans = []
        for n, (copies, first_reader, end_reader, count) in enumerate(shares):
            plans.append(_PastLoanPlan(
                seed=f"{self.seed}:loans:{n}", count=count, tz=self.tz.key, today=self.today,
                now_ts=self.now_ts, closed=closed, open_days=self.open_days, copies=copies,
                copy_kind=[self.item_kind[i] for i in copies],
                copy_acquired=[self.item_acquired[i] for i in copies], first_reader=first_reader,
                reader_pair=[category * kinds for category in self.reader_category[first_reader:end_reader]],
                pair_days=self.pair_days, first_id=first_id,
                item_base=self.item_base, patron_base=self.patron_base, clerk_id=self.clerk_id))
            first_id += count  # a skipped loan leaves a gap in the ids, nothing else
        return plans

    # ---- titles ----------------------------------------------------------------------------
    def _word_pools(self) -> None:
        """Names and author statements drawn once; titles and readers pick from them."""
        size = min(6000, 100 + self.scale.titles + self.scale.readers)
        self.zh_names = [self._chinese_name() for _ in range(size)]
        self.en_names = [f"{self._choice(EN_FIRST)} {self._choice(EN_LAST)}" for _ in range(size // 2)]
        self.zh_authors = []
        for _ in range(size):
            role = self._choice(ZH_AUTHOR_ROLES)
            name = self._chinese_name()
            if role == "编著" and self.rand() < 0.5:
                name += "，" + self._chinese_name()
            self.zh_authors.append(f"{name} {role}")
        self.en_authors = [self._choice(self.en_names) if self.rand() < 0.8 else
                           f"{self._choice(self.en_names)} and {self._choice(self.en_names)}" for _ in range(size // 2)]

    def _chinese_name(self) -> str:
        rand = self.rand
        if rand() < 0.01:
            surname = self._choice(ZH_DOUBLE_SURNAMES)
        else:  # the common surnames are at the front of the list
            surname = ZH_SURNAMES[min(int(self.rng.expovariate(1 / 18)), len(ZH_SURNAMES) - 1)]
        given = self._choice(ZH_GIVEN)
        if rand() < 0.7:
            given += self._choice(ZH_GIVEN)
        return surname + given

    def _title_words(self, kind: str, chinese: bool, class_index: int, year: int) -> tuple[str, str]:
        """A title and its subject."""
        choice = self._choice
        if class_index < 0:
            name = JOURNALS[-1 - class_index][0]
            return (f"{name} {year}年合订本" if chinese else f"{name}, vol. {year - 1900} ({year})"), name
        _, _, zh_topics, en_topics, zh_works, en_works = CLASSES[class_index]
        topics, works = (zh_topics, zh_works) if chinese else (en_topics, en_works)
        if kind == "reference":
            subject = choice(topics or works)
            if chinese:
                return subject + choice(ZH_REFERENCE_FORMS), subject
            return choice(EN_REFERENCE_FORMS).format(subject), subject
        if works and (not topics or self.rand() < 0.5):
            subject = choice(works)
            title = subject + choice(ZH_WORK_FORMS) if chinese else choice(EN_WORK_FORMS).format(subject)
        else:
            subject = choice(topics)
            title = subject + choice(ZH_TOPIC_FORMS) if chinese else choice(EN_TOPIC_FORMS).format(subject)
        if kind == "av":
            title += "（DVD）" if chinese else " [DVD]"
        return title, subject

    def _titles(self) -> None:
        rand, below, choice, text = self.rand, self._below, self._choice, self.clock.text
        journal_issn = [self._issn(i) for i in range(len(JOURNALS))]
        created_from, created_span = self.now_ts - 6 * 365 * _DAY, 6 * 365 * _DAY - _DAY
        base = self.biblio_base
        table = self._table(Biblio, (Biblio.id, Biblio.title, Biblio.author, Biblio.edition, Biblio.publisher,
                                     Biblio.year, Biblio.isbn, Biblio.issn, Biblio.language,
                                     Biblio.classification, Biblio.subjects, Biblio.created_at))
        self.title_text: list[str] = []
        for index in range(self.scale.titles):
            kind, chinese, class_index = self.title_type[index], self.title_chinese[index], self.title_class[index]
            year = self.title_year[index]
            title, subject = self._title_words(kind, chinese, class_index, year)
            if class_index < 0:
                author, edition, issn_, cls = "", "", journal_issn[-1 - class_index], JOURNALS[-1 - class_index][1]
            else:
                author = choice(self.zh_authors if chinese else self.en_authors)
                edition = "" if rand() >= 0.12 else choice(ZH_EDITIONS if chinese else EN_EDITIONS)
                issn_, cls = None, CLASSES[class_index][0]
            payload = self.title_isbn[index]  # the check digit comes from python-stdnum
            isbn_ = payload + ean.calc_check_digit(payload) if payload else None
            table.add(base + index, title, author, edition, self.title_publisher[index], year,
                      isbn_, issn_, "chi" if chinese else "eng", cls, subject,
                      text(created_from + below(created_span)))
            self.title_text.append(title)
            table.maybe_flush()
        table.flush(final=True)
        self.counts["titles"] = table.written

    @staticmethod
    def _issn(index: int) -> str:
        payload = f"{1000 + index * 37:04d}{index * 113 % 1000:03d}"
        return payload + issn.calc_check_digit(payload)

    # ---- readers ---------------------------------------------------------------------------
    def _readers(self) -> None:
        self._word_pools()
        rand, below, choice, text = self.rand, self._below, self._choice, self.clock.text
        n = self.scale.readers
        cards = _barcode_run(CARD_PREFIX, 1, n, library_settings.settings().barcodes)
        table = self._table(Patron, (Patron.id, Patron.card, Patron.name, Patron.category, Patron.department,
                                     Patron.id_number, Patron.phone, Patron.email, Patron.expires_on,
                                     Patron.status, Patron.block_reason, Patron.notes, Patron.created_at))
        events = self._table(CardEvent, (CardEvent.patron, CardEvent.kind, CardEvent.card, CardEvent.at,
                                         CardEvent.staff, CardEvent.fee, CardEvent.expires_on, CardEvent.note))
        ids_used: set[str] = set()
        this_year = date.fromordinal(self.today).year
        base = self.patron_base
        for index in range(n):
            number = index + 1
            code = self.category_codes[self.reader_category[index]]
            english = rand() < (0.12 if code == "student" else 0.2)
            name = choice(self.en_names) if english else choice(self.zh_names)
            if code == "student":
                enrolled = this_year - below(4)
                department = (f"International Programme {enrolled}" if english else
                              f"{choice(MAJORS)} {enrolled}级{1 + below(4)}班")
                id_number = f"{enrolled}{number:08d}"
            elif code == "teacher":
                department = choice(FACULTIES_EN if english else FACULTIES_ZH)
                id_number = f"T{number:08d}"
            elif code == "staff":
                department = choice(OFFICES)
                id_number = f"E{number:08d}"
            else:
                department = choice(EXTERNAL_GROUPS)
                id_number = self._identity_card(ids_used)
            status = self.reader_status[index]
            email = (f"{name.lower().replace(' ', '.')}{number}@example.edu" if english
                     else f"r{number:06d}@example.edu.cn")
            expires = date.fromordinal(self.reader_expires[index]).isoformat()
            created = text(self.now_ts - (800 + below(1200)) * _DAY)
            table.add(base + index, cards[index], name, self.categories[code].id, department, id_number,
                      f"1{choice('3578')}{below(10**9):09d}", email, expires, status,
                      choice(BLOCK_REASONS) if status == "blocked" else "", "", created)
            # the card's history: issued when the reader joined (with the expiry it has now)
            events.add(base + index, "issued", cards[index], created, self.clerk_id, 0, expires, "")
            if status == "card lost":
                events.add(base + index, "reported lost", cards[index], text(self.now_ts - (1 + below(90)) * _DAY),
                           self.clerk_id, 0, None, "")
            if len(table.flat) >= CHUNK * table.width:
                table.flush(final=True)  # the readers first: their events refer to them
                events.flush(final=True)
        table.flush(final=True)
        events.flush(final=True)
        self.counts["readers"] = table.written
        self.counts["card_events"] = events.written

    def _identity_card(self, used: set[str]) -> str:
        """A resident identity card number with a valid check digit (python-stdnum)."""
        while True:
            born = date(1950, 1, 1) + timedelta(days=self._below(55 * 365))
            payload = f"{self._choice(REGIONS)}{born:%Y%m%d}{self._below(1000):03d}"
            number = payload + ric.calc_check_digit(payload + "0")
            if number not in used:
                used.add(number)
                return number

    # ---- loans -----------------------------------------------------------------------------
    def _open_loans(self) -> None:
        text = self.clock.text
        table = self._table(Loan, LOAN_FIELDS)
        for n, (item, reader, out_ts, due_ts) in enumerate(self.open_loans):
            table.add(self.loan_base + n, self.item_base + item, self.patron_base + reader, text(out_ts),
                      text(due_ts), None, 0, self.clerk_id, None)
        table.flush(final=True)
        self.counts["open_loans"] = table.written
        self.counts["overdue_loans"] = sum(1 for *_, due_ts in self.open_loans if due_ts < self.now_ts)

    # ---- fees ------------------------------------------------------------------------------
    def _fees(self) -> None:
        """Overdue fines of late returns; most were paid within days, some are still owed."""
        rand, clock, text = self.rand, self.clock, self.clock.text
        kinds = len(self.kinds)
        table = self._table(Fee, (Fee.patron, Fee.loan, Fee.kind, Fee.amount, Fee.at, Fee.staff, Fee.note))
        policies = [rules.fine_policy(rule) for rule in self.pair_rule]
        policy_number = {policy: n for n, policy in enumerate(dict.fromkeys(policies))}
        pair_policy = [policy_number[policy] for policy in policies]  # equal policies, one number
        closed = sorted(self.closed_days)
        fines: dict[tuple, int] = {}
        charged = paid = 0
        for loan_id, reader, item, due_ts, returned in self.late_returns:
            pair = self.reader_category[reader] * kinds + self.item_kind[item]
            policy = policies[pair]
            due, back = clock.local_day(due_ts), clock.local_day(returned)
            price = self.title_price[self.item_title[item]]
            capped_by_price = policy.cap_at_price and (policy.cap is None or price < policy.cap)
            # The fine depends on the dates only through the days late and the closed days
            # among them, so one reckoning by the domain serves every return alike
            # (tests/test_demo.py recomputes every fee from its loan to hold this to account).
            first, last = bisect(closed, due), bisect(closed, back)
            key = (pair_policy[pair], back - due, last - first, price if capped_by_price else 0)
            amount = fines.get(key)
            if amount is None:
                between = [date.fromordinal(d) for d in closed[first:last]]
                amount = fines[key] = overdue_fine(date.fromordinal(due), date.fromordinal(back), policy,
                                                   between, price=price).amount
            if amount <= 0:
                continue
            patron = self.patron_base + reader
            title = self.title_text[self.item_title[item]]
            table.add(patron, loan_id, "overdue", amount, text(returned), self.clerk_id,
                      f"{back - due} days late: {title}"[:250])
            charged += 1
            if rand() < 0.8:  # paid within days (and by now)
                at = returned + int(rand() * max(0, min(12 * _DAY, self.now_ts - 60 - returned)))
                table.add(patron, None, "payment", -amount, text(at), self.clerk_id, "Paid at the desk")
                paid += 1
            table.maybe_flush()
        table.flush(final=True)
        self.counts["fees_charged"] = charged
        self.counts["payments"] = paid

    # ---- numbering and sequences -----------------------------------------------------------
    def _finish(self) -> None:
        copies = len(self.item_title)
        for name, last in ((SERIES_CARD, self.scale.readers), (SERIES_ITEM, copies),
                           (SERIES_ACCESSION, copies)):
            series = NumberSeries.get_or_none(NumberSeries.name == name)
            if series is None:
                NumberSeries.create(name=name, last=last)
            elif series.last < last:
                NumberSeries.update(last=last).where(NumberSeries.id == series.id).execute()
        if not db.is_sqlite():
            # ids were written explicitly: move PostgreSQL's sequences past them
            for model in (Biblio, Patron, Item, Loan):
                table = model._meta.table_name
                db.database.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))")
