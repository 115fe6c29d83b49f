"""Events in the JSON API: public list and detail, a member's registrations (bearer token)."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, joinedload, selectinload

from core.api import (
    DATE_OR_DATE_TIME_SCHEMA,
    LIMIT_PARAMETERS,
    PREFECTURE_PARAMETER,
    THEME_PARAMETER,
    ApiError,
    api_url,
    arg,
    error_responses,
    id_parameter,
    json_content,
    list_of,
    list_page,
    list_response,
    page_limit,
    page_offset,
    query_parameter,
    token_required,
    utc,
)
from core.auth import require_confirmed
from core.db import db, utcnow
from events import refusals, services
from events.models import ACTIVE_STATES, Event, Registration
from events.registration import cancel_registration, register, waitlist_position

bp = Blueprint("events_api", __name__, url_prefix="/api/v1")

TOKYO = ZoneInfo("Asia/Tokyo")

#: refusals of the registration endpoints and the status each answers with:
#: 403 the rules do not allow this member now, 409 the event's state conflicts
REFUSAL_STATUS = {
    "not_open": 404,
    "not_registered": 404,
    "members_only": 403,
    "closed": 403,
    "started": 403,
    "company_cap": 403,
    "cancelled": 409,
    "already": 409,
    "full": 409,
}


def _iso(value: datetime | None) -> str | None:
    """ISO 8601 in Asia/Tokyo with its offset: 2026-11-21T14:00:00+09:00."""
    return value.astimezone(TOKYO).isoformat() if value else None


def event_json(event: Event) -> dict:
    """The public event object. It never carries the online meeting URL."""
    return {
        "id": event.id,
        "title": event.title,
        "kind": event.kind,
        "format": event.format,
        "status": event.status,
        "starts_at": _iso(event.starts_at),
        "ends_at": _iso(event.ends_at),
        "signup_deadline": _iso(event.signup_deadline),
        "prefecture": event.prefecture,
        "themes": list(event.themes),
        "capacity": event.capacity,
        "confirmed_count": event.confirmed_count,
        "waitlist_count": event.waitlist_count,
        "seats_left": event.seats_left,
        "allocation": event.allocation,
        "audience": event.audience,
        "summary": event.summary,
        "organizer": event.organization.slug if event.organization else None,
        "series_id": event.series_id,
        "url": api_url("events.detail", event_id=event.id),
        "ics_url": api_url("events.event_ics", event_id=event.id),
    }


def _bound(name: str, *, end: bool) -> datetime | None:
    """`from`/`to` in UTC: a date is the start (or the end) of that day in Tokyo."""
    value = arg(name)
    if isinstance(value, date) and not isinstance(value, datetime):
        return utc(datetime.combine(value, time.max if end else time.min, tzinfo=TOKYO))
    return value


@bp.get("/events")
def list_events():
    """Published events, soonest first; from today on unless `from` says otherwise."""
    start, end = _bound("from", end=False), _bound("to", end=True)
    theme, prefecture = arg("theme"), arg("prefecture")
    query = services.listed_events_query(start or utcnow())
    if end is not None:
        query = query.where(Event.starts_at <= end)
    if theme:
        query = query.where(Event.theme_rows.any(theme=theme))
    if prefecture:
        query = query.where(Event.prefecture == prefecture)
    return list_page(query, event_json, public_as="api.events")


def _public_event_or_404(event_id: int) -> Event:
    event = db.session.scalars(
        sa.select(Event)
        .where(Event.id == event_id, Event.deleted_at.is_(None), Event.status.in_(("published", "cancelled")))
        .options(selectinload(Event.theme_rows), joinedload(Event.organization))
    ).first()
    if event is None:
        raise ApiError(404, _("No such event."))
    return event


@bp.get("/events/<int:event_id>")
def get_event(event_id: int):
    """One published event."""
    return jsonify(event_json(_public_event_or_404(event_id)))


def _registration_json(registration: Registration, position: int | None) -> dict:
    return {"status": registration.status, "position": position}


def _refuse(refused: refusals.RegistrationRefused):
    db.session.rollback()
    raise ApiError(REFUSAL_STATUS.get(refused.reason, 409), refused.message)


def _reject_bad_body() -> None:
    """The endpoints take no body; a malformed JSON one is a client error (400)."""
    if request.content_length and request.is_json and request.get_json(silent=True) is None:
        raise ApiError(400, _("The request body is not valid JSON."))


@bp.post("/events/<int:event_id>/registration")
@token_required
def create_registration(event_id: int):
    """Register the token's member: confirmed, waitlisted (with position) or applied (lottery)."""
    _reject_bad_body()
    require_confirmed(g.api_member)
    event = _public_event_or_404(event_id)
    try:
        registration = register(event, g.api_member)
    except refusals.RegistrationRefused as refused:
        _refuse(refused)
    position = waitlist_position(registration)
    db.session.commit()
    return jsonify(_registration_json(registration, position)), 201


@bp.delete("/events/<int:event_id>/registration")
@token_required
def delete_registration(event_id: int):
    """Cancel the token's member's registration; the waitlist moves up."""
    _reject_bad_body()
    event = _public_event_or_404(event_id)
    try:
        registration = cancel_registration(event, g.api_member)
    except refusals.RegistrationRefused as refused:
        _refuse(refused)
    db.session.commit()
    return jsonify(_registration_json(registration, None))


@bp.get("/me/registrations")
@token_required
def my_registrations():
    """The token's member's registrations, soonest event first."""
    limit, offset = page_limit(), page_offset()
    registrations = db.session.scalars(
        sa.select(Registration)
        .join(Event)
        .where(Registration.member_id == g.api_member.id, Event.deleted_at.is_(None), Event.status != "draft")
        .options(
            joinedload(Registration.event).selectinload(Event.theme_rows),
            joinedload(Registration.event).joinedload(Event.organization),
        )
        .order_by(Event.starts_at.desc(), Registration.id)
        .offset(offset)
        .limit(limit + 1)
    ).unique().all()
    positions = _positions([r for r in registrations[:limit] if r.status == "waitlisted"])
    items = [
        {
            "status": r.status,
            "position": positions.get(r.id),
            "registered_at": _iso(r.created_at),
            "active": r.status in ACTIVE_STATES,
            "event": event_json(r.event),
        }
        for r in registrations[:limit]
    ]
    return list_response(items, has_more=len(registrations) > limit, offset=offset, limit=limit)


def _positions(waitlisted: list[Registration]) -> dict[int, int]:
    """Waitlist positions of several registrations in one query."""
    if not waitlisted:
        return {}
    other = aliased(Registration)
    rows = db.session.execute(
        sa.select(Registration.id, sa.func.count(other.id))
        .join(other, sa.and_(other.event_id == Registration.event_id, other.status == "waitlisted",
                             sa.or_(other.queue_position < Registration.queue_position,
                                    sa.and_(other.queue_position == Registration.queue_position,
                                            other.id <= Registration.id))))
        .where(Registration.id.in_([r.id for r in waitlisted]))
        .group_by(Registration.id)
    ).all()
    return {rid: count for rid, count in rows}


# --- OpenAPI -----------------------------------------------------------------

_DATE_TIME = {"type": "string", "format": "date-time"}
EVENT_SCHEMA = {
    "type": "object",
    "required": ["id", "title", "kind", "format", "starts_at", "ends_at", "prefecture", "themes", "capacity",
                 "confirmed_count", "waitlist_count", "audience", "url"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "kind": {"type": "string", "enum": ["seminar", "consultation", "meeting", "conference", "training"]},
        "format": {"type": "string", "enum": ["venue", "online", "hybrid"]},
        "status": {"type": "string", "enum": ["published", "cancelled"]},
        "starts_at": _DATE_TIME,
        "ends_at": _DATE_TIME,
        "signup_deadline": {**_DATE_TIME, "type": ["string", "null"]},
        "prefecture": {"type": ["string", "null"], "description": "JIS X 0401 code"},
        "themes": {"type": "array", "items": {"type": "string"}},
        "capacity": {"type": "integer"},
        "confirmed_count": {"type": "integer"},
        "waitlist_count": {"type": "integer"},
        "seats_left": {"type": "integer"},
        "allocation": {"type": "string", "enum": ["first-come", "lottery"]},
        "audience": {"type": "string", "enum": ["public", "members"]},
        "summary": {"type": "string"},
        "organizer": {"type": ["string", "null"], "description": "organisation slug; null: the secretariat"},
        "series_id": {"type": ["integer", "null"]},
        "url": {"type": "string", "format": "uri"},
        "ics_url": {"type": "string", "format": "uri"},
    },
}
REGISTRATION_RESULT_SCHEMA = {
    "type": "object",
    "required": ["status", "position"],
    "properties": {
        "status": {"type": "string", "enum": ["confirmed", "waitlisted", "applied", "cancelled"]},
        "position": {"type": ["integer", "null"], "description": "place on the waitlist, 1 = next"},
    },
}
MY_REGISTRATION_SCHEMA = {
    "type": "object",
    "required": ["status", "position", "event"],
    "properties": {
        "status": {"type": "string", "enum": ["confirmed", "waitlisted", "applied", "cancelled"]},
        "position": {"type": ["integer", "null"]},
        "registered_at": _DATE_TIME,
        "active": {"type": "boolean"},
        "event": {"$ref": "#/components/schemas/Event"},
    },
}
_EVENT_ID = id_parameter("event_id")
_BEARER = [{"bearer": []}]

OPENAPI_PATHS = {
    "/events": {
        "get": {
            "summary": "Published events, soonest first",
            "parameters": [
                query_parameter("from", DATE_OR_DATE_TIME_SCHEMA,
                                "events ending at or after: a date (YYYY-MM-DD, from 0:00 in Asia/Tokyo) "
                                "or an RFC 3339 date-time with its offset; default: now"),
                query_parameter("to", DATE_OR_DATE_TIME_SCHEMA,
                                "events starting at or before: a date (to the end of that day in Asia/Tokyo) "
                                "or an RFC 3339 date-time with its offset"),
                THEME_PARAMETER,
                PREFECTURE_PARAMETER,
                *LIMIT_PARAMETERS,
            ],
            "responses": {"200": {"description": "events", **json_content(list_of("Event"))},
                          **error_responses(429)},
        }
    },
    "/events/{event_id}": {
        "get": {
            "summary": "One event",
            "parameters": [_EVENT_ID],
            "responses": {"200": {"description": "the event", **json_content({"$ref": "#/components/schemas/Event"})},
                          **error_responses(404)},
        }
    },
    "/events/{event_id}/registration": {
        "post": {
            "summary": "Register for an event (confirmed, waitlisted, or a lottery application)",
            "security": _BEARER,
            "parameters": [_EVENT_ID],
            "responses": {
                "201": {"description": "registered",
                        **json_content({"$ref": "#/components/schemas/RegistrationResult"})},
                **error_responses(400, 401, 403, 404, 409, 429),
            },
        },
        "delete": {
            "summary": "Cancel one's registration",
            "security": _BEARER,
            "parameters": [_EVENT_ID],
            "responses": {
                "200": {"description": "cancelled",
                        **json_content({"$ref": "#/components/schemas/RegistrationResult"})},
                **error_responses(400, 401, 403, 404),
            },
        },
    },
    "/me/registrations": {
        "get": {
            "summary": "The member's registrations",
            "security": _BEARER,
            "parameters": LIMIT_PARAMETERS,
            "responses": {"200": {"description": "registrations", **json_content(list_of("MyRegistration"))},
                          **error_responses(401)},
        }
    },
}
OPENAPI_SCHEMAS = {
    "Event": EVENT_SCHEMA,
    "RegistrationResult": REGISTRATION_RESULT_SCHEMA,
    "MyRegistration": MY_REGISTRATION_SCHEMA,
}
