"""The weekly digest: new events and knowhow for a member's prefecture and themes.

`flask digest send` may run every hour: a member gets at most one digest per ISO
week (a row in digest_deliveries, written in the same transaction as the queued
mail), only when they asked for it (members.notifications) and have confirmed
their address, and only when there is something new for them.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from core import hooks
from core.db import db, utcnow
from members import notifications
from members.models import DigestDelivery, MailPreference, Member

TOKYO = ZoneInfo("Asia/Tokyo")
#: what counts as new: added within this time before the run
NEW_WITHIN = timedelta(days=7)
BATCH = 200

digest_cli = AppGroup("digest", help="The weekly digest mail.")


def week_of(moment) -> str:
    year, week, _ = moment.astimezone(TOKYO).isocalendar()
    return f"{year}-W{week:02d}"


def _subscribers(week: str, after_id: int) -> list[Member]:
    return list(db.session.scalars(
        sa.select(Member)
        .join(MailPreference, sa.and_(MailPreference.member_id == Member.id, MailPreference.kind == "digest"))
        .where(MailPreference.enabled, Member.email_verified_at.is_not(None), Member.id > after_id,
               ~sa.exists().where(DigestDelivery.member_id == Member.id, DigestDelivery.week == week))
        .order_by(Member.id).limit(BATCH)
    ))


def send_digests(now=None) -> int:
    """Queue this week's digest for every member who wants one and has news; returns how many."""
    now = now or utcnow()
    week, since = week_of(now), now - NEW_WITHIN
    sections = hooks.DIGEST_SECTIONS.implementations()
    sent, after_id = 0, 0
    while members := _subscribers(week, after_id):
        for member in members:
            after_id = member.id
            with force_locale(member.locale or "ja"):  # dates in the lines are written in the member's language
                parts = [(section.title, items) for section in sections if (items := section.items(member, since))]
            if not parts:
                continue
            try:
                with db.session.begin_nested():
                    db.session.add(DigestDelivery(member_id=member.id, week=week, sent_at=now))
                    db.session.flush()
                    notifications.send(member, "digest", "members/mail/digest.txt", mail_kind="member.digest",
                                       wants=True, member=member, parts=parts, week=week)  # chosen by the query
            except IntegrityError:  # another run sent it a moment ago
                continue
            sent += 1
        db.session.commit()
    return sent


@digest_cli.command("send")
def send_command() -> None:
    """Queue the weekly digest (safe to run every hour: one per member and week)."""
    click.echo(f"digests queued: {send_digests()}")
