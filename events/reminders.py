"""The reminder the day before an event: each confirmed registration is mailed once."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from core.db import db, utcnow
from events.models import CONFIRMED, Event, Registration
from events.registration import mail_each_once

REMINDER_WINDOW = timedelta(hours=24)


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
    return mail_each_once(due, "reminded_at", "event_reminder", "event_reminders", now,
                          lambda registration: {"registration": registration})
