"""抽選: a recorded, re-checkable lottery for events with more applicants than seats.

The drawn order comes from a random seed and the applicants' ids alone, so anyone
holding the record can recompute it (`verify_draw`).
"""

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from core.audit import audit
from core.db import db, utcnow
from events.mail import mail_member
from events.models import APPLIED, CONFIRMED, WAITLISTED, AffiliationSeat, Event, LotteryDraw, Registration
from events.refusals import ActionRefused
from events.registration import insert_ignore, lock_event, refresh_counters
from members.models import Member

events_table = Event.__table__
seats_table = AffiliationSeat.__table__


def draw_order(seed: str, applicant_ids: list[int]) -> list[int]:
    """The drawn order: applicants sorted by SHA-256 of "<seed>:<registration id>".

    Anyone holding the seed and the list of applicants can recompute it.
    """
    return sorted(applicant_ids, key=lambda rid: (hashlib.sha256(f"{seed}:{rid}".encode()).hexdigest(), rid))


def allocate(order: list[int], affiliations: dict[int, str], seats: int, cap: int | None) -> list[int]:
    """Winners of a drawn order: the first ones that fit the seats and the per-company cap."""
    winners: list[int] = []
    per_company: dict[str, int] = {}
    for rid in order:
        if len(winners) >= seats:
            break
        key = affiliations.get(rid, "")
        if cap and key and per_company.get(key, 0) >= cap:
            continue
        winners.append(rid)
        if key:
            per_company[key] = per_company.get(key, 0) + 1
    return winners


def draw_lottery(event: Event, actor: Member, now: datetime | None = None, seed: str | None = None) -> LotteryDraw:
    """Draw the lottery: winners confirmed, the others waitlisted in drawn order; recorded and mailed."""
    now = now or utcnow()
    event = lock_event(event.id)
    if not event.is_lottery:
        raise ActionRefused("not_lottery")
    if event.status != "published" or event.deleted_at is not None:
        raise ActionRefused("not_open")
    if event.drawn_at is not None or db.session.scalar(
        sa.select(LotteryDraw.id).where(LotteryDraw.event_id == event.id)
    ):
        raise ActionRefused("already_drawn")
    if now < event.signup_closes_at():
        raise ActionRefused("too_early")
    applicants = db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.status == APPLIED)
        .order_by(Registration.id)
        .options(joinedload(Registration.member))
    ).all()
    by_id = {r.id: r for r in applicants}
    seed = seed or secrets.token_hex(16)
    order = draw_order(seed, list(by_id))
    affiliations = {r.id: r.affiliation_key for r in applicants}
    seats = event.capacity - event.confirmed_count
    winners = allocate(order, affiliations, seats, event.per_organization_cap)
    winner_set = set(winners)

    # One guarded update for the seat counter: it cannot pass capacity.
    result = db.session.execute(
        sa.update(events_table)
        .where(events_table.c.id == event.id,
               events_table.c.confirmed_count + len(winners) <= events_table.c.capacity)
        .values(
            confirmed_count=events_table.c.confirmed_count + len(winners),
            applied_count=0,
            waitlist_count=events_table.c.waitlist_count + len(order) - len(winners),
            waitlist_seq=events_table.c.waitlist_seq + len(order) - len(winners),
        )
    )
    if result.rowcount != 1:
        raise ActionRefused("capacity_conflict")
    if event.per_organization_cap:
        taken: dict[str, int] = {}
        for rid in winners:
            if affiliations[rid]:
                taken[affiliations[rid]] = taken.get(affiliations[rid], 0) + 1
        for key, count in taken.items():
            db.session.execute(insert_ignore(seats_table, event_id=event.id, affiliation_key=key, taken=0))
            db.session.execute(
                sa.update(seats_table)
                .where(seats_table.c.event_id == event.id, seats_table.c.affiliation_key == key)
                .values(taken=seats_table.c.taken + count)
            )
    base_ticket = event.waitlist_seq
    refresh_counters(event)
    event.drawn_at = now
    ticket = base_ticket
    for rid in order:
        registration = by_id[rid]
        if rid in winner_set:
            registration.status = CONFIRMED
            registration.confirmed_at = now
        else:
            ticket += 1
            registration.status = WAITLISTED
            registration.queue_position = ticket
    draw = LotteryDraw(
        event_id=event.id, seed=seed, drawn_at=now, drawn_by_id=actor.id,
        applicant_ids=sorted(by_id), drawn_order=order, winner_ids=winners,
        details={
            "seats": seats,
            "per_organization_cap": event.per_organization_cap,
            "affiliations": {str(rid): key for rid, key in affiliations.items()},
        },
    )
    db.session.add(draw)
    db.session.flush()
    rank = 0
    for rid in order:
        registration = by_id[rid]
        if rid in winner_set:
            mail_member(registration.member, "event_lottery_won", event, registration=registration)
        else:
            rank += 1
            mail_member(registration.member, "event_lottery_waitlisted", event, registration=registration, position=rank)
    audit("event.lottery_draw", event, actor=actor, seed=seed, applicants=len(order), winners=len(winners))
    return draw


def verify_draw(draw: LotteryDraw) -> bool:
    """Recompute the order and the winners from the recorded seed and applicants."""
    order = draw_order(draw.seed, list(draw.applicant_ids))
    affiliations = {int(rid): key for rid, key in (draw.details or {}).get("affiliations", {}).items()}
    winners = allocate(order, affiliations, draw.details.get("seats", 0), draw.details.get("per_organization_cap"))
    return order == list(draw.drawn_order) and winners == list(draw.winner_ids)
