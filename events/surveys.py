"""アンケート after an event: mailed once to those who were present, answered once, summarised with a chart.

The survey's questions are the event's questions with the purpose "survey" (events.questions). Mailing and
answering each stamp the registration once (events.registration.stamp_once), so a second or concurrent run sends
nothing twice and a double submit stores one set of answers.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy.orm import joinedload

from core.db import db, utcnow
from core.routing import site_url
from events import questions
from events.models import CONFIRMED, Event, EventAnswer, EventQuestion, Registration
from events.registration import mail_each_once, stamp_once

#: surveys of events that ended longer ago than this are no longer mailed
MAILING_WINDOW = timedelta(days=14)


def may_answer(event: Event, registration: Registration | None) -> str | None:
    """Why this registration cannot answer the survey now (None: it can)."""
    if registration is None or registration.status != CONFIRMED or registration.attendance != "attended":
        return "not_present"  # asked first: most readers of an event page have no place (no query for them)
    if not event.has_ended or event.status != "published" or not event.questions_for("survey"):
        return "not_open"
    if registration.survey_answered_at is not None:
        return "answered"
    return None


def record(registration: Registration, form, now: datetime | None = None) -> bool:
    """Store the answers once; False when this registration had answered already (a second submit)."""
    if not stamp_once(registration, "survey_answered_at", now or utcnow()):
        return False
    questions.save_answers(registration, registration.event.questions_for("survey"), form)
    return True


def send_surveys(now: datetime | None = None) -> int:
    """Mail the survey to everyone marked present at events that ended in the last two weeks; never twice."""
    now = now or utcnow()
    with_survey = sa.select(EventQuestion.event_id).where(EventQuestion.purpose == "survey")
    due = db.session.scalars(
        sa.select(Registration)
        .join(Event)
        .where(
            Registration.status == CONFIRMED,
            Registration.attendance == "attended",
            Registration.survey_mailed_at.is_(None),
            Registration.survey_answered_at.is_(None),
            Registration.member_id.is_not(None),
            Event.status == "published",
            Event.deleted_at.is_(None),
            Event.ends_at <= now,
            Event.ends_at > now - MAILING_WINDOW,
            Event.id.in_(with_survey),
        )
        .order_by(Registration.id)
        .options(joinedload(Registration.member), joinedload(Registration.event))
    ).all()
    return mail_each_once(due, "survey_mailed_at", "event_survey", "event_surveys", now, lambda registration: {
        "survey_url": site_url("surveys.answer", event_id=registration.event_id)})


# --- figures --------------------------------------------------------------------------------


def average_rating(*conditions) -> tuple[float | None, int]:
    """The mean of the 1–5 ratings given in surveys of the events meeting `conditions` (all events without any),
    and how many there are."""
    rating = sa.cast(sa.cast(EventAnswer.value, sa.Text), sa.Integer)
    average, count = db.session.execute(
        sa.select(sa.func.avg(rating), sa.func.count())
        .join(EventQuestion, EventQuestion.id == EventAnswer.question_id)
        .join(Event, Event.id == EventQuestion.event_id)
        .where(EventQuestion.purpose == "survey", EventQuestion.kind == "rating", Event.deleted_at.is_(None),
               *conditions)
    ).one()
    return (round(float(average), 1) if count else None), count


def respondents(event: Event) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(Registration.event_id == event.id,
                                         Registration.survey_answered_at.is_not(None))
    ) or 0


# --- the chart ------------------------------------------------------------------------------

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 180
BAR_WIDTH = 260


def _label(text: str, limit: int = 14) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(summary: questions.Summary, *, title: str) -> Markup:
    """A horizontal bar chart of one question's counts, as inline SVG (drawn here: no script, no library)."""
    rows = summary.counts
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + 60
    largest = summary.largest or 1
    parts = [f'<svg class="bar-chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">']
    for index, (option, count) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        bar = round(BAR_WIDTH * count / largest) if count else 0
        label = questions.RATING_LABELS.get(option, option) if summary.question.kind == "rating" else option
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT - 6}" text-anchor="end" class="bar-label">'
            f"{escape(_label(str(label)))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{bar}" height="{BAR_HEIGHT}" rx="3" class="bar"/>'
            f'<text x="{LABEL_WIDTH + bar + 6}" y="{y + BAR_HEIGHT - 6}" class="bar-count">{count}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704 - every text in it is escaped above
