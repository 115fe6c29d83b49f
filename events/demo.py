"""Demo events: the network's history and a calendar that stays alive relative to today."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa

from alliance.models import Organization
from core import refdata
from core.db import db, utcnow
from core.demo_pictures import demo_picture, draw_cover
from events import demo_event_day, search_index
from events.models import (
    CONFIRMED,
    TICKET_ALPHABET,
    TICKET_LENGTH,
    Event,
    EventSeries,
    EventTheme,
    Registration,
)
from events.registration import normalise_affiliation, register
from events.series import register_series
from members.demo import DEMO_ACCOUNTS, SCALE_EMAIL_DOMAIN
from members.models import Member

TOKYO = ZoneInfo("Asia/Tokyo")
ORGANIZER_SLUGS = ("inquiry", "meguru", "machi-to-hito-to", "tokai-tabunka", "setouchi-senior",
                   "kyushu-kouin", "hokkaido-career", "shikoku-josei")
MEETING_URL = "https://meet.example.jp/ran-demo"
#: `seed-demo --scale N`: N × this many synthetic events, with this many registrations each on average
SYNTHETIC_EVENTS_PER_SCALE = 20
REGISTRATIONS_PER_EVENT = 10
SYNTHETIC_BATCH = 2000
SYNTHETIC_TITLE = "ベンチマーク用イベント {}"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Tokyo wall-clock time as UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=TOKYO).astimezone(UTC)


def third_wednesday(year: int, month: int) -> date:
    first = date(year, month, 1)
    offset = (2 - first.weekday()) % 7
    return first + timedelta(days=offset + 14)


def add_months(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _event(organizer, *, cover: int | None = None, **fields) -> Event:
    """A published demo event; `cover` draws it a cover picture with that seed."""
    fields.setdefault("status", "published")
    fields.setdefault("audience", "public")
    fields.setdefault("waitlist_enabled", True)
    fields.setdefault("body", "")
    themes = fields.pop("themes")
    event = Event(organization_id=organizer.id if organizer else None, **fields)
    event.themes = list(themes)
    if cover is not None:
        event.cover = demo_picture(draw_cover(cover), alt=f"「{event.title}」のイメージ")
    db.session.add(event)
    db.session.flush()
    search_index.index_event(event)
    return event


def _past_attendance(event: Event, members: list[Member], attended: int) -> None:
    """Registrations of a past event, with 出欠 (set directly: signups are closed by now)."""
    for index, member in enumerate(members[: event.capacity]):
        db.session.add(Registration(
            event_id=event.id, member_id=member.id, status=CONFIRMED, created_at=event.starts_at - timedelta(days=7),
            confirmed_at=event.starts_at - timedelta(days=7),
            affiliation_key=normalise_affiliation(member.organization_name),
            attendance="attended" if index < attended else "absent",
        ))
    event.confirmed_count = min(len(members), event.capacity)


def seed(scale: int) -> None:
    """Create the demo events once (skips when events exist)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Event)):
        return
    orgs = {slug: db.session.scalar(sa.select(Organization).where(Organization.slug == slug))
            for slug in ORGANIZER_SLUGS}
    emails = [account[0] for account in DEMO_ACCOUNTS]
    members_by_email = {m.email: m for m in db.session.scalars(sa.select(Member).where(Member.email.in_(emails)))}
    people = [members_by_email[e] for e in emails[1:] if e in members_by_email]  # not the admin
    today = datetime.now(TOKYO).date()
    now = utcnow()

    # The founding event, 25 March 2022, online.
    founding = _event(
        None, title="地域人事部アライアンスネットワーク設立イベント「地域ぐるみで人・企業が育つ仕組みをみんなでつくろう」",
        kind="conference", format="online", starts_at=at(date(2022, 3, 25), 19), ends_at=at(date(2022, 3, 25), 21),
        capacity=100, online_url=MEETING_URL, themes=("youth-retention", "career-education", "side-job-talent"),
        summary="石巻・山形・五泉、塩尻、石巻の3団体が取り組みを紹介し、地域人事部の可能性と限界を語り合った設立イベントです。",
        body=(
            "## 内容\n\n"
            "1. 趣旨説明 ― 地域人事部とは何か\n"
            "2. 事例紹介 ― キャリア教育、複業人材のマッチング、地域同期研修\n"
            "3. トークセッション ― 行政と民間のあいだで地域人事部が担う役割\n"
            "4. アライアンスネットワークの活動と参加方法\n\n"
            "一社では抱えきれない人の課題を、地域を越えた団体同士で補い合う。そのための最初の集まりでした。"
        ),
    )
    _past_attendance(founding, people, attended=len(people))

    kickoff_day = date(2022, 4, 22)
    kickoff = _event(
        None, title="アライアンスメンバー キックオフ企画会議", kind="meeting", format="online",
        starts_at=at(kickoff_day, 19), ends_at=at(kickoff_day, 21), capacity=30, audience="members",
        online_url=MEETING_URL, themes=("dialogue",),
        summary="加盟団体が顔を合わせ、1年目の活動計画と定例会の進め方を決めました。",
    )
    _past_attendance(kickoff, people[:3], attended=3)

    # Monthly meetings (定例会): the first one, the last months and the coming ones.
    meeting_months = [(2022, 5)] + [add_months(today, delta) for delta in range(-3, 6)]
    for number, (year, month) in enumerate(meeting_months, start=1):
        day = third_wednesday(year, month)
        meeting = _event(
            None, title=f"RAN 定例会({year}年{month}月)", kind="meeting", format="online",
            starts_at=at(day, 19, 30), ends_at=at(day, 21), capacity=40, audience="members",
            online_url=MEETING_URL, themes=("dialogue", "hr-management"),
            summary="加盟団体とRAN会員が各地の近況を持ち寄り、困りごとを相談し合う月例のオンライン会です。",
            body="各団体から5分ずつ近況を共有したあと、テーマ別の小部屋に分かれて相談します。",
        )
        if meeting.ends_at < now:
            _past_attendance(meeting, people[: 2 + number % 3], attended=2)
        elif meeting.starts_at > now:
            for member in people[:2]:
                register(meeting, member, now)

    # The yearly 地域人事部カンファレンス: past editions and the next one.
    next_march = date(today.year + (1 if today.month >= 3 else 0), 3, 14)
    for year in (2023, 2024, 2025):
        day = date(year, 3, 10 + (year % 5))
        if at(day, 17) >= now:
            continue
        past_conference = _event(
            None, title=f"地域人事部カンファレンス{year}", kind="conference", format="hybrid",
            starts_at=at(day, 13), ends_at=at(day, 17), capacity=120, prefecture="04", venue="石巻市内の会場",
            online_url=MEETING_URL, themes=("youth-retention", "cross-sector", "public-sector"),
            summary="1年間の取り組みを持ち寄り、地域人事部の役割をあらためて確かめ合う年次カンファレンスです。",
        )
        _past_attendance(past_conference, people, attended=len(people) - 1)
    _event(
        None, title=f"地域人事部カンファレンス{next_march.year}", kind="conference", format="hybrid", cover=1,
        starts_at=at(next_march, 13), ends_at=at(next_march, 17),
        signup_deadline=at(next_march - timedelta(days=3), 23, 59),
        capacity=120, prefecture="04", venue="石巻市内の会場(詳細は申込者にお知らせします)",
        fee="会場参加 3,000円(交流会費を含みます)/オンライン参加 無料",
        online_url=MEETING_URL, themes=("youth-retention", "cross-sector", "public-sector", "dialogue"),
        summary="各地の地域人事部が1年の実践を共有し、次の1年に向けて学び合う年次カンファレンスです。",
        body="## プログラム\n\n- 基調対話:地域人事部のこれから\n- 分科会:キャリア教育/複業人材/地域同期\n- 交流会",
    )

    # A 相談会 that is full, with a waitlist.
    consult_day = today + timedelta(days=12)
    consultation = _event(
        orgs["inquiry"], title="地域人事部 立ち上げ相談会", kind="consultation", format="online", cover=6,
        starts_at=at(consult_day, 15), ends_at=at(consult_day, 16, 30), capacity=2,
        signup_deadline=at(consult_day - timedelta(days=1), 18), online_url=MEETING_URL,
        themes=("hr-management", "youth-retention"),
        summary="これから地域人事部をつくりたい方の個別相談です。事業の組み立て方や行政との連携について一緒に考えます。",
        body="1枠45分、2組までの少人数制です。満席の場合は補欠登録をご利用ください。",
    )
    for member in people[:4]:
        register(consultation, member, now)

    seminar_day = today + timedelta(days=20)
    side_job = _event(
        orgs["meguru"], title="中小企業のための複業人材活用セミナー", kind="seminar", format="venue", cover=2,
        starts_at=at(seminar_day, 14), ends_at=at(seminar_day, 16, 30), capacity=3, prefecture="20",
        venue="塩尻市市民交流センター えんぱーく", address="長野県塩尻市大門一番町12-2", fee="1,000円(当日受付でお支払いください)",
        themes=("side-job-talent", "hr-management"),
        summary="正社員の採用が難しい中小企業が、専門性を持つ複業人材と出会うための進め方を事例から学びます。",
    )
    for member in people:
        register(side_job, member, now)

    # A lottery (抽選) with a per-company cap.
    lottery_day = today + timedelta(days=35)
    lottery = _event(
        orgs["inquiry"], title="交流型キャリア教育プログラム 体験会", kind="seminar", format="venue",
        starts_at=at(lottery_day, 13), ends_at=at(lottery_day, 16), capacity=2, prefecture="06",
        venue="山形市内の高校(申込者にお知らせします)", allocation="lottery", per_organization_cap=1,
        signup_deadline=at(lottery_day - timedelta(days=14), 23, 59), themes=("career-education", "industry-academia"),
        summary="地元の若手社会人の歩みを物語として聴き、高校生と対話するキャリア教育プログラムを体験します(抽選)。",
    )
    for member in people:
        register(lottery, member, now)

    regional = [
        ("setouchi-senior", "シニア人材活躍 相談会", "consultation", "venue", "33", "岡山市内の会場",
         ("seniors",), 26, "経験豊かなシニアに活躍してもらいたい企業と、働き続けたいシニアのための相談会です。"),
        ("kyushu-kouin", "自治体職員のための越境学習セミナー", "seminar", "online", None, "",
         ("public-sector", "cross-sector"), 40, "役所の外で学ぶ越境学習を、人材育成にどう組み込むかを考えます。"),
        ("hokkaido-career", "地域の大人と語る キャリア教育ワークショップ", "training", "venue", "01", "札幌市内の会場",
         ("career-education",), 47, "学校と地域の大人をつなぐ出前授業の組み立て方を、ワークショップ形式で学びます。"),
        ("shikoku-josei", "女性が長く働ける職場づくり 研修会", "training", "hybrid", "37", "高松市内の会場",
         ("women", "hr-management"), 54, "子育てや介護と両立しながら働き続けられる職場づくりを、事例とともに考えます。"),
    ]
    for slug, title, kind, fmt, prefecture, venue, themes, offset, summary in regional:
        day = today + timedelta(days=offset)
        _event(
            orgs[slug], title=title, kind=kind, format=fmt, starts_at=at(day, 14), ends_at=at(day, 16),
            capacity=30, prefecture=prefecture, venue=venue, themes=themes, summary=summary,
            online_url=MEETING_URL if fmt != "venue" else "", fee="無料",
        )
    # The event day: a past seminar with its reception, survey and materials; an upcoming one asking questions.
    demo_event_day.seed(_event, at, orgs, today, now)

    # The six-session 地域同期研修 series, monthly, with a per-company cap so the cohort mixes companies.
    organizer = orgs["machi-to-hito-to"]
    series = EventSeries(
        title="石巻 地域同期研修(全6回)", organization_id=organizer.id if organizer else None,
        summary="会社の垣根を越えて若手社会人が同じチームで半年間学び、地域の「同期」になる連続講座です。",
        body=(
            "月に1回、同じチームで集まり、キャリアデザイン・対話・チームづくりを学びます。"
            "スキルを身につけることより、仲間をつくり、地域やほかの会社に目を向けることを大切にしています。\n\n"
            "1社あたりの参加は2名までです。"
        ),
    )
    db.session.add(series)
    db.session.flush()
    topics = ("顔合わせとチームづくり", "わたしのキャリアを語る", "地域の会社を訪ねる", "対話で職場の課題を見つめる",
              "チームで小さな企画を動かす", "半年のふりかえりと発表")
    first = today + timedelta(days=16)
    for number, topic in enumerate(topics, start=1):
        year, month = add_months(first, number - 1)
        day = date(year, month, min(first.day, 28))
        session = _event(
            organizer, title=f"地域同期研修 第{number}回「{topic}」", kind="training", format="hybrid",
            starts_at=at(day, 13, 30), ends_at=at(day, 17), capacity=24, per_organization_cap=2,
            prefecture="04", venue="石巻市内の会場", online_url=MEETING_URL, series_id=series.id,
            themes=("youth-retention",),
            summary=f"全6回の第{number}回です。{topic}をテーマに、同じチームで学びます。",
        )
        del session
    db.session.flush()
    db.session.refresh(series)
    for member in people[:2]:
        register_series(series, member, now)

    if scale > 0:
        _synthetic(scale, today)
    click.echo(f"Demo events loaded ({db.session.scalar(sa.select(sa.func.count()).select_from(Event))} events).")


def _synthetic_code(number: int) -> str:
    """The `number`th 受付票 code of an event (distinct per number, so never twice in one event)."""
    digits = []
    for _ in range(TICKET_LENGTH):
        number, digit = divmod(number, len(TICKET_ALPHABET))
        digits.append(TICKET_ALPHABET[digit])
    return "".join(digits)


def _synthetic(scale: int, today: date) -> None:
    """`seed-demo --scale N`: 20×N events a year around today, with 200×N registrations, bulk inserted.

    Registrations go to the synthetic members of `members.demo.seed_scale` (20 per event on
    average, never more than the capacity); past ones carry 出欠 so figures have data.
    """
    if db.session.scalar(sa.select(sa.exists().where(Event.title == SYNTHETIC_TITLE.format(1)))):
        return
    members = db.session.scalars(
        sa.select(Member.id).where(Member.email.like(f"%@{SCALE_EMAIL_DOMAIN}")).order_by(Member.id)
    ).all()
    organizers = db.session.scalars(sa.select(Organization.id).order_by(Organization.id)).all()
    kinds = ("seminar", "consultation", "meeting", "conference", "training")
    themes = [t.slug for t in refdata.THEMES]
    prefectures = [p.code for p in refdata.PREFECTURES]
    events, event_themes, registrations = Event.__table__, EventTheme.__table__, Registration.__table__
    now = utcnow()
    total = scale * SYNTHETIC_EVENTS_PER_SCALE
    for batch_start in range(0, total, SYNTHETIC_BATCH):
        numbers = range(batch_start, min(total, batch_start + SYNTHETIC_BATCH))
        rows, seat_counts = [], []
        for index in numbers:
            day = today + timedelta(days=(index % 400) - 200)
            fmt = ("venue", "online", "hybrid")[index % 3]
            seats = min(len(members), (index * 11) % (2 * REGISTRATIONS_PER_EVENT + 1))
            seat_counts.append(seats)
            rows.append({
                "title": SYNTHETIC_TITLE.format(index + 1), "kind": kinds[index % 5], "format": fmt,
                "starts_at": at(day, 10 + index % 8), "ends_at": at(day, 12 + index % 8),
                "capacity": seats + index % 30, "prefecture": None if fmt == "online" else prefectures[index % 47],
                "venue": "" if fmt == "online" else "会場", "online_url": "" if fmt == "venue" else MEETING_URL,
                "summary": "負荷試験のための合成データです。", "status": "published",
                "audience": ("public", "members")[index % 2], "confirmed_count": seats,
                "organization_id": organizers[index % len(organizers)] if organizers and index % 4 else None,
            })
        ids = db.session.execute(
            sa.insert(events).returning(events.c.id, sort_by_parameter_order=True), rows
        ).scalars().all()
        db.session.execute(sa.insert(event_themes), [
            {"event_id": event_id, "theme": theme}
            for index, event_id in zip(numbers, ids, strict=True)
            for theme in dict.fromkeys([themes[index % len(themes)], themes[(index * 7 + 1) % len(themes)]])
        ])
        search_index.index_inserted(ids, rows)
        signups = []
        for index, event_id, row, seats in zip(numbers, ids, rows, seat_counts, strict=True):
            past = row["starts_at"] < now
            first = (index * 37) % len(members) if members else 0
            for offset in range(seats):
                booked = row["starts_at"] - timedelta(days=7 + offset % 14)
                signups.append({
                    "event_id": event_id, "member_id": members[(first + offset) % len(members)],
                    "status": CONFIRMED, "created_at": booked, "updated_at": booked, "confirmed_at": booked,
                    "attendance": ("attended" if offset % 5 else "absent") if past else None,
                    "ticket_code": _synthetic_code(offset),
                })
        if signups:
            db.session.execute(sa.insert(registrations), signups)
        db.session.commit()
    click.echo(f"{total} synthetic events added.")
