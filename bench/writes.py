"""Writes for the benchmarks: another member's registration, the busiest write of an event day."""

import threading
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa

from core.db import db, utcnow
from events import registration
from events.models import Event
from members.models import Member


def other_member_and_event(event_id: int) -> tuple[int, int]:
    """Another RAN member and an upcoming event that takes them: the registration written between requests."""
    member = db.session.scalar(sa.select(Member).where(Member.is_admin.is_(False)).order_by(Member.id.desc()).limit(1))
    candidates = db.session.scalars(
        sa.select(Event).where(Event.id != event_id, Event.status == "published", Event.deleted_at.is_(None),
                               Event.starts_at > utcnow() + timedelta(days=7), Event.allocation == "first-come")
        .order_by(Event.starts_at, Event.id).limit(100))
    event = next(event for event in candidates if registration.refusal_for(event, member) is None)
    return member.id, event.id


def toggle_registration(application, member_id: int, event_id: int) -> None:
    """Register the member (or cancel their place) as the event page does, and commit."""
    with application.app_context():
        event, member = db.session.get(Event, event_id), db.session.get(Member, member_id)
        current = registration.registration_of(event, member)
        if current is not None and current.status in ("confirmed", "waitlisted"):
            registration.cancel_registration(event, member)
        else:
            registration.register(event, member)
        db.session.commit()


@contextmanager
def registrations_meanwhile(application, event_id: int, per_second: float):
    """While the block runs, a thread registers a member for another event and cancels again, `per_second` times
    a second, committed through `application` (another worker on the same database and versions). Yields a dict
    whose "writes" counts them."""
    with application.app_context():
        writer = other_member_and_event(event_id)
    done = {"writes": 0}
    stop = threading.Event()

    def write() -> None:
        while not stop.wait(1 / per_second):
            toggle_registration(application, *writer)
            done["writes"] += 1

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    try:
        yield done
    finally:
        stop.set()
        thread.join(30)
