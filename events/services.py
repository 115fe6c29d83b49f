"""The rules of events: registration, waitlist, lottery, cancellation, reminders.

Every change of seats starts by locking the event row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite writers already queue on ``BEGIN IMMEDIATE``), so operations
on one event are serialised and always take their locks in the same order. The
seat counter itself only moves through conditional updates
(``… SET confirmed_count = confirmed_count + 1 WHERE confirmed_count < capacity``),
never by counting rows and then inserting, so capacity holds even if a caller
forgot the lock.
"""

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload, selectinload

from alliance.permissions import staff_organization_ids
from core.audit import audit
from core.auth import is_admin
from core.db import db, utcnow
from core.mail import send_template
from core.routing import site_url
from events.models import (
    ACTIVE_STATES,
    APPLIED,
    CANCELLED,
    CONFIRMED,
    WAITLISTED,
    AffiliationSeat,
    Event,
    EventSeries,
    LotteryDraw,
    Registration,
)
from events.search_index import index_event
from members.models import Member

events_table = Event.__table__
seats_table = AffiliationSeat.__table__
registrations_table = Registration.__table__

REMINDER_WINDOW = timedelta(hours=24)
#: the longest an event may last (longer programmes are series): "upcoming or still running"
#: then becomes a range of start times, which the calendar index reads in order
MAX_EVENT_LENGTH = timedelta(days=31)
EARLIEST = datetime.min.replace(tzinfo=UTC)

#: why a signup or cancellation is refused, with the message the member reads
REFUSALS = {
    "not_open": _l("This event is not open for registration."),
    "cancelled": _l("This event has been cancelled."),
    "closed": _l("Registration for this event has closed."),
    "started": _l("This event has already started."),
    "members_only": _l("This event is for RAN members only. Please log in."),
    "already": _l("You are already registered for this event."),
    "full": _l("This event is full and has no waitlist."),
    "company_cap": _l("The seats for members of your company at this event are all taken."),
    "not_registered": _l("You are not registered for this event."),
    "no_sessions": _l("This series has no upcoming session to register for."),
}

#: why an organiser action is refused
ACTION_ERRORS = {
    "not_lottery": _l("This event does not use a lottery."),
    "already_drawn": _l("The lottery of this event has already been drawn."),
    "too_early": _l("The lottery can be drawn only after the application deadline."),
    "not_open": _l("Only a published event can be drawn."),
    "already_cancelled": _l("This event has already been cancelled."),
    "not_started": _l("Attendance can be marked once the event has started."),
    "capacity_conflict": _l("The capacity is lower than the number of confirmed attendees."),
}


class RegistrationRefused(Exception):
    """A signup or cancellation that the rules do not allow."""

    def __init__(self, reason: str, event: Event | None = None):
        super().__init__(reason)
        self.reason = reason
        self.event = event

    @property
    def message(self) -> str:
        return str(REFUSALS[self.reason])


class ActionRefused(Exception):
    """An organiser action that the state of the event does not allow."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self) -> str:
        return str(ACTION_ERRORS[self.reason])


# --- who may do what -------------------------------------------------------


def can_manage(event: Event | EventSeries, user=None) -> bool:
    """Staff of the organising organisation, or an admin (secretariat events: admins only)."""
    if is_admin(user):
        return True
    return event.organization_id is not None and event.organization_id in staff_organization_ids(user)


def can_create_events(user=None) -> bool:
    return is_admin(user) or bool(staff_organization_ids(user))


def is_visible(event: Event, user=None) -> bool:
    """Published and cancelled events are public; drafts and deleted events only to organisers/admins."""
    if event.deleted_at is not None:
        return is_admin(user)
    if event.status == "draft":
        return can_manage(event, user)
    return True


def may_see_online_url(event: Event, registration: Registration | None, user=None) -> bool:
    """Confirmed attendees, organisers and admins only."""
    if can_manage(event, user):
        return True
    return registration is not None and registration.status == CONFIRMED


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


def _refresh_counters(event: Event) -> None:
    db.session.expire(event, ["confirmed_count", "waitlist_count", "applied_count", "waitlist_seq"])


def _add_counters(event: Event, **deltas: int) -> None:
    values = {name: events_table.c[name] + delta for name, delta in deltas.items()}
    db.session.execute(sa.update(events_table).where(events_table.c.id == event.id).values(**values))
    _refresh_counters(event)


def _insert_ignore(table, **values):
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(table).values(**values).on_conflict_do_nothing()


def _take_affiliation_seat(event: Event, key: str) -> bool:
    db.session.execute(_insert_ignore(seats_table, event_id=event.id, affiliation_key=key, taken=0))
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
        _refresh_counters(event)
        return "full"
    if event.per_organization_cap and affiliation_key and not _take_affiliation_seat(event, affiliation_key):
        _add_counters(event, confirmed_count=-1)
        return "company_cap"
    _refresh_counters(event)
    return "ok"


def _release_seat(event: Event, affiliation_key: str) -> None:
    db.session.execute(
        sa.update(events_table)
        .where(events_table.c.id == event.id, events_table.c.confirmed_count > 0)
        .values(confirmed_count=events_table.c.confirmed_count - 1)
    )
    _release_affiliation_seat(event, affiliation_key)
    _refresh_counters(event)


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
    _refresh_counters(event)
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


def _mail(member: Member | None, template: str, event: Event, **context) -> None:
    if member is None:
        return
    send_template(
        member.email, f"events/mail/{template}.txt", locale=member.locale, kind=template.replace("_", "."),
        event=event, member=member, event_url=site_url("events.detail", event_id=event.id), **context,
    )


def register(event: Event, member: Member, now: datetime | None = None) -> Registration:
    """Confirm the member, waitlist them, or record their lottery application."""
    now = now or utcnow()
    event = lock_event(event.id)
    if event is None:
        raise RegistrationRefused("not_open")
    reason = refusal_for(event, member, now)
    if reason:
        raise RegistrationRefused(reason, event)
    registration = db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.member_id == member.id)
        .with_for_update()
    ).first()
    if registration is not None and registration.is_active:
        raise RegistrationRefused("already", event)
    if registration is None:
        registration = Registration(event_id=event.id, member_id=member.id, created_at=now)
    registration.affiliation_key = normalise_affiliation(member.organization_name)
    registration.cancelled_at = registration.attendance = registration.reminded_at = None
    registration.confirmed_at = registration.queue_position = None

    if event.is_lottery:
        registration.status = APPLIED
        _add_counters(event, applied_count=1)
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
    _mail(member, template, event, registration=registration, position=position,
          ics_url=site_url("events.event_ics", event_id=event.id))
    return registration


def cancel_registration(event: Event, member: Member, now: datetime | None = None) -> Registration:
    """The member gives up their place; a freed seat goes to the waitlist."""
    now = now or utcnow()
    event = lock_event(event.id)
    if event is None:
        raise RegistrationRefused("not_registered")
    registration = db.session.scalars(
        sa.select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.member_id == member.id,
            Registration.status.in_(ACTIVE_STATES),
        )
        .with_for_update()
    ).first()
    if registration is None:
        raise RegistrationRefused("not_registered", event)
    if now >= event.starts_at:
        raise RegistrationRefused("started", event)
    freed_seat = _withdraw(event, registration, now)
    _mail(member, "event_registration_cancelled", event, registration=registration)
    if freed_seat:
        fill_seats(event, now)
    return registration


def _withdraw(event: Event, registration: Registration, now: datetime) -> bool:
    """Cancel one registration and give back what it held; True when it freed a seat."""
    previous = registration.status
    registration.status = CANCELLED
    registration.cancelled_at = now
    registration.queue_position = None
    if previous == CONFIRMED:
        _release_seat(event, registration.affiliation_key)
    elif previous == WAITLISTED:
        _add_counters(event, waitlist_count=-1)
    elif previous == APPLIED:
        _add_counters(event, applied_count=-1)
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
        _add_counters(event, waitlist_count=-1)
        promoted.append(candidate)
        _mail(candidate.member, "event_promoted", event, registration=candidate)
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


def registration_of(event: Event, member) -> Registration | None:
    """The member's registration for the event (any state), or None."""
    if not getattr(member, "is_authenticated", False):
        return None
    return db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event.id, Registration.member_id == member.id)
    ).first()


# --- series --------------------------------------------------------------------


@dataclass
class SeriesOutcome:
    event: Event
    registration: Registration
    new: bool


def series_sessions(series: EventSeries) -> list[Event]:
    """The visible sessions of a series, in date order."""
    return [e for e in series.events if e.deleted_at is None and e.status != "draft"]


def register_series(series: EventSeries, member: Member, now: datetime | None = None) -> list[SeriesOutcome]:
    """Register for every upcoming session at once: all or nothing (the caller rolls back on refusal)."""
    now = now or utcnow()
    upcoming = sorted(
        (e for e in series_sessions(series) if e.starts_at > now), key=lambda e: (e.starts_at, e.id)
    )
    if not upcoming:
        raise RegistrationRefused("no_sessions")
    outcomes = []
    for event in upcoming:
        existing = registration_of(event, member)
        if existing is not None and existing.is_active:
            outcomes.append(SeriesOutcome(event, existing, False))
            continue
        outcomes.append(SeriesOutcome(event, register(event, member, now), True))
    if not any(outcome.new for outcome in outcomes):
        raise RegistrationRefused("already")
    return outcomes


# --- lottery -------------------------------------------------------------------


def draw_order(seed: str, applicant_ids: list[int]) -> list[int]:
    """The drawn order: applicants sorted by SHA-256 of "<seed>:<registration id>".

    Anyone holding the seed and the list of applicants can recompute it.
    """
    return sorted(applicant_ids, key=lambda rid: (hashlib.sha256(f"{seed}:{rid}".encode()).hexdigest(), rid))


def allocate(order: list[int], affiliations: dict[int, str], seats: int, cap: int | None) -> list[int]:
    """Winners of a drawn order: the first ones that fit the seats and the per-company cap."""
    winners: list[int] = []
    per_company: dict[str, int] = {}
    for rid in order:
        if len(winners) >= seats:
            break
        key = affiliations.get(rid, "")
        if cap and key and per_company.get(key, 0) >= cap:
            continue
        winners.append(rid)
        if key:
            per_company[key] = per_company.get(key, 0) + 1
    return winners


def draw_lottery(event: Event, actor: Member, now: datetime | None = None, seed: str | None = None) -> LotteryDraw:
    """Draw the lottery: winners confirmed, the others waitlisted in drawn order; recorded and mailed."""
    now = now or utcnow()
    event = lock_event(event.id)
    if not event.is_lottery:
        raise ActionRefused("not_lottery")
    if event.status != "published" or event.deleted_at is not None:
        raise ActionRefused("not_open")
    if event.drawn_at is not None or db.session.scalar(
        sa.select(LotteryDraw.id).where(LotteryDraw.event_id == event.id)
    ):
        raise ActionRefused("already_drawn")
    if now < event.signup_closes_at():
        raise ActionRefused("too_early")
    applicants = db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.status == APPLIED)
        .order_by(Registration.id)
        .options(joinedload(Registration.member))
    ).all()
    by_id = {r.id: r for r in applicants}
    seed = seed or secrets.token_hex(16)
    order = draw_order(seed, list(by_id))
    affiliations = {r.id: r.affiliation_key for r in applicants}
    seats = event.capacity - event.confirmed_count
    winners = allocate(order, affiliations, seats, event.per_organization_cap)
    winner_set = set(winners)

    # One guarded update for the seat counter: it cannot pass capacity.
    result = db.session.execute(
        sa.update(events_table)
        .where(events_table.c.id == event.id,
               events_table.c.confirmed_count + len(winners) <= events_table.c.capacity)
        .values(
            confirmed_count=events_table.c.confirmed_count + len(winners),
            applied_count=0,
            waitlist_count=events_table.c.waitlist_count + len(order) - len(winners),
            waitlist_seq=events_table.c.waitlist_seq + len(order) - len(winners),
        )
    )
    if result.rowcount != 1:
        raise ActionRefused("capacity_conflict")
    if event.per_organization_cap:
        taken: dict[str, int] = {}
        for rid in winners:
            if affiliations[rid]:
                taken[affiliations[rid]] = taken.get(affiliations[rid], 0) + 1
        for key, count in taken.items():
            db.session.execute(_insert_ignore(seats_table, event_id=event.id, affiliation_key=key, taken=0))
            db.session.execute(
                sa.update(seats_table)
                .where(seats_table.c.event_id == event.id, seats_table.c.affiliation_key == key)
                .values(taken=seats_table.c.taken + count)
            )
    base_ticket = event.waitlist_seq
    _refresh_counters(event)
    event.drawn_at = now
    ticket = base_ticket
    for rid in order:
        registration = by_id[rid]
        if rid in winner_set:
            registration.status = CONFIRMED
            registration.confirmed_at = now
        else:
            ticket += 1
            registration.status = WAITLISTED
            registration.queue_position = ticket
    draw = LotteryDraw(
        event_id=event.id, seed=seed, drawn_at=now, drawn_by_id=actor.id,
        applicant_ids=sorted(by_id), drawn_order=order, winner_ids=winners,
        details={
            "seats": seats,
            "per_organization_cap": event.per_organization_cap,
            "affiliations": {str(rid): key for rid, key in affiliations.items()},
        },
    )
    db.session.add(draw)
    db.session.flush()
    rank = 0
    for rid in order:
        registration = by_id[rid]
        if rid in winner_set:
            _mail(registration.member, "event_lottery_won", event, registration=registration)
        else:
            rank += 1
            _mail(registration.member, "event_lottery_waitlisted", event, registration=registration, position=rank)
    audit("event.lottery_draw", event, actor=actor, seed=seed, applicants=len(order), winners=len(winners))
    return draw


def verify_draw(draw: LotteryDraw) -> bool:
    """Recompute the order and the winners from the recorded seed and applicants."""
    order = draw_order(draw.seed, list(draw.applicant_ids))
    affiliations = {int(rid): key for rid, key in (draw.details or {}).get("affiliations", {}).items()}
    winners = allocate(order, affiliations, draw.details.get("seats", 0), draw.details.get("per_organization_cap"))
    return order == list(draw.drawn_order) and winners == list(draw.winner_ids)


# --- organiser actions ------------------------------------------------------------


def apply_form(event: Event, data: dict) -> None:
    """Copy validated form values onto an event (times already in UTC)."""
    for name in (
        "title", "kind", "format", "starts_at", "ends_at", "signup_deadline", "capacity",
        "waitlist_enabled", "audience", "venue", "online_url", "summary", "body",
        "allocation", "per_organization_cap", "status",
    ):
        if name in data:
            setattr(event, name, data[name])
    event.prefecture = data.get("prefecture") or None
    if not event.has_venue:
        event.venue = ""
    if not event.has_online_part:
        event.online_url = ""
    event.organization_id = data.get("organization_id")
    event.series_id = data.get("series_id")
    event.themes = list(dict.fromkeys(data.get("themes") or []))


def create_event(data: dict, actor: Member) -> Event:
    event = Event(created_by_id=actor.id)
    apply_form(event, data)
    db.session.add(event)
    db.session.flush()
    index_event(event)
    audit("event.create", event, actor=actor, status=event.status)
    return event


def update_event(event: Event, data: dict, actor: Member, now: datetime | None = None) -> Event:
    """Save an edit; more seats or a changed company cap take effect for the waitlist at once."""
    now = now or utcnow()
    event = lock_event(event.id)
    if data.get("capacity", event.capacity) < event.confirmed_count:
        raise ActionRefused("capacity_conflict")
    old_cap = event.per_organization_cap
    if data.get("status") == "draft" and event.status != "draft":
        data = {**data, "status": event.status}  # a published event cannot go back to draft
    apply_form(event, data)
    db.session.flush()
    index_event(event)
    if event.per_organization_cap != old_cap:
        _recount_affiliation_seats(event)
    if not event.awaiting_draw:
        fill_seats(event, now)
    audit("event.update", event, actor=actor)
    return event


def _recount_affiliation_seats(event: Event) -> None:
    db.session.execute(sa.delete(seats_table).where(seats_table.c.event_id == event.id))
    if not event.per_organization_cap:
        return
    rows = db.session.execute(
        sa.select(Registration.affiliation_key, sa.func.count())
        .where(Registration.event_id == event.id, Registration.status == CONFIRMED,
               Registration.affiliation_key != "")
        .group_by(Registration.affiliation_key)
    ).all()
    for key, count in rows:
        db.session.execute(sa.insert(seats_table).values(event_id=event.id, affiliation_key=key, taken=count))


def cancel_event(event: Event, actor: Member, reason: str = "", now: datetime | None = None) -> int:
    """Cancel the event (中止): registrations are kept, every registrant is mailed. Returns mails sent."""
    now = now or utcnow()
    event = lock_event(event.id)
    if event.status == "cancelled":
        raise ActionRefused("already_cancelled")
    event.status = "cancelled"
    event.cancelled_at = now
    index_event(event)
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATES))
        .options(joinedload(Registration.member))
    ).all()
    for registration in registrations:
        _mail(registration.member, "event_cancelled", event, registration=registration, reason=reason)
    audit("event.cancel", event, actor=actor, registrants=len(registrations), reason=reason)
    return len(registrations)


def delete_event(event: Event, actor: Member, now: datetime | None = None) -> None:
    """Soft delete: hidden everywhere, recoverable by an admin."""
    event.deleted_at = now or utcnow()
    index_event(event)
    audit("event.delete", event, actor=actor)


def restore_event(event: Event, actor: Member) -> None:
    event.deleted_at = None
    index_event(event)
    audit("event.restore", event, actor=actor)


def mark_attendance(event: Event, marks: dict[int, str | None], actor: Member,
                    now: datetime | None = None) -> int:
    """Record 出欠 for confirmed registrations; returns how many changed."""
    now = now or utcnow()
    if now < event.starts_at:
        raise ActionRefused("not_started")
    registrations = db.session.scalars(
        sa.select(Registration).where(
            Registration.event_id == event.id, Registration.status == CONFIRMED, Registration.id.in_(list(marks))
        )
    ).all()
    changed = 0
    for registration in registrations:
        value = marks[registration.id]
        if registration.attendance != value:
            registration.attendance = value
            changed += 1
    audit("event.attendance", event, actor=actor, changed=changed)
    return changed


def message_attendees(event: Event, subject: str, body: str, actor: Member) -> int:
    """Mail a message from the organiser to every confirmed attendee (through the outbox)."""
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.status == CONFIRMED)
        .options(joinedload(Registration.member))
    ).all()
    sent = 0
    for registration in registrations:
        if registration.member is not None:
            _mail(registration.member, "event_message", event, subject=subject, body=body)
            sent += 1
    audit("event.message", event, actor=actor, recipients=sent, subject=subject)
    return sent


def send_reminders(now: datetime | None = None) -> int:
    """Mail confirmed attendees of events starting within 24 hours; never twice."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Registration)
        .join(Event)
        .where(
            Registration.status == CONFIRMED,
            Registration.reminded_at.is_(None),
            Registration.member_id.is_not(None),
            Event.status == "published",
            Event.deleted_at.is_(None),
            Event.starts_at > now,
            Event.starts_at <= now + REMINDER_WINDOW,
        )
        .order_by(Registration.id)
        .options(joinedload(Registration.member), joinedload(Registration.event))
    ).all()
    sent = 0
    for registration in due:
        # The conditional update is the guard: a second run (even a concurrent one) finds nothing.
        claimed = db.session.execute(
            sa.update(registrations_table)
            .where(registrations_table.c.id == registration.id, registrations_table.c.reminded_at.is_(None))
            .values(reminded_at=now)
        ).rowcount
        if claimed == 1:
            _mail(registration.member, "event_reminder", registration.event, registration=registration)
            sent += 1
    return sent


def erase_member(member: Member) -> None:
    """Account deletion: give up future places (the waitlist moves up), then unlink the rest."""
    now = utcnow()
    upcoming = db.session.scalars(
        sa.select(Registration)
        .join(Event)
        .where(Registration.member_id == member.id, Registration.status.in_(ACTIVE_STATES),
               Event.starts_at > now)
        .order_by(Registration.event_id)
    ).all()
    for registration in upcoming:
        event = lock_event(registration.event_id)
        db.session.refresh(registration)
        if registration.is_active and _withdraw(event, registration, now):
            fill_seats(event, now)
    db.session.execute(
        sa.update(registrations_table).where(registrations_table.c.member_id == member.id).values(member_id=None)
    )


# --- reading -------------------------------------------------------------------


def listed_events_query(now: datetime, *, past: bool = False):
    """Published and cancelled events, upcoming (soonest first) or past (latest first)."""
    query = (
        sa.select(Event)
        .where(Event.deleted_at.is_(None), Event.status.in_(("published", "cancelled")))
        .options(selectinload(Event.theme_rows), joinedload(Event.organization))
    )
    if past:
        return query.where(Event.starts_at < now, Event.ends_at < now).order_by(Event.starts_at.desc(), Event.id.desc())
    # (`now` may be the API's `from`, as early as year 1: keep the subtraction in range)
    earliest_start = max(now, EARLIEST + MAX_EVENT_LENGTH) - MAX_EVENT_LENGTH
    return (query.where(Event.starts_at >= earliest_start, Event.ends_at >= now)
            .order_by(Event.starts_at, Event.id))


def upcoming_events(limit: int, organization_id: int | None = None, *, only_org: bool = False) -> list[Event]:
    query = listed_events_query(utcnow()).where(Event.status == "published")
    if only_org:
        query = query.where(Event.organization_id == organization_id)
    return list(db.session.scalars(query.limit(limit)))
