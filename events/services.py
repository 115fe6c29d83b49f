"""The organiser's side of events: create, edit, cancel, delete, attendance, messages; and reading lists.

Registration and seats are in `events.registration`, the lottery in `events.lottery`,
series in `events.series`, reminders in `events.reminders`, who may do what in
`events.permissions`, and the refusals every one of them raises in `events.refusals`.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import defer, joinedload, selectinload

from alliance.models import Organization
from core.audit import audit
from core.db import db, utcnow
from events import questions, seats
from events.mail import mail_member
from events.models import (
    ACTIVE_STATES,
    CONFIRMED,
    AffiliationSeat,
    Event,
    EventAnswer,
    EventQuestion,
    Registration,
)
from events.refusals import ActionRefused
from events.registration import fill_seats, lock_event, withdraw
from events.search_index import index_event
from members import notifications
from members.models import Member

seats_table = AffiliationSeat.__table__
registrations_table = Registration.__table__

#: the longest an event may last (longer programmes are series): "upcoming or still running"
#: then becomes a range of start times, which the calendar index reads in order
MAX_EVENT_LENGTH = timedelta(days=31)
EARLIEST = datetime.min.replace(tzinfo=UTC)


def apply_form(event: Event, data: dict) -> None:
    """Copy validated form values onto an event (times already in UTC)."""
    for name in (
        "title", "kind", "format", "starts_at", "ends_at", "signup_deadline", "capacity",
        "waitlist_enabled", "audience", "venue", "online_url", "summary", "body",
        "allocation", "per_organization_cap", "status", "address", "fee", "consent_note", "answer_retention_days",
    ):
        if name in data:
            setattr(event, name, data[name])
    event.prefecture = data.get("prefecture") or None
    if not event.has_venue:
        event.venue = event.address = ""
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
        raise ActionRefused("capacity_below_confirmed", count=event.confirmed_count)
    registered = event.confirmed_count or event.waitlist_count or event.applied_count
    if data.get("allocation", event.allocation) != event.allocation and registered:
        raise ActionRefused("allocation_locked")
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
        mail_member(registration.member, "event_cancelled", event, registration=registration, reason=reason)
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
            if value != "attended":
                registration.checked_in_at = None  # the 受付 record goes with the mark
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
    readers = notifications.wanting("organiser_messages", [r.member_id for r in registrations if r.member_id])
    sent = 0
    for registration in registrations:
        if mail_member(registration.member, "event_message", event, subject=subject, body=body,
                       notification="organiser_messages", wants=registration.member_id in readers):
            sent += 1
    audit("event.message", event, actor=actor, recipients=sent, subject=subject)
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
        if registration.is_active and withdraw(event, registration, now):
            fill_seats(event, now)
    questions.erase_answers_of(member.id)
    db.session.execute(
        # The per-company key names the member's employer: it goes with the account.
        sa.update(registrations_table).where(registrations_table.c.member_id == member.id)
        .values(member_id=None, affiliation_key="")
    )


def export_member(member: Member) -> dict:
    """The member's registrations, for /members/me/export."""
    rows = db.session.execute(
        sa.select(Registration, Event.title, Event.starts_at).join(Event)
        .where(Registration.member_id == member.id).order_by(Registration.created_at, Registration.id)
    ).all()
    answers: dict[int, dict[str, list]] = {}
    for registration_id, purpose, label, value in db.session.execute(
        sa.select(EventAnswer.registration_id, EventQuestion.purpose, EventQuestion.label, EventAnswer.value)
        .join(EventQuestion).join(Registration, Registration.id == EventAnswer.registration_id)
        .where(Registration.member_id == member.id).order_by(EventQuestion.position, EventQuestion.id)
    ):
        answers.setdefault(registration_id, {}).setdefault(purpose, []).append({"question": label, "answer": value})
    return {"event_registrations": [
        {"event_id": registration.event_id, "event_title": title, "event_starts_at": starts_at.isoformat(),
         "status": registration.status, "waitlist_position": registration.queue_position,
         "registered_at": registration.created_at.isoformat(), "attendance": registration.attendance,
         "checked_in_at": registration.checked_in_at.isoformat() if registration.checked_in_at else None,
         "ticket_code": registration.ticket_code,
         "employer_key_for_company_caps": registration.affiliation_key,
         "registration_answers": answers.get(registration.id, {}).get("signup", []),
         "survey_answers": answers.get(registration.id, {}).get("survey", [])}
        for registration, title, starts_at in rows
    ]}


# --- reading -------------------------------------------------------------------


def listed_events_query(now: datetime, *, past: bool = False):
    """Published and cancelled events, upcoming (soonest first) or past (latest first)."""
    query = (
        sa.select(Event)
        .where(Event.deleted_at.is_(None), Event.status.in_(("published", "cancelled")))
        # Lists show no event's body, and of the organiser only its name and address; their seats are filled in
        # per response (events.seats), so that a registration re-renders no list.
        .options(defer(Event.body), selectinload(Event.theme_rows), joinedload(Event.cover),
                 joinedload(Event.organization).load_only(Organization.slug, Organization.name),
                 *seats.WITHOUT_SEATS)
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
