"""A demo library: titles, copies, readers, a calendar, rules, loans and fees to try the desk on.

`build_library` fills a freshly created library (schema and standard rows in place)
with made-up but plausible data: Chinese and English titles with valid ISBN-13s and
CLC call numbers, copies with Luhn-checked barcodes, readers with cards, two years of
returned loans, open loans (some overdue), fees paid and unpaid, closed days and a few
circulation rules. The same seed gives the same library.

Why bulk insert and not the services: the large scale (a million copies, two million
loans) is a benchmark fixture that must build in under a minute. Through Peewee's
model layer a row costs tens of microseconds of SQL building (about 55,000 rows a
second with `insert_many`); the DB-API connection's `executemany` inside one
transaction takes well over a million rows a second. So rows are generated as plain
tuples and written with `executemany` in foreign-key order, with explicit ids so that
loans and fees can refer to rows not read back. The SQL is portable (double-quoted
names, the driver's own placeholder); on PostgreSQL the id sequences are moved past
the ids written here. The few rows with rules in them (staff account, circulation
rules, numbering series, the audit event) still go through the models and services.

The invariants the services rely on hold on the result: at most one open loan per
copy, a copy is "checked out" exactly when it has an open loan, loan periods and
fines follow the library's rules and closed days.
"""
from __future__ import annotations

import dataclasses
import json
import random
import subprocess
import sys
import tempfile
from bisect import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import peewee
from stdnum import ean, issn
from stdnum.cn import ric

from counter_tui import db
from counter_tui.domain.barcodes import BarcodeRules, library_barcode
from counter_tui.domain.calendar import due_date, end_of_local_day_utc, local_date, utc_now
from counter_tui.domain.callnumbers import clc_sort_key
from counter_tui.domain.fines import overdue_fine
from counter_tui.domain.item_status import ItemStatus
from counter_tui.models import (Biblio, CirculationRule, ClosedDay, Fee, Item, ItemType, Loan,
                                NumberSeries, Patron, PatronCategory, Staff)
from counter_tui.services import audit, library, rules, staff
from counter_tui.services.errors import Refusal

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-library"
DEMO_FULL_NAME = "Demo Clerk"
DEMO_ROLES = ["circulation", "curator"]

ITEM_PREFIX = "31234"
CARD_PREFIX = "21234"
# NumberSeries rows set to the last number used, so that registration and cataloguing
# go on from there instead of handing out a demo reader's card again.
SERIES_CARD = "patron_card"
SERIES_ITEM = "item_barcode"
SERIES_ACCESSION = "accession_number"

CHUNK = 50_000  # rows per executemany call: bounded memory, progress between calls
# From this many copies on, their barcodes are made by a second Python process while this
# one generates and writes the other rows: `library_barcode` takes about 11 us, which is
# a fifth of the large build when done here, and the machine has two cores.
HELPER_PROCESS_FROM = 200_000


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
        if self.open_loans > self.copies // 2:
            raise ValueError("Lend at most half the copies.")


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


# --------------------------------------------------------------------------------------------


def build_library(scale: Scale, now: datetime | None = None, seed: int = 7,
                  progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Fill a new library (schema and standard rows in place, no titles or readers yet).

    Returns the number of rows written per kind. Raises Refusal when the library
    already has titles, copies or readers: the demo never mixes with real data.
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

    rules_ = library.settings().barcodes
    with _ItemBarcodes(scale.copies, rules_) as item_barcodes, _sqlite_bulk_settings():
        builder = _Builder(scale, now, seed, clerk.id, say, item_barcodes)
        with db.database.atomic():
            counts = builder.build()
            audit.record(clerk, "library.demo", "library", None, now, new=counts)
            say("commit")
    return counts


# Tables loaded in bulk. Their secondary indexes are dropped for the load and built again
# before commit (inside the same transaction, so no other desk ever sees them missing):
# building an index from sorted data is several times faster than updating it row by row,
# and the unique ones still check every row when they are built.
BULK_MODELS = (Biblio, Patron, Item, Loan, Fee)


class _sqlite_bulk_settings:
    """SQLite settings of this connection while it bulk loads, put back afterwards.

    A larger page cache, and foreign keys not checked row by row: every id written
    refers to a row written just before, and tests/test_demo.py runs SQLite's
    foreign_key_check on a built library. The WAL is folded back into the file at the end.
    """

    def __enter__(self):
        self.sqlite = db.is_sqlite()
        if self.sqlite:
            self.cache = db.database.execute_sql("PRAGMA cache_size").fetchone()[0]
            self.foreign_keys = db.database.execute_sql("PRAGMA foreign_keys").fetchone()[0]
            db.database.execute_sql("PRAGMA cache_size = -262144")  # 256 MiB
            db.database.execute_sql("PRAGMA foreign_keys = 0")  # (outside a transaction only)
        return self

    def __exit__(self, *exc):
        if self.sqlite:
            db.database.execute_sql(f"PRAGMA cache_size = {int(self.cache)}")
            db.database.execute_sql(f"PRAGMA foreign_keys = {int(self.foreign_keys)}")
            if exc[0] is None:
                # The whole load went through the WAL: copy it into the database file now
                # and truncate it, rather than leave a WAL as big as the database behind.
                db.database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return False


def _barcode_run(prefix: str, first: int, count: int, rules_: BarcodeRules) -> list[str]:
    return [library_barcode(prefix, number, rules_) for number in range(first, first + count)]


_HELPER = """
import dataclasses, json, sys
from counter_tui.domain.barcodes import BarcodeRules
from counter_tui.services.demo import _barcode_run
job = json.loads(sys.argv[1])
codes = _barcode_run(job["prefix"], job["first"], job["count"], BarcodeRules(**job["rules"]))
sys.stdout.write("\\n".join(codes))
"""


class _ItemBarcodes:
    """The copies' barcodes, from `library_barcode`; made in a second process on big builds.

    The helper is a plain `python -c` child writing to a temporary file (no
    multiprocessing: its spawn re-runs the caller's main script, and fork is unsafe
    under an app's threads). If it fails, the barcodes are made here instead.
    """

    def __init__(self, count: int, rules_: BarcodeRules):
        self.count, self.rules = count, rules_
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "_ItemBarcodes":
        if self.count >= HELPER_PROCESS_FROM:
            job = json.dumps({"prefix": ITEM_PREFIX, "first": 1, "count": self.count,
                              "rules": dataclasses.asdict(self.rules)})
            self.out = tempfile.TemporaryFile()
            try:
                self.proc = subprocess.Popen([sys.executable, "-c", _HELPER, job], stdout=self.out,
                                             stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
            except OSError:
                self.proc = None
        return self

    def result(self) -> list[str]:
        if self.proc is not None and self.proc.wait() == 0:
            self.out.seek(0)
            codes = self.out.read().decode("ascii").split("\n")
            if len(codes) == self.count:
                return codes
        return _barcode_run(ITEM_PREFIX, 1, self.count, self.rules)

    def __exit__(self, *exc):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.out.close()
        return False


def _insert(cursor, model: type[peewee.Model], fields: Sequence[peewee.Field], rows: Iterable[tuple]) -> None:
    names = ", ".join(f'"{f.column_name}"' for f in fields)
    marks = ", ".join([db.database.param] * len(fields))
    cursor.executemany(f'INSERT INTO "{model._meta.table_name}" ({names}) VALUES ({marks})', rows)


def _next_id(model: type[peewee.Model]) -> int:
    return (model.select(peewee.fn.MAX(model.id)).scalar() or 0) + 1


def _cumulative(weights: Iterable[int]) -> list[int]:
    total, out = 0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


class _Clock:
    """Naive-UTC timestamps as integer seconds, written as the strings the database stores."""

    def __init__(self, tz):
        self.tz = tz
        self._hms = [f" {h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
        self._days: dict[int, str] = {}
        self._midnight: dict[int, int] = {}
        self._local: dict[int, int] = {}
        self._eod: dict[int, int] = {}

    @staticmethod
    def seconds(moment: datetime) -> int:
        return int((moment - _EPOCH).total_seconds())

    def text(self, ts: int) -> str:
        day, rest = divmod(ts, _DAY)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = (_EPOCH + timedelta(days=day)).date().isoformat()
        return prefix + self._hms[rest]

    def local_midnight(self, day: int) -> int:
        """Seconds at local midnight starting the day with this ordinal."""
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


class _Builder:
    """One build; dates are day ordinals and times integer seconds until they are written."""

    def __init__(self, scale: Scale, now: datetime, seed: int, clerk_id: int, say: Callable[[str], None],
                 item_barcodes: _ItemBarcodes):
        self.scale, self.now, self.clerk_id, self.say = scale, now, clerk_id, say
        self.item_barcodes = item_barcodes
        self.rng = random.Random(seed)
        self.rand = self.rng.random
        self.tz = library.settings().timezone
        self.clock = _Clock(self.tz)
        self.now_ts = _Clock.seconds(now)
        self.today = local_date(now, self.tz).toordinal()
        self.counts: dict[str, int] = {}
        self._due_cache: dict[tuple[int, int], int] = {}

    def _below(self, n: int) -> int:
        return int(self.rand() * n)

    def _choice(self, seq: Sequence):
        return seq[int(self.rand() * len(seq))]

    def build(self) -> dict[str, int]:
        self.cursor = db.database.cursor()
        for model in BULK_MODELS:
            model._schema.drop_indexes()
        self.say("calendar")
        self._calendar()
        self._rules()
        self.say("titles")
        self._titles()
        self.say("readers")
        self._readers()
        self.say("copies")
        self._plan_copies()
        self._choose_open_loans()
        self._copies()
        self.say("loans")
        self._open_loans()
        self._past_loans()
        self.say("fees")
        self._fees()
        self.say("indexes")
        for model in BULK_MODELS:
            model._schema.create_indexes()
        self._finish()
        return self.counts

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
        rows = [(date.fromordinal(d).isoformat(), reason) for d, reason in sorted(closed.items())
                if d not in existing]
        _insert(self.cursor, ClosedDay, (ClosedDay.day, ClosedDay.reason), rows)
        self.closed_dates = frozenset(date.fromordinal(d) for d in set(closed) | existing)
        # Loans are made on open days; before the calendar starts, Sundays are closed too.
        self.open_days = [d for d in range(self.today - 730, self.today)
                          if d % 7 and d not in closed and d not in existing]
        self.counts["closed_days"] = len(rows)

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
        # Readers come in categories and copies in "kinds" (item type x location); the rule
        # of each pair is looked up once through the rules service.
        self.category_codes = [code for code, _ in CATEGORY_WEIGHTS]
        self.kinds: list[tuple[str, str]] = []  # (item type code, location)
        for code, _ in TYPE_WEIGHTS:
            for location in ([TYPE_LOCATION[code]] if code in TYPE_LOCATION else [l for l, _ in BOOK_LOCATIONS]):
                self.kinds.append((code, location))
        self.kind_index = {kind: i for i, kind in enumerate(self.kinds)}
        self.pair_rule: list[CirculationRule] = []  # index: category * len(kinds) + kind
        for code in self.category_codes:
            for type_code, location in self.kinds:
                self.pair_rule.append(rules.rule_for(self.categories[code].id, self.types[type_code].id, location))
        self.pair_days = [rule.loan_days for rule in self.pair_rule]
        self.kind_loanable = [self.types[type_code].loanable for type_code, _ in self.kinds]

    def _due(self, out_day: int, loan_days: int) -> int:
        """Seconds at the end of the due day of a loan made on `out_day` (closed days skipped)."""
        key = (out_day, loan_days)
        ts = self._due_cache.get(key)
        if ts is None:
            due = due_date(date.fromordinal(out_day), loan_days, self.closed_dates).toordinal()
            ts = self._due_cache[key] = self.clock.end_of_day(due)
        return ts

    # ---- titles ----------------------------------------------------------------------------
    def _titles(self) -> None:
        rand, below, choice, text = self.rand, self._below, self._choice, self.clock.text
        n = self.scale.titles
        cls_cum = _cumulative(entry[1] for entry in CLASSES)
        cls_total = cls_cum[-1]
        type_codes = [code for code, _ in TYPE_WEIGHTS]
        type_cum = _cumulative(w for _, w in TYPE_WEIGHTS)
        running: dict[str, int] = {}
        isbn_seq: dict[str, int] = {}
        journal_issn = {name: self._issn(i) for i, (name, _, _) in enumerate(JOURNALS)}
        created_from, created_span = self.now_ts - 6 * 365 * _DAY, 6 * 365 * _DAY - _DAY
        latest_year = date.fromordinal(self.today).year - 1
        self.title_text: list[str] = []
        self.title_type: list[str] = []
        self.title_call: list[str] = []
        self.title_sort: list[str] = []  # shelf-order keys of the call numbers
        self.title_price: list[int] = []
        self.title_year: list[int] = []
        base = self.biblio_base = _next_id(Biblio)
        fields = (Biblio.id, Biblio.title, Biblio.author, Biblio.edition, Biblio.publisher, Biblio.year,
                  Biblio.isbn, Biblio.issn, Biblio.language, Biblio.classification, Biblio.subjects,
                  Biblio.created_at)
        rows = []
        for index in range(n):
            kind = type_codes[bisect(type_cum, rand() * type_cum[-1])]
            chinese = rand() < 0.62
            year = latest_year - min(int(self.rng.expovariate(1 / 9)), 45)
            edition, isbn_, issn_ = "", None, None
            if kind == "periodical":
                name, cls, lang = choice(JOURNALS)
                chinese = lang == "chi"
                title = f"{name} {year}年合订本" if chinese else f"{name}, vol. {year - 1900} ({year})"
                author, publisher, subject, issn_ = "", name if chinese else "", name, journal_issn[name]
                price = (30 + below(130)) * 100
            else:
                cls, _, zh_topics, en_topics, zh_works, en_works = CLASSES[bisect(cls_cum, rand() * cls_total)]
                if chinese and not (zh_topics or zh_works):
                    chinese = False
                elif not chinese and not (en_topics or en_works):
                    chinese = True
                if chinese:
                    title, subject = self._chinese_title(kind, zh_topics, zh_works)
                    author = self._chinese_author()
                    publisher, isbn_ = self._isbn(PUBLISHERS_ZH, isbn_seq)
                else:
                    title, subject = self._english_title(kind, en_topics, en_works)
                    author = self._english_name() if rand() < 0.8 else (
                        f"{self._english_name()} and {self._english_name()}")
                    publisher, isbn_ = self._isbn(PUBLISHERS_EN, isbn_seq)
                if rand() < 0.12:
                    edition = choice(ZH_EDITIONS if chinese else EN_EDITIONS)
                low, high = {"book": (15, 90), "reference": (80, 400), "av": (20, 80)}[kind]
                price = (low + below(high - low)) * 100 + choice((0, 0, 50, 80, 90))
                if not chinese:
                    price = price * 2 + 900
            running[cls] = number = running.get(cls, 0) + 1
            call_number = f"{cls}/{number}"
            rows.append((base + index, title, author, edition, publisher, year, isbn_, issn_,
                         "chi" if chinese else "eng", cls, subject, text(created_from + below(created_span))))
            self.title_text.append(title)
            self.title_type.append(kind)
            self.title_call.append(call_number)
            self.title_sort.append(clc_sort_key(call_number))
            self.title_price.append(price)
            self.title_year.append(year)
            if len(rows) >= CHUNK:
                _insert(self.cursor, Biblio, fields, rows)
                rows = []
        _insert(self.cursor, Biblio, fields, rows)
        self.counts["titles"] = n

    def _chinese_title(self, kind: str, topics, works) -> tuple[str, str]:
        choice = self._choice
        if kind == "reference":
            subject = choice(topics or works)
            return subject + choice(ZH_REFERENCE_FORMS), subject
        if works and (not topics or self.rand() < 0.5):
            subject = choice(works)
            title = subject + choice(ZH_WORK_FORMS)
        else:
            subject = choice(topics)
            title = subject + choice(ZH_TOPIC_FORMS)
        return (title + "（DVD）" if kind == "av" else title), subject

    def _english_title(self, kind: str, topics, works) -> tuple[str, str]:
        choice = self._choice
        if kind == "reference":
            subject = choice(topics or works)
            return choice(EN_REFERENCE_FORMS).format(subject), subject
        if works and (not topics or self.rand() < 0.5):
            subject = choice(works)
            title = choice(EN_WORK_FORMS).format(subject)
        else:
            subject = choice(topics)
            title = choice(EN_TOPIC_FORMS).format(subject)
        return (title + " [DVD]" if kind == "av" else title), subject

    def _chinese_author(self) -> str:
        role = self._choice(ZH_AUTHOR_ROLES)
        name = self._chinese_name()
        if role == "编著" and self.rand() < 0.5:
            name += "，" + self._chinese_name()
        return f"{name} {role}"

    def _isbn(self, publishers, seq: dict[str, int]) -> tuple[str, str]:
        """A publisher and the next unused ISBN-13 in its range (check digit from python-stdnum)."""
        start = self._below(len(publishers))
        for step in range(len(publishers)):
            name, prefix = publishers[(start + step) % len(publishers)]
            width = 12 - len(prefix)
            number = seq.get(prefix, 0) + 1
            if number < 10 ** width:
                seq[prefix] = number
                payload = prefix + str(number).zfill(width)
                return name, payload + ean.calc_check_digit(payload)
        raise ValueError("The demo's publishers have run out of ISBNs.")

    @staticmethod
    def _issn(index: int) -> str:
        payload = f"{1000 + index * 37:04d}{index * 113 % 1000:03d}"
        return payload + issn.calc_check_digit(payload)

    def _chinese_name(self) -> str:
        rand = self.rand
        if rand() < 0.01:
            surname = self._choice(ZH_DOUBLE_SURNAMES)
        else:  # the common surnames are at the front of the list
            surname = ZH_SURNAMES[min(int(self.rng.expovariate(1 / 18)), len(ZH_SURNAMES) - 1)]
        given = ZH_GIVEN[int(rand() * len(ZH_GIVEN))]
        if rand() < 0.7:
            given += ZH_GIVEN[int(rand() * len(ZH_GIVEN))]
        return surname + given

    def _english_name(self) -> str:
        return f"{self._choice(EN_FIRST)} {self._choice(EN_LAST)}"

    # ---- readers ---------------------------------------------------------------------------
    def _readers(self) -> None:
        rand, below, choice, text = self.rand, self._below, self._choice, self.clock.text
        n = self.scale.readers
        cat_cum = _cumulative(w for _, w in CATEGORY_WEIGHTS)
        cards = _barcode_run(CARD_PREFIX, 1, n, library.settings().barcodes)
        base = self.patron_base = _next_id(Patron)
        fields = (Patron.id, Patron.card, Patron.name, Patron.category, Patron.department,
                  Patron.id_number, Patron.phone, Patron.email, Patron.expires_on, Patron.status,
                  Patron.block_reason, Patron.notes, Patron.created_at)
        self.reader_category: list[int] = []  # index into category_codes
        self.reader_limit: list[int] = []
        self.reader_ok: list[bool] = []  # may borrow today: active and not expired
        ids_used: set[str] = set()
        this_year = date.fromordinal(self.today).year
        rows = []
        for index in range(n):
            number = index + 1
            cat = bisect(cat_cum, rand() * cat_cum[-1])
            code = self.category_codes[cat]
            category = self.categories[code]
            english = rand() < (0.12 if code == "student" else 0.2)
            name = self._english_name() if english else self._chinese_name()
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
            if rand() < 0.03:
                expires = self.today - 1 - below(300)
            else:
                expires = self.today + 20 + below(365 * category.card_years - 20)
            status, reason, roll = "active", "", rand()
            if roll < 0.01:
                status, reason = "blocked", choice(BLOCK_REASONS)
            elif roll < 0.013:
                status = "card lost"
            email = (f"{name.lower().replace(' ', '.')}{number}@example.edu" if english
                     else f"r{number:06d}@example.edu.cn")
            phone = f"1{choice('3578')}{below(10**9):09d}"
            created = self.now_ts - (800 + below(1200)) * _DAY
            rows.append((base + index, cards[index], name, category.id, department, id_number, phone, email,
                         date.fromordinal(expires).isoformat(), status, reason, "", text(created)))
            self.reader_category.append(cat)
            self.reader_limit.append(category.loan_limit)
            self.reader_ok.append(status == "active" and expires >= self.today)
            if len(rows) >= CHUNK:
                _insert(self.cursor, Patron, fields, rows)
                rows = []
        _insert(self.cursor, Patron, fields, rows)
        self.counts["readers"] = n

    def _identity_card(self, used: set[str]) -> str:
        """A resident identity card number with a valid check digit (python-stdnum)."""
        while True:
            born = date(1950, 1, 1) + timedelta(days=self._below(55 * 365))
            payload = f"{self._choice(REGIONS)}{born:%Y%m%d}{self._below(1000):03d}"
            number = payload + ric.calc_check_digit(payload + "0")
            if number not in used:
                used.add(number)
                return number

    # ---- copies ----------------------------------------------------------------------------
    def _plan_copies(self) -> None:
        """Each copy's title, kind and acquisition day, before statuses are settled."""
        rand, below = self.rand, self._below
        titles = self.scale.titles
        per_title = [1] * titles
        for _ in range(self.scale.copies - titles):
            t = int(rand() * titles)
            if self.title_type[t] != "book":  # popular books get the extra copies
                t = int(rand() * titles)
            per_title[t] += 1
        loc_cum = _cumulative(w for _, w in BOOK_LOCATIONS)
        book_kinds = [self.kind_index[("book", location)] for location, _ in BOOK_LOCATIONS]
        fixed_kind = {code: self.kind_index[(code, location)] for code, location in TYPE_LOCATION.items()}
        earliest, latest = self.today - 15 * 365, self.today - 7
        first_day = {year: max(date(year, 1, 1).toordinal(), earliest) for year in set(self.title_year)}
        self.item_title: list[int] = []
        self.item_kind: list[int] = []
        self.item_acquired: list[int] = []  # day ordinal; no copy is lent before it was acquired
        for title, count in enumerate(per_title):
            kind = self.title_type[title]
            start = first_day[self.title_year[title]]
            span = latest - start
            for _ in range(count):
                self.item_title.append(title)
                self.item_kind.append(fixed_kind[kind] if kind in fixed_kind
                                      else book_kinds[bisect(loc_cum, rand() * loc_cum[-1])])
                self.item_acquired.append(start + below(span) if span > 0 else start)
        self.item_status = ["available"] * len(self.item_title)
        for _ in range(len(self.item_title) // 250):
            self.item_status[below(len(self.item_title))] = ItemStatus.IN_REPAIR.value
            self.item_status[below(len(self.item_title))] = ItemStatus.MISSING.value

    def _choose_open_loans(self) -> None:
        count, wanted = len(self.item_title), self.scale.open_loans
        lent_since = self.today - 240  # copies on loan now were acquired well before
        chosen: list[int] = []
        taken: set[int] = set()
        for _attempt in range(50 * (wanted + 10)):
            if len(chosen) == wanted:
                break
            index = self._below(count)
            if (index not in taken and self.kind_loanable[self.item_kind[index]]
                    and self.item_status[index] == "available" and self.item_acquired[index] < lent_since):
                taken.add(index)
                chosen.append(index)
                self.item_status[index] = ItemStatus.CHECKED_OUT.value
        if len(chosen) < wanted:
            raise ValueError("Not enough loanable copies for the open loans of this scale.")
        self.open_items = chosen

    def _copies(self) -> None:
        below = self._below
        count = len(self.item_title)
        barcodes = self.item_barcodes.result()
        base = self.item_base = _next_id(Item)
        fields = (Item.id, Item.barcode, Item.accession_number, Item.biblio, Item.call_number,
                  Item.call_sort, Item.location, Item.item_type, Item.price, Item.acquired_on,
                  Item.source, Item.status, Item.condition)
        kind_rows = [(self.types[code].id, location) for code, location in self.kinds]
        sources = ("purchase",) * 8 + ("donation", "exchange")
        day_text: dict[int, str] = {}
        rows = []
        for index in range(count):
            title = self.item_title[index]
            type_id, location = kind_rows[self.item_kind[index]]
            acquired = self.item_acquired[index]
            acquired_text = day_text.get(acquired)
            if acquired_text is None:
                acquired_text = day_text[acquired] = date.fromordinal(acquired).isoformat()
            rows.append((base + index, barcodes[index], index + 1, self.biblio_base + title,
                         self.title_call[title], self.title_sort[title], location, type_id, self.title_price[title], acquired_text,
                         sources[below(10)], self.item_status[index], ""))
            if len(rows) >= CHUNK:
                _insert(self.cursor, Item, fields, rows)
                rows = []
        _insert(self.cursor, Item, fields, rows)
        self.counts["copies"] = count

    # ---- loans -----------------------------------------------------------------------------
    LOAN_FIELDS = (Loan.id, Loan.item, Loan.patron, Loan.out_at, Loan.due_at, Loan.returned_at,
                   Loan.renewals, Loan.staff_out, Loan.staff_in)

    def _open_loans(self) -> None:
        """Copies on loan now; the first `overdue_loans` of them are past their due date."""
        below, clock, today = self._below, self.clock, self.today
        kinds = len(self.kinds)
        self.loan_base = self.next_loan = _next_id(Loan)
        readers = [r for r in range(self.scale.readers) if self.reader_ok[r]] or list(range(self.scale.readers))
        out_count = [0] * self.scale.readers
        self.open_from: dict[int, int] = {}  # copy -> when its open loan began
        today_ends = clock.end_of_day(today)
        recent: dict[int, list[int]] = {}
        rows = []
        overdue = 0
        for k, item in enumerate(self.open_items):
            reader = readers[below(len(readers))]
            for _ in range(20):  # keep within the reader's loan limit where possible
                if out_count[reader] < self.reader_limit[reader]:
                    break
                reader = readers[below(len(readers))]
            out_count[reader] += 1
            loan_days = self.pair_days[self.reader_category[reader] * kinds + self.item_kind[item]]
            if k < self.scale.overdue_loans:
                out_day = today - loan_days - 1 - min(int(self.rng.expovariate(1 / 12)), 120)
                while out_day % 7 == 0 or date.fromordinal(out_day) in self.closed_dates \
                        or self._due(out_day, loan_days) >= today_ends:
                    out_day -= 1
                overdue += 1
            else:  # lent on an open day recent enough to be due after today
                days = recent.get(loan_days)
                if days is None:
                    days = recent[loan_days] = [d for d in self.open_days[-loan_days:]
                                                if self._due(d, loan_days) >= today_ends] or [today - 1]
                out_day = days[below(len(days))]
            out_ts = clock.local_midnight(out_day) + _OPEN_FROM + below(_OPEN_UNTIL - _OPEN_FROM)
            self.open_from[item] = out_ts
            rows.append((self.next_loan, self.item_base + item, self.patron_base + reader, clock.text(out_ts),
                         clock.text(self._due(out_day, loan_days)), None, 0, self.clerk_id, None))
            self.next_loan += 1
        _insert(self.cursor, Loan, self.LOAN_FIELDS, rows)
        self.counts["open_loans"] = len(rows)
        self.counts["overdue_loans"] = overdue

    def _past_loans(self) -> None:
        """Two years of returned loans, day by day, never two at once on one copy."""
        rand, clock, text = self.rand, self.clock, self.clock.text
        n, readers = self.scale.past_loans, self.scale.readers
        kinds = len(self.kinds)
        lendable = [i for i, kind in enumerate(self.item_kind) if self.kind_loanable[kind]]
        if n and not lendable:
            raise ValueError("The demo has no loanable copies for past loans.")
        lendable_count = len(lendable)
        per_day = [0] * len(self.open_days)
        for _ in range(n):
            per_day[int(rand() * len(self.open_days))] += 1
        free_at = [0] * len(self.item_title)  # seconds when the copy was back from its last loan
        acquired = self.item_acquired
        open_from = self.open_from
        never = 1 << 62
        latest = self.now_ts - 600
        item_kind, reader_category, pair_days = self.item_kind, self.reader_category, self.pair_days
        item_base, patron_base, clerk = self.item_base, self.patron_base, self.clerk_id
        self.late_returns: list[tuple[int, int, int, int, int]] = []  # loan, reader, copy, due, returned
        late_returns = self.late_returns
        loan_id = self.next_loan
        rows = []
        open_span = _OPEN_UNTIL - _OPEN_FROM
        for day, count in zip(self.open_days, per_day):
            if not count:
                continue
            midnight = clock.local_midnight(day) + _OPEN_FROM
            due_by_days: dict[int, int] = {}
            for out_ts in sorted(midnight + int(rand() * open_span) for _ in range(count)):
                reader = int(rand() * readers)
                for _attempt in range(100):
                    item = lendable[int(rand() * lendable_count)]
                    if free_at[item] <= out_ts and acquired[item] < day and open_from.get(item, never) > out_ts + 2 * _DAY:
                        break
                else:
                    continue  # every copy tried was out; skip this loan (vanishingly rare)
                loan_days = pair_days[reader_category[reader] * kinds + item_kind[item]]
                due_ts = due_by_days.get(loan_days)
                if due_ts is None:
                    due_ts = due_by_days[loan_days] = self._due(day, loan_days)
                limit = min(latest, open_from.get(item, never) - _DAY)
                if rand() < 0.08 and due_ts + _DAY < limit:
                    returned = min(due_ts + _DAY + int(rand() * 44 * _DAY), limit)
                    late_returns.append((loan_id, reader, item, due_ts, returned))
                else:
                    returned = out_ts + 3600 + int(rand() * max(1, min(due_ts, limit) - out_ts - 3600))
                free_at[item] = returned + 3600
                rows.append((loan_id, item_base + item, patron_base + reader, text(out_ts), text(due_ts),
                             text(returned), 1 if rand() < 0.05 else 0, clerk, clerk))
                loan_id += 1
                if len(rows) >= CHUNK:
                    _insert(self.cursor, Loan, self.LOAN_FIELDS, rows)
                    rows = []
        _insert(self.cursor, Loan, self.LOAN_FIELDS, rows)
        self.counts["past_loans"] = loan_id - self.next_loan
        self.next_loan = loan_id

    # ---- fees ------------------------------------------------------------------------------
    def _fees(self) -> None:
        """Overdue fines of late returns; most were paid within days, some are still owed."""
        rand, clock, text = self.rand, self.clock, self.clock.text
        kinds = len(self.kinds)
        fields = (Fee.patron, Fee.loan, Fee.kind, Fee.amount, Fee.at, Fee.staff, Fee.note)
        policies = [rules.fine_policy(rule) for rule in self.pair_rule]  # equal policies are equal keys
        closed = sorted(d.toordinal() for d in self.closed_dates)
        fines: dict[tuple, int] = {}
        rows = []
        charged = paid = 0
        for loan_id, reader, item, due_ts, returned in self.late_returns:
            pair = self.reader_category[reader] * kinds + self.item_kind[item]
            due, back = clock.local_day(due_ts), clock.local_day(returned)
            price = self.title_price[self.item_title[item]]
            policy = policies[pair]
            capped_by_price = policy.cap_at_price and (policy.cap is None or price < policy.cap)
            key = (policy, due, back, price if capped_by_price else None)
            amount = fines.get(key)
            if amount is None:
                between = [date.fromordinal(d) for d in closed[bisect(closed, due):bisect(closed, back)]]
                amount = fines[key] = overdue_fine(date.fromordinal(due), date.fromordinal(back), policy,
                                                   between, price=price).amount
            if amount <= 0:
                continue
            patron = self.patron_base + reader
            title = self.title_text[self.item_title[item]]
            rows.append((patron, loan_id, "overdue", amount, text(returned), self.clerk_id,
                         f"{back - due} days late: {title}"[:250]))
            charged += 1
            if rand() < 0.8:
                at = min(returned + int(rand() * 12 * _DAY), self.now_ts - 60)
                rows.append((patron, None, "payment", -amount, text(at), self.clerk_id, "Paid at the desk"))
                paid += 1
            if len(rows) >= CHUNK:
                _insert(self.cursor, Fee, fields, rows)
                rows = []
        _insert(self.cursor, Fee, fields, rows)
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
