"""Events, their registrations and waitlists, series of sessions and lottery draws."""

import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from alliance.models import Organization
from core.db import Base, UTCDateTime, one_of, utcnow
from core.pictures import Picture
from members.models import Member

#: event kind slugs, in the order forms offer them
KINDS = ("seminar", "consultation", "meeting", "conference", "training")
FORMATS = ("venue", "online", "hybrid")
AUDIENCES = ("public", "members")
#: draft (organisers only) → published → cancelled (kept, shown as 中止)
STATUSES = ("draft", "published", "cancelled")
#: first-come (先着) or lottery (抽選)
ALLOCATIONS = ("first-come", "lottery")

#: registration states: applied = waiting for the lottery draw
CONFIRMED, WAITLISTED, APPLIED, CANCELLED = "confirmed", "waitlisted", "applied", "cancelled"
ACTIVE_STATES = (CONFIRMED, WAITLISTED, APPLIED)
REGISTRATION_STATES = (*ACTIVE_STATES, CANCELLED)
#: attendance marked by the organiser after the event (出欠)
ATTENDANCE = ("attended", "absent")
#: questions asked at registration (申込時の質問) and in the survey after the event (アンケート)
QUESTION_PURPOSES = ("signup", "survey")
#: short text, long text, one choice, several choices, and (surveys only) a 1–5 rating
QUESTION_KINDS = ("text", "textarea", "choice", "choices", "rating")
#: a 受付票's code: no 0/O, 1/I/L, 2/Z, 5/S, 8/B, so it reads back the way it was typed
TICKET_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
TICKET_LENGTH = 6


class EventSeries(Base):
    """Sessions that belong together (連続講座), with a page of their own."""

    __tablename__ = "event_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    summary: Mapped[str] = mapped_column(sa.String(300), default="")
    #: Markdown, sanitised when rendered
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: the organiser; None means the secretariat (事務局)
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization | None] = relationship()
    events: Mapped[list["Event"]] = relationship(back_populates="series", order_by="Event.starts_at")

    def __repr__(self) -> str:
        return f"<EventSeries {self.id}>"


class SeatFigures:
    """What an event's seat badge says, from its `status`, `allocation`, `drawn_at`, `capacity` and counters
    (`confirmed_count`, `waitlist_count`, `applied_count`): an Event's, or the figures a list fills in per
    request (events.seats.Seats)."""

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.confirmed_count, 0)

    @property
    def few_seats_left(self) -> bool:
        """残りわずか: a tenth of the seats or three, whichever is more, and not yet full."""
        return 0 < self.seats_left <= max(3, self.capacity // 10)

    @property
    def is_full(self) -> bool:
        return self.confirmed_count >= self.capacity

    @property
    def is_lottery(self) -> bool:
        return self.allocation == "lottery"

    @property
    def draw_done(self) -> bool:
        return self.drawn_at is not None

    @property
    def awaiting_draw(self) -> bool:
        return self.is_lottery and self.drawn_at is None

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"


class Event(SeatFigures, Base):
    """A seminar, 相談会, meeting, conference or training session."""

    __tablename__ = "events"
    __table_args__ = (
        sa.CheckConstraint("confirmed_count >= 0 AND confirmed_count <= capacity", name="seats_within_capacity"),
        sa.CheckConstraint("waitlist_count >= 0 AND applied_count >= 0", name="counts_not_negative"),
        # The calendar (upcoming soonest first, past latest first) walks an index in order.
        # SQLite's planner (no statistics) takes `deleted_at IS NULL` as an equality and
        # orders by the next columns; PostgreSQL's does not, so it gets a partial index.
        sa.Index("ix_events_listing", "deleted_at", "starts_at", "id").ddl_if(dialect="sqlite"),
        sa.Index("ix_events_listing_live", "starts_at", "id",
                 postgresql_where=sa.text("deleted_at IS NULL")).ddl_if(dialect="postgresql"),
        one_of("kind", KINDS),
        one_of("format", FORMATS),
        one_of("audience", AUDIENCES),
        one_of("status", STATUSES),
        one_of("allocation", ALLOCATIONS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(20), index=True)
    #: venue | online | hybrid
    format: Mapped[str] = mapped_column(sa.String(10))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: last moment to sign up (or to apply, for a lottery); None: until the start
    signup_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int]
    waitlist_enabled: Mapped[bool] = mapped_column(default=True)
    #: public | members (RAN会員限定)
    audience: Mapped[str] = mapped_column(sa.String(10), default="public")
    #: JIS code; None for online-only events
    prefecture: Mapped[str | None] = mapped_column(sa.String(2), index=True)
    venue: Mapped[str] = mapped_column(sa.String(200), default="")
    #: shown only to confirmed attendees, organisers and admins; never in the API
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    summary: Mapped[str] = mapped_column(sa.String(300))
    #: Markdown, sanitised when rendered
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: the organiser; None means the secretariat (事務局)
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    series_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event_series.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")
    #: first-come | lottery
    allocation: Mapped[str] = mapped_column(sa.String(12), default="first-come")
    #: most confirmed seats per company (1社あたりの上限); None: no cap
    per_organization_cap: Mapped[int | None]
    #: seat counter, changed only by conditional updates (never count-then-insert)
    confirmed_count: Mapped[int] = mapped_column(default=0)
    waitlist_count: Mapped[int] = mapped_column(default=0)
    #: lottery applications waiting for the draw
    applied_count: Mapped[int] = mapped_column(default=0)
    #: last waitlist ticket handed out (FIFO order of the waitlist)
    waitlist_seq: Mapped[int] = mapped_column(default=0)
    #: 参加費 as the organiser writes it (無料 / 3,000円 当日払い); empty: not stated
    fee: Mapped[str] = mapped_column(sa.String(100), default="")
    #: the venue's address, for the map link
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    #: how registration answers are used; when set, registering needs the member's consent
    consent_note: Mapped[str] = mapped_column(sa.Text, default="")
    #: answers to the registration questions are deleted this many days after the event (None: kept)
    answer_retention_days: Mapped[int | None]
    answers_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the 出席コード attendees type in to check themselves in; None while self check-in is off
    checkin_code: Mapped[str | None] = mapped_column(sa.String(6))
    #: materials after the event, and the closing report (Markdown)
    slides_url: Mapped[str] = mapped_column(sa.String(500), default="")
    recording_url: Mapped[str] = mapped_column(sa.String(500), default="")
    report: Mapped[str] = mapped_column(sa.Text, default="")
    #: the cover picture (core.pictures)
    cover_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pictures.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when the lottery was drawn (the record is in lottery_draws)
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: soft delete: set instead of removing the row (an admin can restore)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    organization: Mapped[Organization | None] = relationship()
    series: Mapped[EventSeries | None] = relationship(back_populates="events")
    theme_rows: Mapped[list["EventTheme"]] = relationship(
        cascade="all, delete-orphan", order_by="EventTheme.theme"
    )
    #: theme slugs
    themes: AssociationProxy[list[str]] = association_proxy(
        "theme_rows", "theme", creator=lambda slug: EventTheme(theme=slug)
    )
    draw: Mapped["LotteryDraw | None"] = relationship(back_populates="event")
    #: loaded by the queries of pages that show it (lists, the event page): most event queries do not
    cover: Mapped[Picture | None] = relationship()
    questions: Mapped[list["EventQuestion"]] = relationship(
        cascade="all, delete-orphan", order_by=lambda: (EventQuestion.position, EventQuestion.id),
        back_populates="event",
    )

    #: whether it asks anything at signup, when the query selected it (SIGNUP_QUESTIONS_ASKED): no extra query
    asks_signup_questions: Mapped[bool | None] = query_expression()

    def questions_for(self, purpose: str) -> list["EventQuestion"]:
        return [question for question in self.questions if question.purpose == purpose]

    @property
    def has_ended(self) -> bool:
        return self.ends_at <= utcnow()

    @property
    def asks_at_signup(self) -> bool:
        """Registering takes a step of its own: questions to answer or consent to give."""
        if self.consent_note:
            return True
        asked = self.asks_signup_questions
        return bool(self.questions_for("signup")) if asked is None else bool(asked)

    @property
    def has_online_part(self) -> bool:
        return self.format in ("online", "hybrid")

    @property
    def has_venue(self) -> bool:
        return self.format in ("venue", "hybrid")

    def signup_closes_at(self) -> datetime:
        return self.signup_deadline or self.starts_at

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r}>"


class EventTheme(Base):
    """A theme an event is about."""

    __tablename__ = "event_themes"

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(sa.String(40), primary_key=True, index=True)


class Registration(Base):
    """A member's place at an event: confirmed, waitlisted, applied (lottery) or cancelled."""

    __tablename__ = "registrations"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "member_id"),
        sa.Index("ix_registrations_event_status", "event_id", "status", "queue_position"),
        one_of("status", REGISTRATION_STATES),
        one_of("attendance", ATTENDANCE),
        sa.UniqueConstraint("event_id", "ticket_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: None once the member erased their account (the row stays for the figures)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12))
    #: waitlist order (FIFO ticket, or rank in the lottery draw); None when not waitlisted
    queue_position: Mapped[int | None]
    #: the member's company, normalised, for the per-company cap (1社あたりの上限)
    affiliation_key: Mapped[str] = mapped_column(sa.String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: attended | absent | None (not marked yet)
    attendance: Mapped[str | None] = mapped_column(sa.String(10))
    #: the 24-hour reminder went out (set by a conditional update: never twice)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the 受付票's short code (also in its QR code), unique within the event
    ticket_code: Mapped[str | None] = mapped_column(sa.String(8), default=lambda: new_ticket_code())
    #: when the member was checked in at the 受付 (by the organiser or with the 出席コード)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the member agreed to the event's consent note when registering
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the survey was mailed (once) / answered (once)
    survey_mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    survey_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    member: Mapped[Member | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATES

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status}>"


class AffiliationSeat(Base):
    """Confirmed seats one company holds at one event (for the per-company cap)."""

    __tablename__ = "event_affiliation_seats"

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    affiliation_key: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    taken: Mapped[int] = mapped_column(default=0)


class LotteryDraw(Base):
    """The record of a lottery (抽選): seed, time, who drew, and the order it gave."""

    __tablename__ = "lottery_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    #: random hex string; the order follows from it and the applicants (see events.lottery.draw_order)
    seed: Mapped[str] = mapped_column(sa.String(64))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    drawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    #: registration ids of the applicants, ascending
    applicant_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    #: registration ids in drawn order
    drawn_order: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    #: registration ids confirmed by the draw
    winner_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    event: Mapped[Event] = relationship(back_populates="draw")
    drawn_by: Mapped[Member | None] = relationship()


def new_ticket_code() -> str:
    return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_LENGTH))


class EventQuestion(Base):
    """A question the organiser asks at registration or in the survey after the event."""

    __tablename__ = "event_questions"
    __table_args__ = (one_of("purpose", QUESTION_PURPOSES), one_of("kind", QUESTION_KINDS))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(10))
    kind: Mapped[str] = mapped_column(sa.String(10))
    label: Mapped[str] = mapped_column(sa.String(200))
    #: the options of a one- or several-choice question, in order
    choices: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="questions")

    @property
    def has_choices(self) -> bool:
        return self.kind in ("choice", "choices")

    def __repr__(self) -> str:
        return f"<EventQuestion {self.id} {self.purpose} {self.kind}>"


class EventAnswer(Base):
    """One registration's answer to one question: text, a choice, a list of choices or a rating."""

    __tablename__ = "event_answers"
    __table_args__ = (sa.UniqueConstraint("registration_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("event_questions.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registrations.id", ondelete="CASCADE"))
    value: Mapped[Any] = mapped_column(sa.JSON)


class CalendarFeed(Base):
    """A member's personal calendar at a secret address: all their confirmed registrations."""

    __tablename__ = "event_calendar_feeds"

    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


#: with_expression(Event.asks_signup_questions, SIGNUP_QUESTIONS_ASKED): the event page's button without loading
#: the questions
SIGNUP_QUESTIONS_ASKED = sa.exists().where(EventQuestion.event_id == Event.id, EventQuestion.purpose == "signup")
