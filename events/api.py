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
from events import questions, refusals, seats, services
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
    return {**_event_fields(event), **seats.seats_json(event)}


def _event_fields(event: Event) -> dict:
    """The public event object but its seats (which a list fills in per request: events.seats)."""
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
    return list_page(query, _event_fields, public_as="api.events", complete=seats.with_seats_json)


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
    """One published event, with the questions its registration asks."""
    event = _public_event_or_404(event_id)
    return jsonify({**event_json(event), "fee": event.fee, "consent_note": event.consent_note,
                    "registration_questions": [question_json(question) for question in event.questions_for("signup")]})


def question_json(question) -> dict:
    return {"id": question.id, "kind": question.kind, "label": question.label, "choices": list(question.choices),
            "required": question.required}


def _registration_json(registration: Registration, position: int | None) -> dict:
    return {"status": registration.status, "position": position}


def _refuse(refused: refusals.RegistrationRefused):
    db.session.rollback()
    raise ApiError(REFUSAL_STATUS.get(refused.reason, 409), refused.message)


def _reject_bad_body() -> None:
    """The endpoints take no body; a malformed JSON one is a client error (400)."""
    if request.content_length and request.is_json and request.get_json(silent=True) is None:
        raise ApiError(400, _("The request body is not valid JSON."))


def _answers_form(event: Event):
    """The body's `answers` and `consent`, checked by the same form as the signup page; 422 with what is wrong."""
    body = request.get_json(silent=True) if request.content_length else None
    if body is not None and not isinstance(body, dict):
        raise ApiError(422, _("The request body must be a JSON object."))
    answers, consent = (body or {}).get("answers"), (body or {}).get("consent")
    if answers is not None and (not isinstance(answers, dict) or not all(
            isinstance(value, str) or (isinstance(value, list) and all(isinstance(item, str) for item in value))
            for value in answers.values())):
        raise ApiError(422, _("`answers` must map question ids to a text or a list of texts."))
    if consent is not None and not isinstance(consent, bool):
        raise ApiError(422, _("`consent` must be true or false."))
    asked = event.questions_for("signup")
    try:
        formdata = questions.api_formdata(asked, answers, consent)
    except questions.UnknownQuestion as unknown:
        raise ApiError(422, _("This event asks no question with the id %(id)s.", id=str(unknown)[:20])) from None
    form = questions.answers_form(asked, consent_note=event.consent_note, formdata=formdata, csrf=False)
    if not form.validate():
        labels = {questions.field_name(question): question.label for question in asked}
        labels["consent"] = _("Consent")
        problems = [f"{labels.get(name, name)}: {errors[0]}" for name, errors in form.errors.items()]
        raise ApiError(422, " / ".join(problems))
    return asked, form


@bp.post("/events/<int:event_id>/registration")
@token_required
def create_registration(event_id: int):
    """Register the token's member: confirmed, waitlisted (with position) or applied (lottery); the event's
    registration questions are answered in the body."""
    _reject_bad_body()
    require_confirmed(g.api_member)
    event = _public_event_or_404(event_id)
    try:
        registration = register(event, g.api_member)
    except refusals.RegistrationRefused as refused:
        _refuse(refused)
    try:
        # After the rules (a full or closed event says so first); nothing is kept when the answers are wrong.
        asked, form = _answers_form(event)
    except ApiError:
        db.session.rollback()
        raise
    questions.save_answers(registration, asked, form)
    if event.consent_note:
        registration.consented_at = utcnow()
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
            "ticket_code": r.ticket_code if r.status == "confirmed" else None,
            "checked_in": r.attendance == "attended",
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
QUESTION_SCHEMA = {
    "type": "object",
    "required": ["id", "kind", "label", "choices", "required"],
    "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string", "enum": ["text", "textarea", "choice", "choices"],
                 "description": "text ≤ 200 characters, textarea ≤ 2,000, one of `choices`, or a list of them"},
        "label": {"type": "string"},
        "choices": {"type": "array", "items": {"type": "string"}},
        "required": {"type": "boolean"},
    },
}
EVENT_DETAIL_SCHEMA = {
    "allOf": [
        {"$ref": "#/components/schemas/Event"},
        {"type": "object",
         "required": ["fee", "consent_note", "registration_questions"],
         "properties": {
             "fee": {"type": "string", "description": "参加費 as the organiser writes it; empty: not stated"},
             "consent_note": {"type": "string",
                              "description": "how answers are used; when not empty, registering needs consent: true"},
             "registration_questions": {"type": "array", "items": {"$ref": "#/components/schemas/Question"}},
         }},
    ],
}
REGISTRATION_REQUEST_SCHEMA = {
    "type": "object",
    "properties": {
        "answers": {
            "type": "object",
            "description": "question id → a text (text, textarea, choice) or a list of texts (choices)",
            "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        },
        "consent": {"type": "boolean", "description": "agreement to the event's consent_note"},
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
        "ticket_code": {"type": ["string", "null"], "description": "the 受付票's code (confirmed places only)"},
        "checked_in": {"type": "boolean", "description": "checked in at the 受付 (or marked present)"},
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
            "responses": {"200": {"description": "the event",
                                  **json_content({"$ref": "#/components/schemas/EventDetail"})},
                          **error_responses(404)},
        }
    },
    "/events/{event_id}/registration": {
        "post": {
            "summary": "Register for an event (confirmed, waitlisted, or a lottery application)",
            "description": "Events with registration questions (see `GET /events/{event_id}`) take the answers "
                           "in the body; a required question left empty, an unknown question id or missing "
                           "consent is 422.",
            "security": _BEARER,
            "parameters": [_EVENT_ID],
            "requestBody": {"required": False,
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/"
                                                                                  "RegistrationRequest"}}}},
            "responses": {
                "201": {"description": "registered",
                        **json_content({"$ref": "#/components/schemas/RegistrationResult"})},
                **error_responses(400, 401, 403, 404, 409, 422, 429),
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
    "EventDetail": EVENT_DETAIL_SCHEMA,
    "Question": QUESTION_SCHEMA,
    "RegistrationRequest": REGISTRATION_REQUEST_SCHEMA,
    "RegistrationResult": REGISTRATION_RESULT_SCHEMA,
    "MyRegistration": MY_REGISTRATION_SCHEMA,
}
