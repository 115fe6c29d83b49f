"""受付: each confirmed registration's 受付票 (a QR code and a short code), checking people in, and self check-in.

The QR code holds the check-in address of the ticket (`/events/<id>/checkin/<code>`): the organiser's scanner
reads the code from it, and a phone's own camera app opens the page that checks that person in. The code
alone is what a person reads out at the desk. Checking in marks the registration 出席 (attended), the same
mark the attendee list sets by hand, so the event's figures and /impact count it.
"""

import secrets
import unicodedata
from datetime import datetime, timedelta

import segno
import sqlalchemy as sa
from markupsafe import Markup

from core.audit import audit
from core.db import db, utcnow
from core.routing import site_url
from events.models import CONFIRMED, TICKET_ALPHABET, TICKET_LENGTH, Event, Registration, new_ticket_code
from members.models import Member

#: self check-in is accepted from this long before the start until this long after the end
SELF_CHECKIN_EARLY = timedelta(hours=1)
SELF_CHECKIN_LATE = timedelta(hours=1)
SELF_CHECKIN_DIGITS = 4


def unused_ticket_code(event_id: int) -> str:
    """A code no other registration of the event holds (the event row is locked by the caller)."""
    while True:
        code = new_ticket_code()
        taken = db.session.scalar(sa.select(Registration.id).where(Registration.event_id == event_id,
                                                                   Registration.ticket_code == code))
        if taken is None:
            return code


def normalise_code(text: str | None) -> str:
    """What was typed or scanned, as a code: full-width letters folded, case, spaces and hyphens ignored; a
    scanned check-in address gives its last part."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if "/" in text:
        text = text.rstrip("/").rsplit("/", 1)[-1]
    return "".join(char for char in text.upper() if char not in " -")[:TICKET_LENGTH + 2]


def looks_like_code(code: str) -> bool:
    return len(code) == TICKET_LENGTH and all(char in TICKET_ALPHABET for char in code)


def ticket_url(registration: Registration) -> str:
    return site_url("checkin.scanned", event_id=registration.event_id, code=registration.ticket_code)


def qr_svg(data: str, *, scale: int = 5) -> Markup:
    """The QR code as inline SVG (segno draws it on the server; no script, no image request)."""
    svg = segno.make(data, error="m").svg_inline(scale=scale, dark="#111", light="#fff", svgclass="qr",
                                                 lineclass=None, omitsize=False)
    return Markup(svg)  # noqa: S704  # nosec B704 - segno's own markup, drawn from our URL


def ticket_of(event: Event, member: Member) -> Registration | None:
    """The member's confirmed registration, which is their ticket."""
    return db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event.id, Registration.member_id == member.id,
                                      Registration.status == CONFIRMED)
    ).first()


def find_ticket(event: Event, code: str) -> Registration | None:
    if not looks_like_code(code):
        return None
    return db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event.id, Registration.ticket_code == code,
                                      Registration.status == CONFIRMED)
    ).first()


def check_in(registration: Registration, *, actor: Member | None, now: datetime | None = None) -> bool:
    """Mark the registration 出席; False when it already was."""
    if registration.checked_in_at is not None and registration.attendance == "attended":
        return False
    registration.attendance = "attended"
    registration.checked_in_at = now or utcnow()
    audit("event.check_in", registration.event, actor=actor, registration_id=registration.id,
          by="self" if actor is not None and actor.id == registration.member_id else "organiser")
    return True


def undo_check_in(registration: Registration, *, actor: Member) -> None:
    registration.attendance = None
    registration.checked_in_at = None
    audit("event.check_in_undone", registration.event, actor=actor, registration_id=registration.id)


def counts(event: Event) -> dict[str, int]:
    """Confirmed and checked-in registrations (one query)."""
    confirmed, present = db.session.execute(
        sa.select(sa.func.count(), sa.func.count(sa.case((Registration.attendance == "attended", 1))))
        .where(Registration.event_id == event.id, Registration.status == CONFIRMED)
    ).one()
    return {"confirmed": confirmed, "present": present}


# --- self check-in with the 出席コード -----------------------------------------------------


def open_self_checkin(event: Event, actor: Member) -> str:
    event.checkin_code = "".join(secrets.choice("0123456789") for _ in range(SELF_CHECKIN_DIGITS))
    audit("event.self_checkin_opened", event, actor=actor)
    return event.checkin_code


def close_self_checkin(event: Event, actor: Member) -> None:
    event.checkin_code = None
    audit("event.self_checkin_closed", event, actor=actor)


def self_checkin_open(event: Event, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (event.checkin_code is not None and event.status == "published"
            and event.starts_at - SELF_CHECKIN_EARLY <= now <= event.ends_at + SELF_CHECKIN_LATE)


def self_check_in(event: Event, member: Member, code: str, now: datetime | None = None) -> str:
    """"ok", "already", "closed" (not now), "wrong" (code) or "not_confirmed"."""
    now = now or utcnow()
    if not self_checkin_open(event, now):
        return "closed"
    registration = ticket_of(event, member)
    if registration is None:
        return "not_confirmed"
    typed = unicodedata.normalize("NFKC", code or "").strip()
    if not secrets.compare_digest(typed.encode(), (event.checkin_code or "").encode()):
        return "wrong"
    return "ok" if check_in(registration, actor=member, now=now) else "already"
