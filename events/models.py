"""Events, their registrations and waitlists, series of sessions and lottery draws."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.models import Organization
from core.db import Base, UTCDateTime, one_of, utcnow
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


class Event(Base):
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

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.confirmed_count, 0)

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
