"""Seat badges on lists of events, filled in per response so that a registration re-renders no list.

A registration moves its event's seat counters (and `updated_at`) and nothing else of the
event. Those columns are a part of the events table with a version of its own
(core.dataversions.column_part): the lists — the events page, the home page's and an
organisation's upcoming events, the API's list — load their events without them
(`WITHOUT_SEATS`), and the pages write a mark where each badge goes (`mark`), so a kept list
outlives a registration. Before the response leaves, `fill_in` puts the badges in (the API:
`with_seats_json`), from figures kept per set of events until a seat or an event changes:
after a registration, one small query instead of the whole list.
"""

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

import sqlalchemy as sa
from flask import Flask, Response, get_template_attribute
from markupsafe import Markup
from sqlalchemy.orm import defer

from core import dataversions, fragments
from core.db import db
from core.i18n import translations_bound
from events.models import Event, SeatFigures

#: what a registration writes of an event (updated_at: the ORM's onupdate sets it with the counters)
SEAT_COLUMNS = ("confirmed_count", "waitlist_count", "applied_count", "waitlist_seq", "updated_at")
PART = "events:seats"
dataversions.column_part("events", PART, SEAT_COLUMNS)

#: a list's loader option: the counters stay out of the list's query, and reading one is an error, not a query
WITHOUT_SEATS = tuple(defer(getattr(Event, column), raiseload=True) for column in SEAT_COLUMNS)

# Random per process: no text of a page (escaped, or sanitised Markdown) can be taken for a mark.
_MARK = f"<!--seats-{secrets.token_hex(8)}:"
_MARKS = re.compile(re.escape(_MARK).encode() + rb"(\d+)-->")

FIGURES = sa.select(Event.id, Event.status, Event.allocation, Event.drawn_at, Event.capacity, Event.confirmed_count,
                    Event.waitlist_count, Event.applied_count).where(Event.id.in_(sa.bindparam("ids", expanding=True)))


@dataclass(frozen=True)
class Seats(SeatFigures):
    id: int
    status: str
    allocation: str
    drawn_at: datetime | None
    capacity: int
    confirmed_count: int
    waitlist_count: int
    applied_count: int


def mark(event: Event) -> Markup:
    """Where the event's seat badge goes in a kept list (the template global `seats_mark`)."""
    return Markup(f"{_MARK}{int(event.id)}-->")  # noqa: S704  # nosec B704 - a number in a fixed comment


def figures(ids: tuple[int, ...]) -> Mapping[int, Seats]:
    """The seat figures of the events `ids` (sorted), kept until a seat or an event changes."""
    return fragments.kept("events.seat_figures", ids, lambda: MappingProxyType(
        {row.id: Seats(*row) for row in db.session.execute(FIGURES, {"ids": list(ids)})}))


def seats_json(event: SeatFigures) -> dict:
    """The API's seat fields of an event."""
    return {"confirmed_count": event.confirmed_count, "waitlist_count": event.waitlist_count,
            "seats_left": event.seats_left}


def with_seats_json(items: list[dict]) -> list[dict]:
    """A kept list of the API's events (without seats) with each event's seats as they are now (an event deleted
    since the list was kept is left out; the list itself is then rendered again on the next request)."""
    known = figures(tuple(sorted(item["id"] for item in items)))
    return [{**item, **seats_json(known[item["id"]])} for item in items if item["id"] in known]


def _badges(ids: tuple[int, ...]) -> Mapping[int, str]:
    badge = get_template_attribute("events/_macros.html", "seats_badge")
    with translations_bound():
        return MappingProxyType({event_id: str(badge(seats)) for event_id, seats in figures(ids).items()})


def fill_in(response: Response) -> Response:
    """Put the seat badges into an HTML page that holds marks (after every part of the page is rendered, so
    that the figures read here are not taken for something a later fragment depends on)."""
    if response.direct_passthrough or response.is_streamed or response.mimetype != "text/html":
        return response
    body = response.get_data()
    if _MARK.encode() not in body:
        return response
    ids = tuple(sorted({int(found) for found in _MARKS.findall(body)}))
    badges = fragments.kept("events.seats", ids, lambda: _badges(ids))
    response.set_data(_MARKS.sub(lambda found: badges.get(int(found.group(1)), "").encode(), body))
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(seats_mark=mark)
    # Registered after the page cache, compression and the validators: Flask runs it before them.
    app.after_request(fill_in)
