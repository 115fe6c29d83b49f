"""One-time links mailed to a member: password reset, address confirmation, address change.

The link carries a random token; the table keeps its SHA-256, so a copy of the
database opens no account. A link works once and until it expires; a reset link
also dies when the password changes any other way, and a reset or confirmation
link when the account's address changes.
"""

import secrets
from datetime import timedelta

import sqlalchemy as sa

from core.db import db, utcnow
from core.security import secret_digest
from members.models import AccountToken, Member

LIFETIME = {
    "reset": timedelta(hours=1),
    "verify": timedelta(days=7),
    "change": timedelta(days=7),
}


def issue(member: Member, purpose: str, email: str | None = None) -> str:
    """A new link token for the member (earlier unused ones of the same purpose stop working)."""
    retire(member, purpose)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(AccountToken(
        member_id=member.id, purpose=purpose, token_hash=secret_digest(token), email=email or member.email,
        created_at=now, expires_at=now + LIFETIME[purpose],
    ))
    return token


def retire(member: Member, purpose: str) -> None:
    """Every unused link of this purpose stops working."""
    db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.member_id == member.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


def find(token: str, *purposes: str) -> AccountToken | None:
    """The live link for this token, or None (unknown, used, expired, or overtaken by a password change)."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(
        sa.select(AccountToken).where(AccountToken.token_hash == secret_digest(token), AccountToken.purpose.in_(purposes))
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    member = row.member
    if row.purpose == "reset" and member.password_changed_at > row.created_at:
        return None
    # A reset or confirmation link belongs to the address it was mailed to: a changed address kills it.
    if row.purpose in ("reset", "verify") and row.email != member.email:
        return None
    return row


def use(row: AccountToken) -> None:
    row.used_at = utcnow()
