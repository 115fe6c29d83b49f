"""Demo of the event day: a past seminar with its reception, survey results and materials, and an upcoming one
that asks questions at registration. Called by events.demo.seed; the sentences are our own."""

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from core.db import db
from events import questions
from events.models import CONFIRMED, Event, EventAnswer, EventQuestion, Registration
from events.registration import normalise_affiliation, register
from members.models import Member

DEMO_DOMAIN = "demo.ran-hub.jp"
SIGNUP_QUESTIONS = (
    ("text", "部署・役職", (), True),
    ("choice", "今回いちばん知りたいこと", ("受け入れ前の準備", "生活面の支援", "職場での定着", "地域との関わり"), True),
    ("textarea", "当日までに聞いておきたいこと", (), False),
    ("textarea", "配慮が必要なこと(車いす、授乳室、手話通訳など)", (), False),
)
SURVEY_QUESTIONS = (
    ("rating", "今回のセミナーの満足度を教えてください", (), True),
    ("choices", "役に立った内容(複数選択可)", ("受け入れ企業の事例", "生活支援の仕組み", "日本語学習の工夫", "グループ対話"), False),
    ("choice", "次回も参加したいですか", ("ぜひ参加したい", "内容によって参加したい", "今回で十分"), True),
    ("textarea", "感想・次回取り上げてほしいテーマ", (), False),
)
#: each attendee's survey: rating, useful parts, next time, comment
SURVEY_ANSWERS = (
    (5, ["受け入れ企業の事例", "グループ対話"], "ぜひ参加したい", "同じ悩みを持つ会社と話せたのが何よりの収穫でした。"),
    (4, ["生活支援の仕組み"], "ぜひ参加したい", "住まい探しの支援の流れがよくわかりました。"),
    (5, ["受け入れ企業の事例", "日本語学習の工夫"], "ぜひ参加したい", ""),
    (4, ["グループ対話"], "内容によって参加したい", "技能実習から育成就労への移行についても聞きたいです。"),
    (3, ["受け入れ企業の事例"], "内容によって参加したい", "もう少し小規模な会社の例があるとうれしいです。"),
    (5, ["生活支援の仕組み", "グループ対話"], "ぜひ参加したい", "地域の日本語教室とのつなぎ方を次回ぜひ。"),
    (4, ["日本語学習の工夫"], "ぜひ参加したい", ""),
)
REPORT = (
    "受け入れ企業7社と支援団体が参加し、入国前の準備から生活面の支援、職場での定着までを3社の事例で追いました。\n\n"
    "- いちばん反響が大きかったのは、先輩社員が休日の買い物や役所の手続きに付き添う「生活バディ」の取り組みでした。\n"
    "- グループ対話では、日本語の上達よりも「相談できる人がいるか」が定着を左右するという声が多く出ました。\n"
    "- 次回は、地域の日本語教室や自治体の窓口とのつなぎ方を取り上げます。"
)


def _ask(event: Event, purpose: str, specs) -> list[EventQuestion]:
    return [questions.add_question(event, purpose, kind=kind, label=label, choices=list(choices), required=required)
            for kind, label, choices, required in specs]


def _answer(registration: Registration, question: EventQuestion, value) -> None:
    if value not in ("", [], None):
        db.session.add(EventAnswer(question_id=question.id, registration_id=registration.id, value=value))


def seed(make_event, at, organizers: dict, today: date, now: datetime) -> None:
    """`make_event` and `at` are events.demo's helpers (an indexed published event; a Tokyo time as UTC)."""
    # the demo's own people (a database with other members keeps them out of the demo's registrations)
    attendees = db.session.scalars(
        sa.select(Member).where(Member.is_admin.is_(False), Member.email.like(f"%{DEMO_DOMAIN}"),
                                Member.email.not_like("staff@tokai-tabunka.%"))
        .order_by(Member.id).limit(len(SURVEY_ANSWERS) + 2)
    ).all()

    past_day = today - timedelta(days=18)
    past = make_event(
        organizers["tokai-tabunka"], title="外国人材の受け入れと定着 事例共有セミナー", kind="seminar", format="venue",
        cover=3,
        starts_at=at(past_day, 14), ends_at=at(past_day, 16, 30), capacity=30, prefecture="23",
        venue="ウインクあいち 会議室", address="名古屋市中村区名駅4-4-38 ウインクあいち 11階", fee="無料",
        themes=("foreign-workers", "hr-management"),
        summary="外国人材を受け入れている中小企業3社の事例をもとに、生活支援と職場での定着の工夫を学び合いました。",
        body="受け入れ前の準備、暮らしの支援、職場での定着の3つの場面ごとに、企業の担当者が実践を紹介します。",
        slides_url="https://example.jp/ran-demo/tokai-seminar-slides",
        recording_url="https://example.jp/ran-demo/tokai-seminar-recording",
        report=REPORT,
    )
    _ask(past, "signup", SIGNUP_QUESTIONS[:2])
    survey = _ask(past, "survey", SURVEY_QUESTIONS)
    booked = past.starts_at - timedelta(days=10)
    for index, member in enumerate(attendees):
        present = index < len(SURVEY_ANSWERS)
        registration = Registration(
            event_id=past.id, member_id=member.id, status=CONFIRMED, created_at=booked, confirmed_at=booked,
            affiliation_key=normalise_affiliation(member.organization_name),
            attendance="attended" if present else "absent",
            checked_in_at=past.starts_at - timedelta(minutes=15 - index) if present else None,
            survey_mailed_at=past.ends_at + timedelta(hours=1) if present else None,
            survey_answered_at=past.ends_at + timedelta(hours=3 + index) if present else None,
        )
        db.session.add(registration)
        db.session.flush()
        if present:
            for question, value in zip(survey, SURVEY_ANSWERS[index], strict=True):
                _answer(registration, question, value)
    past.confirmed_count = len(attendees)

    upcoming_day = today + timedelta(days=24)
    upcoming = make_event(
        organizers["tokai-tabunka"], title="外国人材の受け入れと定着 実務セミナー", kind="seminar", format="hybrid",
        cover=4,
        starts_at=at(upcoming_day, 14), ends_at=at(upcoming_day, 16, 30), capacity=40, prefecture="23",
        venue="ウインクあいち 会議室", address="名古屋市中村区名駅4-4-38 ウインクあいち 11階",
        fee="無料(会場参加・オンライン参加とも)", online_url="https://meet.example.jp/ran-demo",
        signup_deadline=at(upcoming_day - timedelta(days=2), 23, 59), themes=("foreign-workers",),
        summary="前回の参加者の声を受けて、地域の日本語教室や自治体の窓口とのつなぎ方を中心に実務を学びます。",
        body="当日は、前回のふりかえり、地域の日本語教室と企業が連携した事例の紹介、グループ対話の順に進めます。\n\n"
             "申し込みの際に、いくつか質問にお答えいただきます。",
        consent_note="回答は主催団体(東海多文化ワークサポート)がセミナーの準備と当日の配慮のためだけに使い、"
                     "開催後30日で削除します。",
        answer_retention_days=30,
    )
    asked = _ask(upcoming, "signup", SIGNUP_QUESTIONS)
    _ask(upcoming, "survey", SURVEY_QUESTIONS[:1] + SURVEY_QUESTIONS[2:])
    plans = (("人事課 主任", "職場での定着", "", ""), ("総務部長", "生活面の支援", "住まいの確保で苦労しています。", ""),
             ("採用担当", "受け入れ前の準備", "", "会場ではスロープのある入口を使いたいです。"))
    for member, answers in zip(attendees[:3], plans, strict=False):
        registration = register(upcoming, member, now)
        registration.consented_at = now
        for question, value in zip(asked, answers, strict=True):
            _answer(registration, question, value)
