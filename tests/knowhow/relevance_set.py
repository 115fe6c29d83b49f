"""The relevance set: the demo articles plus a few written to probe the search's edges.

QUERIES: (query, expected slugs) — every visible article that is relevant, nothing else,
judged by the words as a reader understands them (外国人 is in 外国人材, 京都 is not in 東京都,
子ども/こども/子供 are one word, ＤＸ is DX).
"""

EXTRA_ARTICLES = [
    {
        "slug": "rel-foreign-hiring",
        "kind": "case-study",
        "title": "外国人材の採用を始めた部品メーカーの一年",
        "summary": "技能実習を終えた外国人材を正社員として迎えた会社の記録です。",
        "body": "愛知県の部品メーカーでは、技能実習を修了した外国人材を正社員として採用しました。\n\n社内のＩＴ人材も不足しており、業務の手順書を多言語にする作業は地域の支援団体に頼りました。",
        "themes": ["foreign-workers"],
        "prefecture": "23",
    },
    {
        "slug": "rel-tokyo-office",
        "kind": "column",
        "title": "東京都の本社と地方工場をつなぐ",
        "summary": "本社と工場の若手が互いの仕事を知るための交流会を開きました。",
        "body": "東京都内に本社を置く会社が、地方工場の若手と本社の若手をオンラインで結ぶ交流会を始めました。",
        "themes": ["youth-retention"],
        "prefecture": "13",
    },
    {
        "slug": "rel-kodomo",
        "kind": "report",
        "title": "子どもの居場所と地域の大人",
        "summary": "放課後の居場所で、地域の大人が仕事の話をする時間をつくりました。",
        "body": "放課後に集まる小学生と中学生が、地元で働く大人から仕事の話を聞きます。\n\n高学年向けにはｷｬﾘｱ相談の時間も設けました。",
        "themes": ["career-education"],
        "prefecture": "04",
    },
]

QUERIES = [
    # two-character words
    ("外国", {"alliance-founding-day", "foreign-talent-regional-support", "rel-foreign-hiring"}),
    ("研修", {"domestic-secondment-home-care", "facilitator-dispatch-system", "ishinomaki-cohort-online",
              "mane-tomo-network", "municipal-secondment-four-phases", "rookies-college", "telling-work-training"}),
    ("人材", {"alliance-founding-day", "domestic-secondment-home-care", "foreign-talent-regional-support",
              "mane-tomo-network", "municipal-secondment-four-phases", "senior-talent-draft",
              "shiojiri-municipal-cxo", "shiojiri-side-job-matching", "rel-foreign-hiring"}),
    ("留職", {"domestic-secondment-home-care", "municipal-secondment-four-phases"}),
    ("複業", {"shiojiri-municipal-cxo", "shiojiri-side-job-matching"}),
    ("同期", {"ishinomaki-cohort-online", "rookies-college"}),
    ("塩尻", {"alliance-founding-day", "shiojiri-municipal-cxo", "shiojiri-side-job-matching"}),
    ("石巻", {"alliance-founding-day", "domestic-secondment-home-care", "ishinomaki-cohort-online", "mirai-library"}),
    ("対話", {"facilitator-dispatch-system", "mane-tomo-network", "mirai-library", "shiojiri-side-job-matching"}),
    ("派遣", {"domestic-secondment-home-care", "facilitator-dispatch-system", "mane-tomo-network",
              "municipal-secondment-four-phases"}),
    ("高校", {"mirai-library"}),
    ("定着", {"foreign-talent-regional-support", "rookies-college"}),
    ("移住", {"shiojiri-side-job-matching"}),
    # words inside compounds, compounds split differently
    ("外国人材", {"alliance-founding-day", "foreign-talent-regional-support", "rel-foreign-hiring"}),
    ("外国人", {"alliance-founding-day", "foreign-talent-regional-support", "rel-foreign-hiring"}),
    ("人事部", {"alliance-founding-day", "domestic-secondment-home-care", "foreign-talent-regional-support",
                "mirai-library", "shiojiri-side-job-matching"}),
    ("同期研修", {"ishinomaki-cohort-online"}),
    ("世話人", {"facilitator-dispatch-system"}),
    ("派遣制度", {"facilitator-dispatch-system"}),
    ("若手社会人", {"mirai-library", "rookies-college"}),
    ("キャリア教育", {"mirai-library"}),
    ("事後研修", {"domestic-secondment-home-care", "municipal-secondment-four-phases"}),
    ("在宅医療", {"domestic-secondment-home-care"}),
    ("関係人口", {"alliance-founding-day"}),
    ("オンライン化", {"ishinomaki-cohort-online"}),
    ("チームビルディング", {"rookies-college"}),
    ("ジョブトレーナー", {"facilitator-dispatch-system"}),
    ("ミライブラリー", {"mirai-library"}),
    ("東京都", {"rel-tokyo-office"}),
    ("京都", set()),
    # width and kana/kanji variants
    ("ｷｬﾘｱ教育", {"mirai-library"}),
    ("ＤＸ", {"foreign-talent-regional-support", "mane-tomo-network"}),
    ("子供", {"rel-kodomo"}),
    ("こども", {"rel-kodomo"}),
    ("子ども", {"rel-kodomo"}),
    ("キャリア相談", {"rel-kodomo"}),
    ("IT人材", {"rel-foreign-hiring"}),
    # mixed Japanese / English, several words
    ("DX 推進", {"foreign-talent-regional-support", "mane-tomo-network"}),
    ("CMO", {"shiojiri-municipal-cxo"}),
    ("CHRO 複業", {"shiojiri-municipal-cxo"}),
    ("NPO法人", {"alliance-founding-day", "shiojiri-side-job-matching"}),
    ("1on1", {"municipal-secondment-four-phases"}),
    ("石巻 キャリア教育", {"mirai-library"}),
    ("塩尻 マッチング", {"shiojiri-municipal-cxo", "shiojiri-side-job-matching"}),
    ("自治体 留職", {"municipal-secondment-four-phases"}),
]

#: queries that must find the same articles, however the word is written
EQUIVALENT = [("取組", "取り組み"), ("受入れ", "受け入れ"), ("コミュニティー", "コミュニティ")]

#: (query, the article that must come first)
TOP_HIT = [
    ("世話人派遣制度", "facilitator-dispatch-system"),
    ("ミライブラリー", "mirai-library"),
    ("外国人材", "rel-foreign-hiring"),
    ("地域同期研修 オンライン", "ishinomaki-cohort-online"),
    ("留職 4段階", "municipal-secondment-four-phases"),
]
