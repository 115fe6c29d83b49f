"""Demo projects (`seed-demo`): side jobs in 塩尻, a city CHRO 募集, a domestic 留職 in 石巻, a 世話人派遣.

Modelled on what the source articles report (MEGURU's side-job matching in 塩尻 and
the city's CxO recruitment, the first domestic 留職 in 石巻 with its four phases, a
prefectural office's 世話人派遣制度); the hosts are fictional and the text is our own.
A project whose organisation is missing (the alliance demo not loaded) is skipped, as
is an application whose member is missing. Nothing is mailed.
"""

from datetime import timedelta

import sqlalchemy as sa

from alliance.models import Organization, OrganizationStaff
from alliance.projects import evidence, search_index, services
from alliance.projects.models import Programme, ProgrammeNote, Project, ProjectApplication, ProjectSkill
from core.db import db, utcnow
from members.expertise.models import skill_key
from members.models import Member

ADMIN_EMAIL = "admin@demo.ran-hub.jp"

PROJECTS = [
    {
        "organization": "meguru", "kind": "side-job", "status": "closed", "deadline_days": -300,
        "title": "塩尻の精密部品メーカーで、採用広報を一緒につくる複業人材",
        "host_name": "信州みどり精工株式会社（架空）", "host_type": "company", "theme": "side-job-talent",
        "prefecture": "20", "location": "塩尻市", "programme_name": "塩尻の人事部 複業マッチング",
        "hours_per_month": 12, "duration_months": 6, "remote_possible": True, "compensation": "paid",
        "compensation_note": "月3万円＋現地訪問の交通費", "positions": 2,
        "skills": ["採用広報", "マーケティング", "SNS運用", "業務改善"],
        "description": (
            "従業員45名の部品メーカーです。技術には自信がありますが、若い人に会社の魅力が届かず、"
            "高卒・大卒の採用が数年続けて計画を下回っています。\n\n"
            "社長や若手社員との対話を重ねながら、採用サイトとSNSでの発信を一緒に組み立ててくださる方を"
            "探しています。打ち合わせは主にオンラインで、月に1回程度は工場にお越しいただきます。"
        ),
        "applications": [
            {"email": "takahashi@demo.ran-hub.jp", "status": "matched", "days": -290, "completed_days": -65,
             "hours": 78, "listed": True,
             "motivation": "BtoBのマーケティングの経験を、地域のものづくり企業の採用に生かしたいと考えました。",
             "report": (
                 "## 取り組んだこと\n\n若手社員5人へのインタビューをもとに、採用サイトを「仕事の1日」が"
                 "見える構成に作り直しました。SNSは社員が交代で投稿する仕組みにし、半年で投稿が習慣になりました。\n\n"
                 "## 成果\n\n工場見学の申し込みが前年の3倍になり、高卒採用で2名の内定につながりました。\n\n"
                 "## 次に向けて\n\n発信を続けるには社内に担い手が必要です。若手2人が引き継いでくれています。"
             )},
            {"email": "kato@demo.ran-hub.jp", "status": "matched", "days": -290, "completed_days": -70,
             "hours": 90, "listed": True,
             "motivation": "塩尻に住んでいます。採用の前提になる社内の業務の整理から手伝えると思います。",
             "report": (
                 "採用担当の方の事務作業を洗い出し、応募者管理をkintoneに移しました。"
                 "月に20時間ほどの手作業が減り、その時間を学校訪問に充てられるようになりました。"
             )},
            {"email": "yoshida@demo.ran-hub.jp", "status": "not_matched", "days": -295,
             "motivation": "食品メーカーの広報の経験を、ものづくりの会社の発信にも役立てたいと考えています。",
             "message": "ご応募ありがとうございました。今回は現地に定期的に伺える方を優先させていただきました。"
                        "発信のご経験は大変心強く、ほかの募集でぜひまたご一緒できればうれしいです。"},
        ],
    },
    {
        "organization": "meguru", "kind": "side-job", "status": "closed", "deadline_days": -60,
        "title": "老舗みそ蔵のオンライン販売を立ち上げる複業人材",
        "host_name": "木曽路みそ醸造合資会社（架空）", "host_type": "company", "theme": "side-job-talent",
        "prefecture": "20", "location": "塩尻市", "programme_name": "塩尻の人事部 複業マッチング",
        "hours_per_month": 10, "duration_months": 6, "remote_possible": True, "compensation": "paid",
        "compensation_note": "月2万円（成果に応じて相談）", "positions": 1,
        "skills": ["EC運営", "広報", "ライティング"],
        "description": (
            "創業百年をこえるみそ蔵です。店頭と卸だけで商いをしてきましたが、県外のお客様からの問い合わせが"
            "増えています。ネットショップの開設と、蔵の物語を伝える発信を一緒に進めてくださる方を募集します。"
            "打ち合わせはすべてオンラインで行えます。"
        ),
        "applications": [
            {"email": "yoshida@demo.ran-hub.jp", "status": "matched", "days": -45, "phase_started_days": -40,
             "listed": False,
             "motivation": "ECサイトの運営と商品の紹介文づくりを担当してきました。オンラインで関わらせてください。"},
        ],
    },
    {
        "organization": "meguru", "kind": "side-job", "status": "open", "deadline_days": 21,
        "title": "塩尻市のCHRO（最高人事責任者）を複業で募集します",
        "host_name": "塩尻市", "host_type": "municipality", "theme": "public-sector",
        "prefecture": "20", "location": "塩尻市", "programme_name": "塩尻市 CxO複業人材",
        "hours_per_month": 20, "duration_months": 12, "remote_possible": True, "compensation": "paid",
        "compensation_note": "市の規定による報酬と、来庁時の交通費", "positions": 1,
        "skills": ["人事制度設計", "評価制度", "組織開発", "行政経験"],
        "description": (
            "市役所の人材育成と組織づくりを、民間の経験を持つ方と一緒に進めます。職員の評価と育成の"
            "仕組みの見直し、若手職員の学び合いの場づくりなどを、人事課と二人三脚で担っていただきます。\n\n"
            "市は以前にもCMO・CHROを複業人材として募集し、多くの応募をいただきました。"
            "月に1〜2回の来庁と、オンラインでの定例会議を想定しています。"
        ),
        "applications": [
            {"email": "nakamura@demo.ran-hub.jp", "status": "interview", "days": -6,
             "motivation": "人事部長として評価制度の刷新を進めてきました。公共の組織での人づくりに挑戦したいです。",
             "message": "書類を拝見しました。ぜひ一度お話を伺いたく、来週オンラインでの面談をお願いします。"},
            {"email": "sato@demo.ran-hub.jp", "status": "screening", "days": -2,
             "motivation": "石巻の水産会社で人事を担当しています。地域の組織づくりを自治体の側からも学びたいです。"},
        ],
    },
    {
        "organization": "machi-to-hito-to", "kind": "secondment", "status": "closed", "deadline_days": -120,
        "title": "石巻の在宅医療クリニックへの国内留職（3か月）",
        "host_name": "石巻うみかぜ在宅クリニック（架空）", "host_type": "organization", "theme": "cross-sector",
        "prefecture": "04", "location": "石巻市", "programme_name": "国内留職プログラム 石巻",
        "hours_per_month": 160, "duration_months": 3, "remote_possible": False, "compensation": "none",
        "compensation_note": "派遣元企業の給与のまま。滞在費は派遣元が負担します", "positions": 3,
        "skills": ["法人営業", "業務改善", "医療事務", "データ分析"],
        "description": (
            "企業の社員が3か月、石巻の在宅医療の現場に入り、本業で培った力で課題の解決に取り組む国内留職です。"
            "企画設計・事前研修・現地業務・事後研修の4つの段階で進め、現地業務の間は毎週1on1を行います。\n\n"
            "想定する業務：訪問診療に関わる事業所どうしの連携の支援、医療事務の流れの見直し。"
        ),
        "applications": [
            {"email": "kobayashi@demo.ran-hub.jp", "status": "matched", "days": -110, "secondment": True,
             "listed": True,
             "motivation": "営業で培った関係づくりと業務改善の経験を、医療の現場の連携づくりに生かしたいです。"},
        ],
    },
    {
        "organization": "kyushu-kouin", "kind": "facilitator", "status": "open", "deadline_days": 14,
        "title": "町役場のオフサイトミーティングに世話人を派遣します",
        "host_name": "若葉町役場 企画課（架空）", "host_type": "municipality", "theme": "dialogue",
        "prefecture": "40", "location": "福岡県内", "programme_name": "世話人派遣",
        "hours_per_month": 8, "duration_months": 2, "remote_possible": False, "compensation": "expenses",
        "compensation_note": "交通費の実費をお支払いします", "positions": 2,
        "skills": ["ファシリテーション", "オフサイトミーティング", "ワークショップ"],
        "description": (
            "課をこえて若手・中堅職員が話し合うオフサイトミーティングを2回開きます。"
            "参加者が多いため、少人数のグループごとに進行役（世話人）が必要です。\n\n"
            "他の自治体で世話人を務めている方に、事前の打ち合わせと当日の進行、振り返りをお願いします。"
            "所属先の了解のもと、公務として参加いただける形も相談できます。"
        ),
        "applications": [
            {"email": "yamamoto@demo.ran-hub.jp", "status": "matched", "days": -20, "phase_started_days": -14,
             "listed": True,
             "motivation": "県庁で世話人を続けています。他の組織の場づくりに関わることで、私自身も学びたいです。"},
        ],
    },
]

SECONDMENT_NOTES = [
    (-42, "kobayashi@demo.ran-hub.jp",
     "現地業務2週目。訪問診療に同行し、ケアマネジャーや薬局との連絡がFAXと電話に頼っていることが分かりました。"
     "まずは連絡の流れを図にして、院内で共有します。"),
    (-21, None,
     "1on1：連絡の流れの図が好評で、薬局2か所と共有の様式を試すことになりました。"
     "来週は事務スタッフへの聞き取りを予定。疲れがたまっているので、週末はしっかり休むよう話しました。"),
]


def _member(email: str) -> Member | None:
    return db.session.scalar(sa.select(Member).where(Member.email == email))


def _poster(organization: Organization) -> Member | None:
    """The organisation's first staff member, else the demo secretariat."""
    member = db.session.scalar(
        sa.select(Member).join(OrganizationStaff, OrganizationStaff.member_id == Member.id)
        .where(OrganizationStaff.organization_id == organization.id).order_by(OrganizationStaff.id).limit(1))
    return member or _member(ADMIN_EMAIL)


def seed(scale: int) -> None:
    """Create the demo projects with applications and programmes (once)."""
    if db.session.scalar(sa.select(sa.exists().where(Project.title == PROJECTS[0]["title"]))):
        return
    today = services.today()
    for data in PROJECTS:
        organization = db.session.scalar(sa.select(Organization).where(Organization.slug == data["organization"]))
        if organization is None:
            continue
        poster = _poster(organization)
        project = Project(
            organization_id=organization.id, created_by_id=poster.id if poster else None,
            status=data["status"], deadline=today + timedelta(days=data["deadline_days"]),
            **{name: data[name] for name in services.PROJECT_FIELDS if name != "deadline"},
        )
        project.skill_rows = [ProjectSkill(key=skill_key(label), label=label, position=position)
                              for position, label in enumerate(data["skills"])]
        if data["status"] == "closed":
            project.closed_at = utcnow() + timedelta(days=data["deadline_days"])
        db.session.add(project)
        db.session.flush()
        for entry in data["applications"]:
            _seed_application(project, entry, poster, today)
    db.session.flush()
    evidence.index_all_programmes()
    search_index.index_all_projects()


def _seed_application(project: Project, entry: dict, poster: Member | None, today) -> None:
    member = _member(entry["email"])
    if member is None:
        return
    applied_at = utcnow() + timedelta(days=entry["days"])
    application = ProjectApplication(
        project_id=project.id, member_id=member.id, motivation=entry["motivation"], status=entry["status"],
        message=entry.get("message", ""), created_at=applied_at,
        decided_at=applied_at + timedelta(days=7) if entry["status"] in ("matched", "not_matched") else None,
    )
    db.session.add(application)
    db.session.flush()
    if entry["status"] != "matched":
        return
    db.session.refresh(application)
    matched_on = today + timedelta(days=entry["days"] + 7)
    programme = services.start_programme(application, on=matched_on)
    programme.listed_in_cohort = entry.get("listed", False)
    if entry.get("secondment"):
        _seed_secondment(programme, today, poster)
    elif "completed_days" in entry:
        for phase in programme.phases:
            phase.actual_start, phase.actual_end = phase.planned_start, phase.planned_end
        programme.report = entry["report"]
        programme.report_submitted_at = utcnow() + timedelta(days=entry["completed_days"] - 5)
        programme.status = "completed"
        programme.completed_at = utcnow() + timedelta(days=entry["completed_days"])
        programme.hours_contributed = entry["hours"]
    elif "phase_started_days" in entry:
        programme.phases[0].actual_start = today + timedelta(days=entry["phase_started_days"])


def _seed_secondment(programme: Programme, today, poster: Member | None) -> None:
    """留職 in its third phase: planning and pre-training done, on site now, post-training planned."""
    planning, pre_training, on_site, post_training = programme.phases
    planning.actual_start, planning.actual_end = planning.planned_start, today - timedelta(days=80)
    pre_training.planned_start, pre_training.planned_end = today - timedelta(days=80), today - timedelta(days=50)
    pre_training.actual_start, pre_training.actual_end = today - timedelta(days=80), today - timedelta(days=52)
    on_site.planned_start, on_site.planned_end = today - timedelta(days=50), today + timedelta(days=40)
    on_site.actual_start = today - timedelta(days=51)
    post_training.planned_start, post_training.planned_end = today + timedelta(days=40), today + timedelta(days=70)
    for days, email, body in SECONDMENT_NOTES:
        author = _member(email) if email else poster
        programme.notes.append(ProgrammeNote(author_id=author.id if author else None,
                                             held_on=today + timedelta(days=days), body=body))
