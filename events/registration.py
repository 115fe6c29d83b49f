"""Seats, registration, the waitlist (補欠) and promotion.

Every change of seats starts by locking the event row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite writers already queue on ``BEGIN IMMEDIATE``), so operations
on one event are serialised and always take their locks in the same order. The
seat counter itself only moves through conditional updates
(``… SET confirmed_count = confirmed_count + 1 WHERE confirmed_count < capacity``),
never by counting rows and then inserting, so capacity holds even if a caller
forgot the lock.
"""

import re
import unicodedata
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from core import fragments
from core.db import db, utcnow
from core.routing import site_url
from events.checkin import unused_ticket_code
from events.mail import mail_member
from events.models import (
    ACTIVE_STATES,
    APPLIED,
    CANCELLED,
    CONFIRMED,
    WAITLISTED,
    AffiliationSeat,
    Event,
    Registration,
)
from events.refusals import RegistrationRefused
from members import notifications
from members.models import Member

events_table = Event.__table__
seats_table = AffiliationSeat.__table__

# --- normalisation ------------------------------------------------------------

_COMPANY_WORDS = re.compile(r"株式会社|\(株\)|有限会社|\(有\)|合同会社|\(同\)")
_SPACES = re.compile(r"\s+")


def normalise_affiliation(name: str | None) -> str:
    """A company name reduced for comparison: NFKC, casefold, no 株式会社/(株), no spaces."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = _COMPANY_WORDS.sub("", text)
    return _SPACES.sub("", text)[:120]


# --- seats ---------------------------------------------------------------------


def lock_event(event_id: int) -> Event | None:
    """Load the event afresh with a row lock (PostgreSQL); every seat change starts here."""
    return db.session.scalars(
        sa.select(Event)
        .where(Event.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def refresh_counters(event: Event) -> None:
    db.session.expire(event, ["confirmed_count", "waitlist_count", "applied_count", "waitlist_seq"])


def add_counters(event: Event, **deltas: int) -> None:
    values = {name: events_table.c[name] + delta for name, delta in deltas.items()}
    db.session.execute(sa.update(events_table).where(events_table.c.id == event.id).values(**values))
    refresh_counters(event)


def insert_ignore(table, **values):
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(table).values(**values).on_conflict_do_nothing()


def _take_affiliation_seat(event: Event, key: str) -> bool:
    db.session.execute(insert_ignore(seats_table, event_id=event.id, affiliation_key=key, taken=0))
    result = db.session.execute(
        sa.update(seats_table)
        .where(
            seats_table.c.event_id == event.id,
            seats_table.c.affiliation_key == key,
            seats_table.c.taken < event.per_organization_cap,
        )
        .values(taken=seats_table.c.taken + 1)
    )
    return result.rowcount == 1


def _release_affiliation_seat(event: Event, key: str) -> None:
    if event.per_organization_cap and key:
        db.session.execute(
            sa.update(seats_table)
            .where(seats_table.c.event_id == event.id, seats_table.c.affiliation_key == key, seats_table.c.taken > 0)
            .values(taken=seats_table.c.taken - 1)
        )


def _take_seat(event: Event, affiliation_key: str) -> str:
    """Take one seat with a conditional update: "ok", "full", or "company_cap"."""
    result = db.session.execute(
        sa.update(events_table)
        .where(events_table.c.id == event.id, events_table.c.confirmed_count < events_table.c.capacity)
        .values(confirmed_count=events_table.c.confirmed_count + 1)
    )
    if result.rowcount != 1:
        refresh_counters(event)
        return "full"
    if event.per_organization_cap and affiliation_key and not _take_affiliation_seat(event, affiliation_key):
        add_counters(event, confirmed_count=-1)
        return "company_cap"
    refresh_counters(event)
    return "ok"


def _release_seat(event: Event, affiliation_key: str) -> None:
    db.session.execute(
        sa.update(events_table)
        .where(events_table.c.id == event.id, events_table.c.confirmed_count > 0)
        .values(confirmed_count=events_table.c.confirmed_count - 1)
    )
    _release_affiliation_seat(event, affiliation_key)
    refresh_counters(event)


def _next_waitlist_ticket(event: Event) -> int:
    ticket = db.session.execute(
        sa.update(events_table)
        .where(events_table.c.id == event.id)
        .values(
            waitlist_seq=events_table.c.waitlist_seq + 1,
            waitlist_count=events_table.c.waitlist_count + 1,
        )
        .returning(events_table.c.waitlist_seq)
    ).scalar_one()
    refresh_counters(event)
    return ticket


# --- registration ------------------------------------------------------------


def refusal_for(event: Event, member, now: datetime | None = None) -> str | None:
    """Why this member cannot sign up now (None: they can); reads no registration."""
    now = now or utcnow()
    if event.deleted_at is not None or event.status == "draft":
        return "not_open"
    if event.status == "cancelled":
        return "cancelled"
    if now >= event.starts_at:
        return "started"
    if now >= event.signup_closes_at():
        return "closed"
    if event.audience == "members" and not getattr(member, "is_authenticated", False):
        return "members_only"
    return None


def _locked_registration(event: Event, member: Member, *conditions) -> Registration | None:
    """The member's registration for the event (meeting `conditions`), locked for the change."""
    return db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.member_id == member.id, *conditions)
        .with_for_update()
    ).first()


def register(event: Event, member: Member, now: datetime | None = None) -> Registration:
    """Confirm the member, waitlist them, or record their lottery application."""
    now = now or utcnow()
    event = lock_event(event.id)
    if event is None:
        raise RegistrationRefused("not_open")
    reason = refusal_for(event, member, now)
    if reason:
        raise RegistrationRefused(reason, event)
    registration = _locked_registration(event, member)
    if registration is not None and registration.is_active:
        raise RegistrationRefused("already", event)
    if registration is None:
        registration = Registration(event_id=event.id, member_id=member.id, created_at=now,
                                    ticket_code=unused_ticket_code(event.id))
    registration.affiliation_key = normalise_affiliation(member.organization_name)
    registration.cancelled_at = registration.attendance = registration.reminded_at = None
    registration.checked_in_at = registration.consented_at = None
    registration.confirmed_at = registration.queue_position = None

    if event.is_lottery:
        registration.status = APPLIED
        add_counters(event, applied_count=1)
        template = "event_applied"
    else:
        outcome = _take_seat(event, registration.affiliation_key)
        if outcome == "ok":
            registration.status = CONFIRMED
            registration.confirmed_at = now
            template = "event_confirmed"
        elif event.waitlist_enabled:
            registration.status = WAITLISTED
            registration.queue_position = _next_waitlist_ticket(event)
            template = "event_waitlisted"
        else:
            raise RegistrationRefused("full" if outcome == "full" else "company_cap", event)
    db.session.add(registration)
    db.session.flush()
    position = waitlist_position(registration)
    mail_member(member, template, event, registration=registration, position=position,
                ics_url=site_url("events.event_ics", event_id=event.id))
    return registration


def cancel_registration(event: Event, member: Member, now: datetime | None = None) -> Registration:
    """The member gives up their place; a freed seat goes to the waitlist."""
    now = now or utcnow()
    event = lock_event(event.id)
    if event is None:
        raise RegistrationRefused("not_registered")
    registration = _locked_registration(event, member, Registration.status.in_(ACTIVE_STATES))
    if registration is None:
        raise RegistrationRefused("not_registered", event)
    if now >= event.starts_at:
        raise RegistrationRefused("started", event)
    freed_seat = withdraw(event, registration, now)
    mail_member(member, "event_registration_cancelled", event, registration=registration)
    if freed_seat:
        fill_seats(event, now)
    return registration


def withdraw(event: Event, registration: Registration, now: datetime) -> bool:
    """Cancel one registration and give back what it held; True when it freed a seat."""
    previous = registration.status
    registration.status = CANCELLED
    registration.cancelled_at = now
    registration.queue_position = None
    if previous == CONFIRMED:
        _release_seat(event, registration.affiliation_key)
    elif previous == WAITLISTED:
        add_counters(event, waitlist_count=-1)
    elif previous == APPLIED:
        add_counters(event, applied_count=-1)
    db.session.flush()
    return previous == CONFIRMED


def fill_seats(event: Event, now: datetime | None = None) -> list[Registration]:
    """Promote waitlisted members, earliest first, while seats are free; each is mailed."""
    now = now or utcnow()
    if event.status != "published" or event.deleted_at is not None or now >= event.starts_at:
        return []
    promoted: list[Registration] = []
    if event.confirmed_count >= event.capacity or not event.waitlist_count:
        return promoted
    waiting = db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.status == WAITLISTED)
        .order_by(Registration.queue_position, Registration.id)
        .options(joinedload(Registration.member))
    ).all()
    for candidate in waiting:
        outcome = _take_seat(event, candidate.affiliation_key)
        if outcome == "full":
            break
        if outcome == "company_cap":
            continue  # this company already holds its share; the next one moves up
        candidate.status = CONFIRMED
        candidate.confirmed_at = now
        candidate.queue_position = None
        add_counters(event, waitlist_count=-1)
        promoted.append(candidate)
        mail_member(candidate.member, "event_promoted", event, registration=candidate)
    db.session.flush()
    return promoted


def waitlist_position(registration: Registration | None) -> int | None:
    """1 for the next member to move up; None when not waitlisted."""
    if registration is None or registration.status != WAITLISTED:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == registration.event_id,
            Registration.status == WAITLISTED,
            sa.or_(
                Registration.queue_position < registration.queue_position,
                sa.and_(
                    Registration.queue_position == registration.queue_position,
                    Registration.id < registration.id,
                ),
            ),
        )
    )
    return ahead + 1


def mail_each_once(due: list[Registration], column: str, template: str, notification: str, now: datetime,
                   context: Callable[[Registration], dict]) -> int:
    """Mail each registration's member once (reminders, surveys): the registration is stamped in `column` first, so
    a second or concurrent run sends nothing twice; how many mails were queued."""
    readers = notifications.wanting(notification, [registration.member_id for registration in due])
    sent = 0
    for registration in due:
        if stamp_once(registration, column, now) and mail_member(
                registration.member, template, registration.event, notification=notification,
                wants=registration.member_id in readers, **context(registration)):
            sent += 1
    return sent


def stamp_once(registration: Registration, column: str, now: datetime) -> bool:
    """Set a registration's `column` (reminded_at, survey_mailed_at, …) if it is still empty; whether this call did.

    The conditional update is the guard: a second run, even a concurrent one, finds nothing to do.
    """
    table = Registration.__table__
    return db.session.execute(
        sa.update(table).where(table.c.id == registration.id, table.c[column].is_(None)).values({column: now})
    ).rowcount == 1


# Built once: asked on every member's event page (SQLAlchemy keeps the statement's cache key with it).
REGISTRATION_OF = sa.select(Registration).where(Registration.event_id == sa.bindparam("event_id"),
                                                Registration.member_id == sa.bindparam("member_id"))


def registration_of(event: Event, member) -> Registration | None:
    """The member's registration for the event (any state), or None."""
    if not getattr(member, "is_authenticated", False):
        return None
    return db.session.scalars(REGISTRATION_OF, {"event_id": event.id, "member_id": member.id}).first()


def kept_registration_of(event: Event, member) -> Registration | None:
    """registration_of for the event page: kept per process until a registration is written (any: the page
    then asks once), so that a member's warm event page asks nothing."""
    if not getattr(member, "is_authenticated", False):
        return None
    return fragments.kept_row("events.registration_of", event.id, Registration,
                              lambda: registration_of(event, member), viewers=f"member:{member.id}")
