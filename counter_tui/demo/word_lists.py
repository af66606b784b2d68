"""Word lists the made-up library is written from: classes and subjects, publishers, names, departments, the mix."""
from __future__ import annotations

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
