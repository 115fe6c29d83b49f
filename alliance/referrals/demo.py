"""Demo referrals in every status and consultations waiting for triage (`flask seed-demo`).

Organisations are looked up by the demo slugs the alliance seeder creates; a referral
whose organisations are missing is skipped. `--scale N` adds N×20 synthetic past
referrals between existing organisations, for benchmarks.
"""

import random
from datetime import timedelta

import click
import sqlalchemy as sa

from alliance.models import Organization, OrganizationStaff, OrganizationTheme
from alliance.referrals import evidence
from alliance.referrals.models import (
    REFERRAL_FORMATS,
    Consultation,
    Referral,
    ReferralDecline,
    ReferralMessage,
    ReferralOutcome,
)
from alliance.referrals.services import new_reference
from core.audit import AuditEntry
from core.db import db, utcnow
from members.models import Member

ADMIN_EMAIL = "admin@demo.ran-hub.jp"
SYNTHETIC_PER_SCALE = 20
SYNTHETIC_TITLE = "合成データの紹介 {}"

#: title, theme, prefecture, requester slug, partner slug, final status, format, timing, description
DEMO_REFERRALS = (
    (
        "水産加工場で働く外国人材の定着を支えたい", "foreign-workers", "04", "machi-to-hito-to", "tokai-tabunka",
        "completed", "either", "2026年4月〜9月",
        "石巻の水産加工会社3社で、技能実習から特定技能に移る外国人材が増えています。"
        "生活面の相談窓口や、日本人社員との職場内コミュニケーションの仕組みを、"
        "経験のある団体と一緒に整えたいと考えています。",
    ),
    (
        "定年後のベテラン社員が短時間で活躍できる仕組みづくり", "seniors", "20", "meguru", None,
        "open", "either", "2027年春から",
        "塩尻市内の製造業で、60代の熟練社員が週3日程度で若手に技術を伝える働き方を試したいという声が出ています。"
        "シニア人材の活躍に詳しい団体に、制度設計と社内説明会の進め方を相談したいです。",
    ),
    (
        "町村職員向けの対話型研修を一緒に企画したい", "public-sector", "06", "inquiry", "kyushu-kouin",
        "offered", "online", "2027年1月〜2月",
        "山形県内の町村で、若手職員が部署を越えて話せる場をつくりたいと考えています。"
        "自治体職員育成の実績がある団体に、オンライン中心の研修設計を手伝っていただけないでしょうか。",
    ),
    (
        "高校生向けキャリア授業の教材を共有してほしい", "career-education", "37", "shikoku-josei",
        "hokkaido-career", "accepted", "online", "2026年度3学期",
        "香川の県立高校2校で、地域の社会人が登壇するキャリア授業を始めます。"
        "授業の組み立て方と振り返りシートの使い方を教えていただける団体を探しています。",
    ),
    (
        "子育て中の女性社員が続けられる職場づくりの伴走", "women", "40", "kyushu-kouin", "shikoku-josei",
        "in_progress", "either", "2026年10月〜2027年3月",
        "福岡の中小企業5社で、育休から復帰した社員の離職が続いています。"
        "短時間勤務の運用と管理職向けの勉強会を、女性活躍に強い団体と進めたいです。",
    ),
    (
        "新入社員の合同研修（地域同期）の立ち上げ", "youth-retention", "01", "hokkaido-career", None,
        "open", "onsite", "2027年4月入社の新人から",
        "札幌近郊の企業8社で、新入社員を一緒に育てる合同研修を始めたいと考えています。"
        "地域同期の運営経験がある団体に、初年度のプログラムづくりを手伝っていただきたいです。",
    ),
    (
        "移住者と地元企業をつなぐ交流会の企画", "migration", "33", "setouchi-senior", None,
        "withdrawn", "onsite", "2026年秋",
        "岡山県北部で、移住してきた人と地元企業が出会う場をつくる計画でした。",
    ),
)

DEMO_OUTCOME = (
    "やさしい日本語による職場内の掲示と、月1回の生活相談会を3社合同で始めました。"
    "日本人リーダー向けに、異文化コミュニケーションの研修を2回実施しています。",
    46, 3, 120,
)
DEMO_DECLINE = ("youth-retention", "meguru", "今期は自地域の同期研修で手一杯のため、来年度であればお受けできます。")

DEMO_CONSULTATIONS = (
    ("株式会社みやぎ精密（デモ）", "高橋 由美", "takahashi@example.jp", "04",
     ["foreign-workers", "hr-management"],
     "工場で働くベトナム出身の社員が10名を超えました。日本人社員との意思疎通や、"
     "長く働いてもらうための仕組みについて相談できる先を探しています。"),
    ("山里町役場 総務課（デモ）", "小林 誠", "kobayashi@example.jp", "20",
     ["public-sector", "youth-retention"],
     "若手職員の退職が続いています。他の自治体ではどのように若手を育て、つなぎとめているのか知りたいです。"),
)


def _organizations(slugs) -> dict[str, Organization]:
    return {
        organization.slug: organization
        for organization in db.session.scalars(sa.select(Organization).where(Organization.slug.in_(slugs)))
    }


def _first_staff(organization: Organization | None) -> Member | None:
    if organization is None:
        return None
    return db.session.scalar(
        sa.select(Member).join(OrganizationStaff, OrganizationStaff.member_id == Member.id)
        .where(OrganizationStaff.organization_id == organization.id).order_by(OrganizationStaff.id).limit(1)
    )


def _history(referral: Referral, start, actors: dict, steps: list[tuple[str, str, str, dict]]) -> None:
    """Audit entries for the steps a referral went through, a few days apart."""
    moment = start
    for action, previous, target, details in steps:
        moment += timedelta(days=3)
        db.session.add(AuditEntry(
            created_at=moment, actor_id=getattr(actors.get(action), "id", None), action=f"referral.{action}",
            target_type=Referral.__tablename__, target_id=referral.id,
            details={"from": previous, "to": target, **details},
        ))


def seed(scale: int) -> None:
    """Add the demo referrals and consultations (skipped when they exist)."""
    if not db.session.scalar(sa.select(sa.func.count()).select_from(Referral)):
        _seed_referrals()
        db.session.flush()
        evidence.index_all_outcomes()
    if not db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)):
        _seed_consultations()
    if scale > 0 and not db.session.scalar(sa.select(sa.exists().where(Referral.title.like(SYNTHETIC_TITLE.format("%"))))):
        added = add_synthetic_referrals(scale * SYNTHETIC_PER_SCALE)
        click.echo(f"Referrals: {added} synthetic past referrals added.")


def _seed_referrals() -> None:
    slugs = {row[3] for row in DEMO_REFERRALS} | {row[4] for row in DEMO_REFERRALS if row[4]} | {DEMO_DECLINE[1]}
    organizations = _organizations(slugs)
    if not organizations:
        click.echo("Referrals: demo organisations not found; demo referrals skipped.")
        return
    admin = db.session.scalar(sa.select(Member).where(Member.email == ADMIN_EMAIL))
    now = utcnow()
    created = 0
    for index, (title, theme, prefecture, requester_slug, partner_slug, status, format_, timing,
                description) in enumerate(DEMO_REFERRALS):
        requester = organizations.get(requester_slug)
        partner = organizations.get(partner_slug) if partner_slug else None
        if requester is None or (partner_slug and partner is None):
            continue
        start = now - timedelta(days=120 - index * 12)
        requester_staff = _first_staff(requester) or admin
        partner_staff = _first_staff(partner) or admin
        referral = Referral(
            title=title, theme=theme, prefecture=prefecture, description=description, timing=timing,
            format=format_, status=status, requester=requester, partner=partner,
            created_by=requester_staff, created_at=start, updated_at=start,
        )
        db.session.add(referral)
        db.session.flush()
        steps = [("create", "", "open", {"theme": theme, "prefecture": prefecture})]
        flow = ["offer", "accept", "start", "complete"]
        reached = {"open": 0, "offered": 1, "accepted": 2, "in_progress": 3, "completed": 4}.get(status, 0)
        states = ["open", "offered", "accepted", "in_progress", "completed"]
        for step in range(reached):
            steps.append((flow[step], states[step], states[step + 1], {"organization": partner.slug}))
        if reached >= 1:
            referral.offered_at = start + timedelta(days=6)
        if reached >= 2:
            referral.accepted_at = start + timedelta(days=9)
        if reached >= 3:
            referral.started_at = start + timedelta(days=12)
        if status == "completed":
            referral.completed_at = start + timedelta(days=15)
            summary, people, companies, hours = DEMO_OUTCOME
            db.session.add(ReferralOutcome(referral=referral, summary=summary, people_supported=people,
                                           companies_supported=companies, hours=hours,
                                           reported_by=partner_staff, created_at=referral.completed_at))
        if status == "withdrawn":
            referral.withdrawn_at = start + timedelta(days=5)
            referral.withdrawn_reason = "町の予算編成の都合で、今年度の実施を見送ることになりました。"
            steps.append(("withdraw", "open", "withdrawn", {"reason": referral.withdrawn_reason}))
        decline_theme, decliner_slug, reason = DEMO_DECLINE
        decliner = organizations.get(decliner_slug)
        if theme == decline_theme and decliner is not None and status == "open":
            db.session.add(ReferralDecline(referral=referral, organization_id=decliner.id,
                                           member_id=getattr(_first_staff(decliner), "id", None), reason=reason,
                                           created_at=start + timedelta(days=4)))
            steps += [("offer", "open", "offered", {"organization": decliner.slug}),
                      ("decline", "offered", "open", {"organization": decliner.slug, "reason": reason})]
        actors = {"create": requester_staff, "offer": requester_staff, "withdraw": requester_staff,
                  "accept": partner_staff, "start": partner_staff, "complete": partner_staff,
                  "decline": _first_staff(decliner)}
        _history(referral, start - timedelta(days=3), actors, steps)
        # The last step's time, not the seeding time (the list is ordered by it).
        referral.updated_at = start - timedelta(days=3) + timedelta(days=3 * len(steps))
        if partner is not None and reached >= 2:
            db.session.add_all([
                ReferralMessage(referral=referral, author=requester_staff, organization_id=requester.id,
                                created_at=start + timedelta(days=10),
                                body="お引き受けいただきありがとうございます。初回の打ち合わせはオンラインで、"
                                     "来週のご都合のよい日時を教えてください。"),
                ReferralMessage(referral=referral, author=partner_staff, organization_id=partner.id,
                                created_at=start + timedelta(days=11),
                                body="こちらこそよろしくお願いします。火曜か木曜の午後でしたら調整できます。"
                                     "事前に現状の課題を**3点ほど**共有いただけると助かります。"),
            ])
        created += 1
    click.echo(f"Referrals: {created} demo referrals added.")


def _seed_consultations() -> None:
    now = utcnow()
    for index, (organization_name, contact_name, email, prefecture, themes, message) in enumerate(
        DEMO_CONSULTATIONS
    ):
        created_at = now - timedelta(days=2 - index)
        db.session.add(Consultation(
            reference=new_reference(created_at), organization_name=organization_name, contact_name=contact_name,
            email=email, prefecture=prefecture, themes=themes, message=message, status="new",
            created_at=created_at,
        ))
        db.session.flush()
    click.echo(f"Consultations: {len(DEMO_CONSULTATIONS)} waiting for triage.")


def add_synthetic_referrals(count: int, *, seed: int = 6) -> int:
    """Past referrals between existing organisations (completed mostly, some active), bulk inserted."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not a secret  # nosec B311
    pairs = db.session.execute(sa.select(OrganizationTheme.organization_id, OrganizationTheme.theme)).all()
    prefectures = dict(db.session.execute(sa.select(Organization.id, Organization.prefecture)).all())
    organization_ids = sorted(prefectures)
    if not pairs or len(organization_ids) < 2:
        return 0
    now = utcnow()
    statuses = ["completed"] * 17 + ["offered", "accepted", "in_progress", "withdrawn"]
    rows = []
    for n in range(count):
        partner_id, theme = rng.choice(pairs)
        requester_id = rng.choice(organization_ids)
        if requester_id == partner_id:
            requester_id = None
        status = rng.choice(statuses)
        created_at = now - timedelta(days=rng.randint(1, 1500))
        rows.append({
            "title": SYNTHETIC_TITLE.format(n + 1), "theme": theme,
            "prefecture": prefectures.get(requester_id) or f"{rng.randint(1, 47):02d}",
            "description": "ベンチマーク用の合成データです。", "timing": "", "format": rng.choice(REFERRAL_FORMATS),
            "status": status, "requester_organization_id": requester_id, "partner_organization_id": partner_id,
            "created_at": created_at, "updated_at": created_at,
            "completed_at": created_at + timedelta(days=60) if status == "completed" else None,
            "withdrawn_reason": "",
        })
    for start in range(0, len(rows), 2000):
        db.session.execute(sa.insert(Referral), rows[start:start + 2000])
    return len(rows)
