"""A member's personal calendar at a secret address: every event they have a confirmed place at.

Calendar apps subscribe to the address and fetch it without a login, so the address is the key: 32 random
bytes, stored to be looked up (and shown again on マイページ), regenerable — the old address then stops working.
"""

import secrets

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from core.audit import audit
from core.db import db, utcnow
from core.forms import EmptyForm
from core.routing import site_url
from events.calendar import FEED_HISTORY, FEED_LIMIT, build_calendar, ics_response
from events.models import CONFIRMED, CalendarFeed, Event, Registration

bp = Blueprint("calendar_feed", __name__)


def feed_of(member_id: int) -> CalendarFeed | None:
    return db.session.get(CalendarFeed, member_id)


def feed_url(feed: CalendarFeed) -> str:
    return site_url("calendar_feed.feed", token=feed.token)


def renew(member_id: int) -> CalendarFeed:
    """Give the member a new secret address (the previous one stops working)."""
    feed = feed_of(member_id)
    if feed is None:
        feed = CalendarFeed(member_id=member_id)
        db.session.add(feed)
    feed.token = secrets.token_urlsafe(32)
    feed.created_at = utcnow()
    return feed


def member_events(member_id: int) -> list[Event]:
    return list(db.session.scalars(
        sa.select(Event).join(Registration, Registration.event_id == Event.id)
        .where(Registration.member_id == member_id, Registration.status == CONFIRMED,
               Event.deleted_at.is_(None), Event.status.in_(("published", "cancelled")),
               Event.ends_at >= utcnow() - FEED_HISTORY)
        .options(selectinload(Event.theme_rows))
        .order_by(Event.starts_at, Event.id).limit(FEED_LIMIT)
    ))


@bp.get("/members/me/calendar/<token>.ics")
def feed(token: str):
    if len(token) > 64:
        abort(404)
    found = db.session.scalars(sa.select(CalendarFeed).where(CalendarFeed.token == token)).first()
    if found is None or not secrets.compare_digest(found.token, token):
        abort(404)
    response = ics_response(build_calendar(member_events(found.member_id), name=_("My RAN hub events")),
                            "ran-hub-my-events.ics")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/members/me/calendar")
@login_required
def settings():
    """The member's calendar address, how to subscribe to it, and the button that makes a new one."""
    found = feed_of(current_user.id)
    return render_template("events/calendar_feed.html", feed=found, url=feed_url(found) if found else None,
                           form=EmptyForm())


@bp.post("/members/me/calendar")
@login_required
def regenerate():
    if not EmptyForm().validate_on_submit():
        abort(400)
    had_one = feed_of(current_user.id) is not None
    renew(current_user.id)
    audit("member.calendar_feed_renewed" if had_one else "member.calendar_feed_created", current_user)
    db.session.commit()
    flash(_("Your calendar has a new address. Subscribe to it in your calendar app; the old one no longer works.")
          if had_one else _("Your personal calendar address is ready. Subscribe to it in your calendar app."),
          "success")
    return redirect(url_for(".settings"))
