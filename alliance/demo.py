"""Demo organisations: the three founding members, fictional samples, their staff, one application.

The founding members are described from the facts reported at the alliance's founding
event (2022-03-25); the sentences are our own. The other organisations are fictional
and say so on their page.
"""

import random
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from alliance import evidence
from alliance.models import (
    ORGANIZATION_KINDS,
    THEME_DEPTHS,
    Organization,
    OrganizationApplication,
    OrganizationRecord,
    OrganizationService,
    OrganizationStaff,
    OrganizationTheme,
)
from core import refdata, search
from core.db import db
from core.demo_pictures import demo_picture, draw_logo
from members.demo import DEMO_ACCOUNTS, create_demo_member, record_demo_accounts
from members.models import Member

FOUNDED_EVENT = datetime(2022, 3, 25, 10, 0, tzinfo=UTC)
FICTIONAL_NOTE = "\n\n※この団体はデモ用の架空の団体です。"
SYNTHETIC_PER_SCALE = 1

ORGANIZATIONS = [
    {
        "slug": "inquiry",
        "name": "Inquiry合同会社 / Idea partners",
        "kind": "company",
        "prefecture": "04",
        "served": ["04", "06", "15"],
        "founded_year": None,
        "accepts_remote": True,
        "summary": "宮城県石巻市・山形県各地・新潟県五泉市で、学校のキャリア教育と企業の人材育成の両方に"
                   "取り組んできました。地域人事部アライアンスネットワークの発起団体です。",
        "description": (
            "高校生のキャリア教育、職場体験に関わる社会人の研修、入社1〜3年目の若手の合同研修、"
            "人事担当者・経営者向けのセミナー、地場産業のイベントづくりまで、"
            "「学校」と「企業」の両側から地域の人づくりに関わってきました。\n\n"
            "実践を重ねるなかで、行政だけ・民間だけでは続かない取り組みを、"
            "両者のあいだで釣り合いを取りながら進める役割が地域に必要だと考えるようになりました。"
            "その役割を地域人事部どうしのネットワークで担うため、アライアンスを呼びかけています。"
        ),
        "themes": [
            ("career-education", "expert", "地元の若手社会人の歩みを物語として聞き、対話する交流型プログラム"),
            ("youth-retention", "strong", "官民合同の若手研修で、会社をこえた「地域同期」をつくる"),
            ("industry-academia", "strong", "高校生が運営に加わる地場産業イベント（新潟県五泉市）"),
            ("public-sector", "experienced", "出前授業や職場体験に関わる自治体職員の研修"),
            ("hr-management", "experienced", "人事担当者・経営者向けの人材活用セミナー"),
        ],
        "services": [
            ("ミライブラリー（交流型キャリア教育）",
             "地元で働く若手社会人をロールモデルに、その人の歩みを一編の物語として紹介し、"
             "高校生と対話しながら将来を考えるプログラムです。"),
            ("仕事の魅力伝え方研修",
             "職場体験・インターンシップ・出前授業に関わる企業の社員や自治体職員向けの実践研修です。"
             "学校教育の今を知り、自分のキャリアを棚卸しして、仕事の魅力を伝える力を磨きます。"),
            ("ルーキーズカレッジ",
             "おおむね入社1〜3年目の若手を対象に、官民合同で行う研修です。キャリアデザインや"
             "コミュニケーション、チームづくりを学び、参加者どうしが「地域同期」としてつながります。"),
            ("人事担当者・経営者セミナー",
             "人材活用の知識とワークを組み合わせたセミナーです。学んだことを行動に移すための"
             "継続的な伴走もご相談ください。"),
        ],
        "records": [
            ("7割以上", "ミライブラリーに参加した高校生のうち「また参加したい」と答えた割合"),
            ("8割以上", "ルーキーズカレッジの参加者のうち「後輩にも勧めたい」と答えた割合"),
            ("3地域", "石巻市・山形県各地・五泉市での実践"),
        ],
        "staff": ("staff@inquiry.demo.ran-hub.jp", "Inquiry スタッフ", "04"),
    },
    {
        "slug": "meguru",
        "name": "NPO法人MEGURU「塩尻の人事部」",
        "kind": "npo",
        "prefecture": "20",
        "served": ["20"],
        "founded_year": None,
        "accepts_remote": True,
        "summary": "長野県塩尻市で、正社員の採用は難しくても専門人材の力を借りたい中小企業や自治体と、"
                   "複業で地域に関わりたいプロフェッショナルをつないでいます。",
        "description": (
            "地域おこし協力隊として移住者と中小企業のマッチングに取り組むなかで見えてきたのは、"
            "「人は欲しいが、正社員として雇うのは難しい」という地元企業の悩みでした。\n\n"
            "そこで、専門的な知識や経験をもつ複業人材と経営者が、現場でのフィールドワークと対話を通じて"
            "出会う仕組みをつくりました。市の最高マーケティング責任者（CMO）・最高人事責任者（CHRO）を"
            "複業人材から公募する取り組みや、首都圏のプロフェッショナルと地域課題を話し合う"
            "オンラインコミュニティも手がけています。\n\n"
            "行政の予算や流行に左右されずに続けるため、行政や金融機関と連携しながら"
            "民間のNPOとして「塩尻の人事部」を運営しています。"
        ),
        "themes": [
            ("side-job-talent", "expert", "中小企業と複業人材のマッチング（3年間で27社51名）"),
            ("public-sector", "strong", "塩尻市のCMO・CHROを複業人材から公募・マッチング"),
            ("migration", "strong", "地域資源を生かしたプロジェクトで関係人口をつくる"),
            ("dialogue", "experienced", "首都圏のプロと地域課題を話し合うオンラインコミュニティ"),
            ("hr-management", "experienced", "経営者との対話から人材の課題を整理する"),
        ],
        "services": [
            ("中小企業への複業人材マッチング",
             "専門性をもつ複業人材と経営者を引き合わせ、フィールドワークと対話を通じて"
             "一緒に取り組むテーマを見つけます。"),
            ("自治体への複業人材マッチング",
             "自治体の専門職ポストを複業人材から公募し、選考から着任後の協働までを支えます。"),
            ("オンラインコミュニティ「塩尻未来会議オンライン」",
             "首都圏のプロフェッショナルを講師に、地方創生や広報などのテーマで語り合う場と、"
             "そのアーカイブを提供しています。"),
            ("関係人口創出プロジェクト",
             "塩尻の地域資源を生かすプロジェクトを募り、複業人材とともに実践します。"),
        ],
        "records": [
            ("27社51名", "3年間で中小企業と複業人材をマッチング"),
            ("100名超", "塩尻市のCMO・CHRO複業公募への応募（うち2名がマッチング）"),
            ("7件", "2年間で採択・実践した関係人口創出プロジェクト"),
        ],
        "staff": ("staff@meguru.demo.ran-hub.jp", "MEGURU スタッフ", "20"),
    },
    {
        "slug": "machi-to-hito-to",
        "name": "一般財団法人まちと人と（石巻人事部）",
        "kind": "general-incorporated-foundation",
        "prefecture": "04",
        "served": ["04"],
        "founded_year": 2022,
        "accepts_remote": False,
        "summary": "宮城県石巻市で、若手社会人が会社の垣根をこえて支え合う「地域同期」づくりと、"
                   "まち全体を学び場にする社会教育に取り組んでいます。",
        "description": (
            "会社の中に若手をフォローする仕組みがない――そんな声から、地域全体で若手を支える"
            "「石巻人事部」が生まれました。企業をこえた同期のつながりをつくり、"
            "若手が活躍できる場を地域に広げています。\n\n"
            "高校生と始めた「いしのまき学校」では、まち全体を学校に見立てた学びの場をつくり、"
            "高校の授業のサポートも行っています。\n\n"
            "「一人ひとりの学びと活躍の場を育むことで、まちが豊かになる仕組みをつくる」ことを使命に、"
            "クラウドファンディングで資金を集めて2022年に財団として歩み始めました。"
        ),
        "themes": [
            ("youth-retention", "expert", "企業をこえた「地域同期」を半年間の連続研修で育てる"),
            ("career-education", "strong", "交流型キャリア教育で、高卒就職者の早期離職を防ぐ"),
            ("dialogue", "strong", "まち全体を学校に見立てた社会教育の場「いしのまき学校」"),
            ("industry-academia", "experienced", "地元高校の授業サポート"),
        ],
        "services": [
            ("石巻地域同期研修",
             "複数の企業の若手が半年間、月に一度同じチームで学び続けるオンラインの連続プログラムです。"
             "スキルよりも仲間づくりと、地域や他社に目を向けることを大切にしています。"),
            ("いしのまき学校",
             "地域の大人と若者が出会い、まち全体を教室にして学ぶ社会教育のプロジェクトです。"),
            ("高校の授業サポート",
             "探究やキャリアの授業に、地域の社会人と一緒に伴走します。"),
        ],
        "records": [
            ("6か月", "月1回・同じチームで学び続ける地域同期研修（オンライン）"),
            ("2022年", "クラウドファンディングで資金を集め、財団として始動"),
        ],
        "staff": ("staff@machi-to-hito-to.demo.ran-hub.jp", "まちと人と スタッフ", "04"),
    },
    {
        "slug": "tokai-tabunka",
        "name": "東海多文化ワークサポート",
        "kind": "general-incorporated-association",
        "prefecture": "23",
        "served": ["23", "21", "24"],
        "founded_year": 2016,
        "accepts_remote": True,
        "summary": "愛知・岐阜・三重で、外国人材を受け入れる中小企業と、働く本人・家族の両方を支えています。",
        "description": (
            "受け入れ前の社内研修から、生活や日本語のサポート、職場での対話の場づくりまで、"
            "外国人材が長く働ける職場づくりに伴走しています。ほかの地域で外国人材の受け入れに"
            "取り組みたい団体からのご相談も歓迎します。" + FICTIONAL_NOTE
        ),
        "themes": [
            ("foreign-workers", "expert", "受け入れ企業への伴走と、本人・家族の生活サポート"),
            ("hr-management", "strong", "多文化の職場に合わせた評価・育成制度の整備"),
            ("dialogue", "experienced", "日本人社員と外国人社員の対話会"),
        ],
        "services": [
            ("受け入れ前の社内研修", "受け入れる職場の社員向けに、文化や言葉の違いを学ぶ研修を行います。"),
            ("生活・日本語サポート", "住まい・行政手続き・日本語学習の相談に、多言語で対応します。"),
            ("多文化職場の対話会", "社員どうしが互いの仕事観を知る対話の場をひらきます。"),
        ],
        "records": [
            ("42社", "伴走した受け入れ企業（2021〜2024年度）"),
            ("9言語", "相談に対応できる言語"),
        ],
        "staff": ("staff@tokai-tabunka.demo.ran-hub.jp", "東海多文化 スタッフ", "23"),
    },
    {
        "slug": "setouchi-senior",
        "name": "瀬戸内シニア活躍ラボ",
        "kind": "npo",
        "prefecture": "33",
        "served": ["33", "34"],
        "founded_year": 2018,
        "accepts_remote": False,
        "summary": "岡山・広島で、経験豊かなシニア人材と、その力を必要とする中小企業をつないでいます。",
        "description": (
            "定年前後のキャリアを考える研修から、シニア人材と企業のマッチング、"
            "シニアが活躍できる社内制度の設計までを支援しています。" + FICTIONAL_NOTE
        ),
        "themes": [
            ("seniors", "expert", "定年前キャリア研修と、シニア人材と企業のマッチング"),
            ("hr-management", "strong", "シニアが活躍できる人事制度の設計支援"),
            ("side-job-talent", "experienced", "シニアの複業・短時間勤務の橋渡し"),
        ],
        "services": [
            ("シニア人材マッチング", "経験を生かしたいシニアと、技術や経営の知恵を求める企業を引き合わせます。"),
            ("定年前キャリア研修", "50代からのキャリアの棚卸しと、次の働き方を考える研修です。"),
            ("「シニア活躍」制度設計", "再雇用や短時間勤務など、シニアが力を発揮できる制度づくりを支えます。"),
        ],
        "records": [
            ("128名", "再就職・複業につながったシニア人材"),
            ("35社", "制度づくりを支援した企業"),
        ],
        "staff": ("staff@setouchi-senior.demo.ran-hub.jp", "瀬戸内シニア スタッフ", "33"),
    },
    {
        "slug": "kyushu-kouin",
        "name": "九州自治体人材アカデミー",
        "kind": "general-incorporated-association",
        "prefecture": "40",
        "served": ["40", "41", "43"],
        "founded_year": 2019,
        "accepts_remote": True,
        "summary": "福岡・佐賀・熊本の自治体職員が、組織をこえて学び合い、現場を変える力を育てる場をつくっています。",
        "description": (
            "庁内の対話の場（オフサイトミーティング）を支える世話人の育成や、民間やNPOでの越境研修、"
            "管理職向けの人材マネジメント講座を行っています。" + FICTIONAL_NOTE
        ),
        "themes": [
            ("public-sector", "expert", "自治体職員の越境研修と世話人の育成"),
            ("cross-sector", "strong", "民間・NPOへの短期派遣（留職）プログラム"),
            ("dialogue", "strong", "庁内のオフサイトミーティングの運営支援"),
        ],
        "services": [
            ("自治体職員の越境研修", "民間企業やNPOで一定期間働き、学んだことを自分の職場に持ち帰る研修です。"),
            ("世話人育成講座", "部署をこえた対話の場をひらく世話人を育て、ネットワークでつなぎます。"),
            ("人材マネジメント講座", "首長・管理職向けに、職員が育つ組織づくりを学ぶ講座です。"),
        ],
        "records": [
            ("18自治体", "研修に職員を派遣した自治体"),
            ("240名", "講座を修了した自治体職員"),
        ],
        "staff": ("staff@kyushu-kouin.demo.ran-hub.jp", "九州自治体アカデミー スタッフ", "40"),
    },
    {
        "slug": "hokkaido-career",
        "name": "北の教室キャリアネット",
        "kind": "npo",
        "prefecture": "01",
        "served": ["01"],
        "founded_year": 2015,
        "accepts_remote": False,
        "summary": "北海道の小・中・高校と地元で働く大人をつなぎ、子どもたちが地域の仕事を知るキャリア教育を届けています。",
        "description": (
            "出前授業のコーディネートや、高校生と地元企業の対話会、教員向けの探究学習研修を行っています。"
            + FICTIONAL_NOTE
        ),
        "themes": [
            ("career-education", "expert", "出前授業と職場体験のコーディネート"),
            ("industry-academia", "strong", "学校と地元企業の連携づくり"),
            ("youth-retention", "experienced", "地元就職した若手のフォローアップ"),
        ],
        "services": [
            ("出前授業コーディネート", "学校の授業に、地元で働く社会人を講師として橋渡しします。"),
            ("高校生と地元企業の対話会", "高校生が地元企業の若手社員と話し、働くことを考える場です。"),
            ("教員向け探究学習研修", "地域を題材にした探究学習の組み立て方を学ぶ研修です。"),
        ],
        "records": [
            ("60校", "授業をコーディネートした小・中・高校"),
            ("300名", "教室に立った地元の社会人"),
        ],
        "staff": ("staff@hokkaido-career.demo.ran-hub.jp", "北の教室 スタッフ", "01"),
    },
    {
        "slug": "shikoku-josei",
        "name": "四国しごと女性ネット",
        "kind": "voluntary-group",
        "prefecture": "37",
        "served": ["37", "38"],
        "founded_year": 2020,
        "accepts_remote": True,
        "summary": "香川・愛媛で、子育て中の女性が柔軟な働き方で力を発揮できるよう、女性と企業の両方を支えています。",
        "description": (
            "短時間勤務や複業のマッチング、柔軟な働き方を取り入れたい企業への相談、"
            "女性リーダーを育てるゼミを行っています。オンラインでの相談は四国の外からも受け付けています。"
            + FICTIONAL_NOTE
        ),
        "themes": [
            ("women", "expert", "子育て中の女性と企業の短時間・複業マッチング"),
            ("side-job-talent", "strong", "リモートでの複業の橋渡し"),
            ("hr-management", "experienced", "柔軟な働き方の導入相談"),
        ],
        "services": [
            ("短時間・複業マッチング", "子育て中の女性と、短時間やリモートで力を借りたい企業をつなぎます。"),
            ("柔軟な働き方の導入相談", "短時間勤務やリモートワークを取り入れたい企業の制度づくりを支えます。"),
            ("女性リーダー育成ゼミ", "働く女性が半年間、仲間と学び合うゼミです。"),
        ],
        "records": [
            ("85名", "柔軟な働き方で就業した女性"),
            ("22社", "短時間勤務やリモートを取り入れた企業"),
        ],
        "staff": ("staff@shikoku-josei.demo.ran-hub.jp", "四国しごと女性ネット スタッフ", "37"),
    },
]

PENDING_APPLICATION = {
    "applicant_email": "suzuki@demo.ran-hub.jp",
    "name": "やまがた高校魅力化コンソーシアム",
    "slug": "yamagata-miryokuka",
    "kind": "general-incorporated-association",
    "prefecture": "06",
    "served_prefectures": ["06"],
    "themes": ["career-education", "industry-academia", "migration"],
    "summary": "山形県内の高校と地域の大人をつなぎ、生徒が地域で学び、いつか戻ってきたくなる高校づくりを進めています。",
    "website": "",
    "contact_email": "info@yamagata-miryokuka.demo.ran-hub.jp",
    "motivation": "高校の探究学習に地元企業を巻き込む方法を、他地域の地域人事部の皆さんと学び合いたいと考えています。"
                  "私たちの経験も、キャリア教育に取り組む団体に共有していきたいです。",
}


def seed(scale: int) -> None:
    """Create the demo organisations with an owner each, and one application waiting for review."""
    if db.session.scalar(sa.select(sa.exists().where(Organization.slug == ORGANIZATIONS[0]["slug"]))):
        _seed_synthetic(scale)
        return
    lines = ["Alliance staff accounts (email / password):"]
    created = []
    for position, data in enumerate(ORGANIZATIONS):
        organization = Organization(
            slug=data["slug"], name=data["name"], kind=data["kind"], prefecture=data["prefecture"],
            summary=data["summary"], description=data["description"], founded_year=data["founded_year"],
            accepts_remote=data["accepts_remote"], website="",
            contact_email=f"contact@{data['slug']}.demo.ran-hub.jp", status="active",
            created_at=FOUNDED_EVENT + timedelta(days=0 if position < 3 else 30 * position),
        )
        organization.served_prefectures = sorted(set(data["served"]) | {data["prefecture"]})
        organization.theme_rows = [OrganizationTheme(theme=t, depth=d, note=n) for t, d, n in data["themes"]]
        organization.services = [
            OrganizationService(position=i, title=title, description=text)
            for i, (title, text) in enumerate(data["services"])
        ]
        organization.records = [
            OrganizationRecord(position=i, value=value, label=label) for i, (value, label) in enumerate(data["records"])
        ]
        db.session.add(organization)
        if position < 6:  # two keep the drawn initial: a page without a logo still looks designed
            organization.logo = demo_picture(draw_logo(position), alt=f"{data['name']}のロゴ")
        created.append(organization)
        email, display_name, prefecture = data["staff"]
        member = db.session.scalar(sa.select(Member).where(Member.email == email))
        if member is None:
            member, password = create_demo_member(
                email, display_name, prefecture, "npo", organization_name=data["name"],
                themes=[t for t, _d, _n in data["themes"]][:3],
            )
            lines.append(f"  {email} / {password} (staff: {data['slug']})")
        db.session.flush()
        db.session.add(OrganizationStaff(organization_id=organization.id, member_id=member.id, role="owner"))
    _seed_pending_application(lines)
    db.session.flush()
    search.index_many([evidence.search_entry(organization) for organization in created])
    if len(lines) > 1:
        record_demo_accounts(lines)
    _seed_synthetic(scale)


def _seed_pending_application(lines: list[str]) -> None:
    """The demo applicant's application; its account is made when missing, never borrowed from a real member."""
    data = dict(PENDING_APPLICATION)
    email = data.pop("applicant_email")
    applicant = db.session.scalar(sa.select(Member).where(Member.email == email))
    if applicant is None:  # the database had members already, so the demo accounts were not created
        _email, name, prefecture, affiliation, organization_name, themes, _admin = next(
            account for account in DEMO_ACCOUNTS if account[0] == email)
        applicant, password = create_demo_member(email, name, prefecture, affiliation,
                                                 organization_name=organization_name, themes=themes)
        db.session.flush()
        lines.append(f"  {email} / {password} (applicant: {data['slug']})")
    db.session.add(OrganizationApplication(applicant_id=applicant.id, status="pending", **data))


def _seed_synthetic(scale: int) -> None:
    """`seed-demo --scale N`: N more organisations spread over the country, for benchmarks."""
    if scale <= 0 or db.session.scalar(sa.select(sa.exists().where(Organization.slug == "sample-00001"))):
        return
    generator = random.Random(20220325)  # noqa: S311 — repeatable sample data, not security  # nosec B311
    codes = [p.code for p in refdata.PREFECTURES]
    themes = [t.slug for t in refdata.THEMES]
    created = []
    for number in range(1, scale * SYNTHETIC_PER_SCALE + 1):
        head = generator.choice(codes)
        organization = Organization(
            slug=f"sample-{number:05d}", name=f"サンプル地域人事部 {number:05d}",
            kind=generator.choice(ORGANIZATION_KINDS), prefecture=head,
            summary=f"{refdata.PREFECTURES_BY_CODE[head].name_ja}で活動するベンチマーク用の架空の団体です。",
            contact_email=f"contact-{number:05d}@sample.demo.ran-hub.jp", status="active",
            accepts_remote=generator.random() < 0.4,
        )
        organization.served_prefectures = sorted({head, *generator.sample(codes, generator.randint(0, 3))})
        organization.theme_rows = [
            OrganizationTheme(theme=slug, depth=generator.choice(THEME_DEPTHS))
            for slug in generator.sample(themes, generator.randint(1, 4))
        ]
        organization.services = [OrganizationService(position=0, title="地域同期研修", description="")]
        organization.records = [OrganizationRecord(position=0, value=f"{generator.randint(3, 90)}社",
                                                   label="伴走した企業")]
        db.session.add(organization)
        created.append(organization)
        if number % 500 == 0:
            db.session.flush()
    db.session.flush()
    search.index_many([evidence.search_entry(organization) for organization in created], fresh=True)
