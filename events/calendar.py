"""iCalendar files of events (the `icalendar` library), times in Asia/Tokyo."""

from dataclasses import dataclass
from datetime import UTC, timedelta
from functools import lru_cache
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import sqlalchemy as sa
from flask import Response, current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from core import refdata
from core.db import db, utcnow
from core.i18n import current_language
from core.routing import site_url
from events.models import Event

TOKYO = ZoneInfo("Asia/Tokyo")
#: how far back the feed reaches, and how many events it holds at most
FEED_HISTORY = timedelta(days=180)
FEED_LIMIT = 500


def feed_events() -> list[Event]:
    """Published (and cancelled, so calendars drop them) events from the last months on."""
    return list(
        db.session.scalars(
            sa.select(Event)
            .where(
                Event.deleted_at.is_(None),
                Event.status.in_(("published", "cancelled")),
                Event.ends_at >= utcnow() - FEED_HISTORY,
            )
            .options(selectinload(Event.theme_rows))
            .order_by(Event.starts_at, Event.id)
            .limit(FEED_LIMIT)
        )
    )


def _location(event: Event) -> str:
    place = refdata.prefecture_name(event.prefecture)
    if event.has_venue and event.audience == "public" and event.venue:
        venue = f"{event.venue} {event.address}".strip()
        place = f"{venue} ({place})" if place else venue
    if event.format == "online":
        return _("Online")
    if event.format == "hybrid":
        return f"{place} / {_('Online')}"
    return place


def build_calendar(events: list[Event], *, name: str | None = None) -> icalendar.Calendar:
    """A VCALENDAR with one VEVENT per event and the Asia/Tokyo VTIMEZONE."""
    host = urlsplit(current_app.config.get("SITE_URL", "")).netloc or "ran-hub.jp"
    cal = icalendar.Calendar()
    cal.add("prodid", "-//RAN hub//Events//JA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name or _("RAN hub events"))
    cal.add("x-wr-timezone", "Asia/Tokyo")
    stamp = utcnow()
    for event in events:
        url = site_url("events.detail", event_id=event.id)
        vevent = icalendar.Event()
        vevent.add("uid", f"event-{event.id}@{host}")
        vevent.add("dtstamp", stamp)
        vevent.add("last-modified", event.updated_at)
        vevent.add("dtstart", event.starts_at.astimezone(TOKYO))
        vevent.add("dtend", event.ends_at.astimezone(TOKYO))
        vevent.add("summary", event.title)
        vevent.add("description", f"{event.summary}\n\n{url}")
        vevent.add("location", _location(event))
        vevent.add("url", url)
        vevent.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
        themes = [refdata.theme_name(slug) for slug in event.themes]
        if themes:
            vevent.add("categories", themes)
        cal.add_component(vevent)
    cal.add_missing_timezones()
    return cal


def ics_response(cal: icalendar.Calendar, filename: str) -> Response:
    return Response(
        cal.to_ical(),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


# --- "add to calendar" links of the web calendars (by URL only: no script of theirs on our pages) -----------


def _utc_stamp(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class CalendarLinks:
    google: str
    outlook: str


@lru_cache(maxsize=1024)
def _links(event_id: int, language: str, site: str, title: str, summary: str, starts_at, ends_at,
           location: str) -> CalendarLinks:
    details = f"{summary}\n\n{site_url('events.detail', event_id=event_id)}"
    return CalendarLinks(
        google="https://calendar.google.com/calendar/render?" + urlencode({
            "action": "TEMPLATE", "text": title, "dates": f"{_utc_stamp(starts_at)}/{_utc_stamp(ends_at)}",
            "details": details, "location": location, "ctz": "Asia/Tokyo",
        }),
        outlook="https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode({
            "path": "/calendar/action/compose", "rru": "addevent", "subject": title,
            "startdt": starts_at.astimezone(UTC).isoformat(), "enddt": ends_at.astimezone(UTC).isoformat(),
            "body": details, "location": location,
        }),
    )


def calendar_links(event: Event) -> CalendarLinks:
    """Google Calendar's and Outlook's "add" links, built once per event text, times, place and language."""
    return _links(event.id, current_language(), current_app.config.get("SITE_URL", ""),
                  event.title, event.summary, event.starts_at, event.ends_at, _location(event))


def map_url(event: Event) -> str:
    """A map search for the venue's address (Google Maps' documented URL form)."""
    return "https://www.google.com/maps/search/?" + urlencode({"api": "1", "query": event.address})
