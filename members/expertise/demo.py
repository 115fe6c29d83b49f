"""Demo members with opt-in expertise profiles (`seed-demo`), and synthetic ones for `--scale N`.

The people are fictional. Their passwords are random, printed, and added to the
instance's demo-accounts file, as members/demo.py does for the first accounts.
"""


import sqlalchemy as sa

from core.db import db, utcnow
from members.demo import demo_password, record_demo_accounts
from members.expertise import evidence
from members.expertise.models import ExpertiseProfile, ExpertiseSkill, ExpertiseTheme, skill_key
from members.expertise.synthetic import SYNTHETIC_EMAIL, add_synthetic_profiles
from members.models import Member
from members.services import hash_password

#: `seed-demo --scale N` adds N × this many synthetic people with profiles
SYNTHETIC_PER_SCALE = 20

#: (email, name, prefecture, affiliation, workplace, themes, skills, hours, remote, on site,
#:  travel prefectures, visibility, summary)
DEMO_PEOPLE = (
    ("takahashi@demo.ran-hub.jp", "高橋 直樹", "13", "company", "都内IT企業 マーケティング部",
     ("side-job-talent", "hr-management", "migration"), ("マーケティング", "採用広報", "ブランディング", "SNS運用"),
     12, True, True, ("13", "19", "20"), "public",
     "IT企業でBtoBマーケティングを10年担当しています。地方の中小企業の採用広報を、"
     "平日夜と月1回の現地訪問で手伝う複業をしてきました。"),
    ("nakamura@demo.ran-hub.jp", "中村 由美", "14", "company", "人材サービス会社 人事部長",
     ("hr-management", "public-sector", "side-job-talent"), ("人事制度設計", "評価制度", "採用", "組織開発", "1on1"),
     20, True, True, ("11", "12", "13", "14", "20"), "alliance",
     "人事制度の設計と運用に15年携わり、現在は人事部長です。自治体や中小企業の人事の仕組みづくりに"
     "複業で関わりたいと考えています。"),
    ("kobayashi@demo.ran-hub.jp", "小林 亮", "13", "company", "人材サービス会社 法人営業",
     ("cross-sector", "youth-retention"), ("法人営業", "業務改善", "データ分析"),
     160, False, True, ("02", "03", "04", "05", "06", "07"), "alliance",
     "法人営業を8年経験しました。会社の留職制度で、地域の現場に数か月入り込んで業務改善に"
     "取り組みたいと考えています。"),
    ("yamamoto@demo.ran-hub.jp", "山本 恵", "40", "public-sector", "県庁 職員（オフサイトミーティング世話人）",
     ("dialogue", "public-sector"), ("ファシリテーション", "オフサイトミーティング", "ワークショップ"),
     8, False, True, ("40", "41", "43", "44"), "public",
     "県庁で世話人養成講座を受け、職場の対話の場づくりを続けています。他の部署や市町村の"
     "オフサイトミーティングの進行役もお引き受けします。"),
    ("kato@demo.ran-hub.jp", "加藤 翔太", "20", "individual", "フリーランス（経理・DX）",
     ("side-job-talent", "hr-management"), ("経理", "DX推進", "kintone", "業務改善"),
     16, True, True, ("15", "19", "20"), "public",
     "塩尻市在住のフリーランスです。中小企業の経理の効率化と、kintoneを使った業務のデジタル化を"
     "支援しています。"),
    ("yoshida@demo.ran-hub.jp", "吉田 真理", "27", "company", "食品メーカー 広報",
     ("women", "side-job-talent", "migration"), ("広報", "PR", "EC運営", "ライティング"),
     10, True, False, (), "alliance",
     "食品メーカーで広報とECサイトの運営を担当しています。子育てと両立しながら、"
     "オンラインで地方の企業の発信を手伝う複業をしています。"),
    ("matsumoto@demo.ran-hub.jp", "松本 健二", "13", "individual", "組織開発コンサルタント（元市役所職員）",
     ("public-sector", "hr-management"), ("人事制度設計", "政策立案", "行政経験", "組織開発"),
     20, True, True, ("15", "19", "20", "21"), "public",
     "市役所で人事課と企画課に計12年勤め、いまは自治体と中小企業の組織づくりを支援しています。"
     "自治体の人事の仕組みを民間の目も入れて見直す仕事に関心があります。"),
)


def seed(scale: int) -> None:
    """Create the demo people with their profiles (once), then synthetic ones for `--scale`."""
    first_email = DEMO_PEOPLE[0][0]
    if db.session.scalar(sa.select(Member.id).where(Member.email == first_email)) is None:
        _seed_people()
        evidence.index_all_profiles()
    if scale > 0 and db.session.scalar(
        sa.select(Member.id).where(Member.email == SYNTHETIC_EMAIL.format(1))
    ) is None:
        add_synthetic_profiles(scale * SYNTHETIC_PER_SCALE)


def _seed_people() -> None:
    lines = ["People with expertise profiles (email / password):"]
    for (email, name, prefecture, affiliation, workplace, themes, skills, hours, remote, on_site, travel,
         visibility, summary) in DEMO_PEOPLE:
        password = demo_password()
        member = Member(email=email, display_name=name, prefecture=prefecture, affiliation=affiliation,
                        organization_name=workplace, themes=list(themes), password_hash=hash_password(password),
                        email_verified_at=utcnow())
        db.session.add(member)
        db.session.flush()
        profile = ExpertiseProfile(member_id=member.id, summary=summary, hours_per_month=hours, remote=remote,
                                   on_site=on_site, visibility=visibility, accepting=True)
        profile.theme_rows = [ExpertiseTheme(theme=slug) for slug in themes]
        profile.skill_rows = [ExpertiseSkill(key=skill_key(label), label=label, position=position)
                              for position, label in enumerate(skills)]
        profile.set_travel_prefectures(travel)
        db.session.add(profile)
        lines.append(f"  {email} / {password} ({visibility})")
    db.session.flush()
    record_demo_accounts(lines)
