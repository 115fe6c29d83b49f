"""Series: one signup for every upcoming session of a programme."""

from dataclasses import dataclass
from datetime import datetime

from core.db import utcnow
from events.models import Event, EventSeries, Registration
from events.refusals import RegistrationRefused
from events.registration import register, registration_of
from members.models import Member


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
