"""What events add to pages other blueprints own (registered on core.hooks)."""

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from core.db import db, utcnow
from core.hooks import Figure, render_section
from events import services
from events.models import ACTIVE_STATES, CANCELLED, Event, Registration

HOME_LIMIT = 4
ORGANIZATION_LIMIT = 5
MEMBER_LIMIT = 20



def home_section() -> Markup:
    """The next events on the home page."""
    events = services.upcoming_events(HOME_LIMIT)
    return render_section("events/_home_section.html", events=events)


def organization_section(organization) -> Markup | None:
    """An organisation's upcoming events on its page (nothing when it has none)."""
    events = services.upcoming_events(ORGANIZATION_LIMIT, organization.id, only_org=True)
    if not events:
        return None
    return render_section("events/_organization_section.html", events=events, organization=organization)


def member_section(member) -> Markup:
    """"My registrations" on /members/me: upcoming first, then the latest past ones."""
    now = utcnow()
    base = (
        sa.select(Registration)
        .join(Event)
        .where(Registration.member_id == member.id, Event.deleted_at.is_(None), Event.status != "draft")
        .options(joinedload(Registration.event).selectinload(Event.theme_rows))
    )
    upcoming = db.session.scalars(
        base.where(Event.ends_at >= now, Registration.status != CANCELLED)
        .order_by(Event.starts_at).limit(MEMBER_LIMIT)
    ).unique().all()
    past = db.session.scalars(
        base.where(Event.ends_at < now, Registration.status.in_(ACTIVE_STATES))
        .order_by(Event.starts_at.desc()).limit(MEMBER_LIMIT)
    ).unique().all()
    positions = _waitlist_positions([r for r in upcoming if r.status == "waitlisted"])
    return render_section("events/_member_section.html", upcoming=upcoming, past=past, positions=positions)


def _waitlist_positions(registrations: list[Registration]) -> dict[int, int]:
    return {r.id: services.waitlist_position(r) for r in registrations[:MEMBER_LIMIT]}


def impact_figures() -> list[Figure]:
    """Events held, registrations and attendances on /impact."""
    now = utcnow()
    held = db.session.scalar(
        sa.select(sa.func.count()).select_from(Event)
        .where(Event.deleted_at.is_(None), Event.status == "published", Event.ends_at < now)
    )
    registrations = db.session.scalar(
        sa.select(sa.func.count()).select_from(Registration).join(Event)
        .where(Event.deleted_at.is_(None), Event.status != "draft", Registration.status != CANCELLED)
    )
    attended = db.session.scalar(
        sa.select(sa.func.count()).select_from(Registration).join(Event)
        .where(Event.deleted_at.is_(None), Registration.attendance == "attended")
    )
    return [
        Figure(_("Events held"), held, _("seminars, consultation sessions, meetings and trainings")),
        Figure(_("Event registrations"), registrations, _("confirmed, waitlisted and lottery entries")),
        Figure(_("Attendances"), attended, _("marked by the organisers after each event")),
    ]



