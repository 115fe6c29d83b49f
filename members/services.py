"""Account rules: passwords, login sessions, API tokens, admins."""

import hashlib
import secrets

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, request, session
from flask_login import login_user, logout_user

from core.db import db, utcnow
from members.models import ApiToken, LoginSession, Member

TOKEN_PREFIX = "ran_"


def _hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config["PASSWORD_HASH_PARAMS"])


def hash_password(password: str) -> str:
    """argon2id hash of a password."""
    return _hasher().hash(password)


def verify_password(member: Member, password: str) -> bool:
    try:
        _hasher().verify(member.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher().check_needs_rehash(member.password_hash):
        member.password_hash = hash_password(password)
    return True


# A fixed hash to verify against when the email is unknown, so both failures
# take the same time and say the same thing.
_DUMMY_HASH: dict[str, str] = {}


def authenticate(email: str, password: str) -> Member | None:
    """The member with this email and password, or None (same cost either way)."""
    member = db.session.scalar(sa.select(Member).where(Member.email == normalise_email(email)))
    if member is None:
        params = tuple(sorted(current_app.config["PASSWORD_HASH_PARAMS"].items()))
        key = repr(params)
        if key not in _DUMMY_HASH:
            _DUMMY_HASH[key] = hash_password(secrets.token_urlsafe(16))
        try:
            _hasher().verify(_DUMMY_HASH[key], password)
        except VerificationError:
            pass
        return None
    return member if verify_password(member, password) else None


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(member: Member) -> None:
    """Log a member in on a fresh session (rotated: nothing of the old cookie survives)."""
    session.clear()
    key = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            member_id=member.id,
            key_hash=_digest(key),
            user_agent=(request.headers.get("User-Agent") or "")[:200],
        )
    )
    member.session_key = key
    login_user(member)
    session.permanent = True


def end_session(member: Member) -> None:
    """Log out: the session row goes, so a copy of the cookie no longer works."""
    if member.session_key:
        db.session.execute(
            sa.delete(LoginSession).where(LoginSession.key_hash == _digest(member.session_key))
        )
    logout_user()
    session.clear()


def end_other_sessions(member: Member) -> None:
    """After a password change: every other browser is logged out."""
    keep = _digest(member.session_key) if member.session_key else ""
    db.session.execute(
        sa.delete(LoginSession).where(
            LoginSession.member_id == member.id, LoginSession.key_hash != keep
        )
    )


def member_for_session_key(key: str) -> Member | None:
    """Flask-Login's user loader: the member of a live login session."""
    if not key:
        return None
    member = db.session.scalar(
        sa.select(Member).join(LoginSession).where(LoginSession.key_hash == _digest(key))
    )
    if member is not None:
        member.session_key = key
    return member


def create_api_token(member: Member, name: str) -> tuple[ApiToken, str]:
    """A new token for the member; returns the row and the token (shown once)."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        member_id=member.id, name=name.strip(), token_hash=_digest(secret), prefix=secret[:10]
    )
    db.session.add(token)
    return token, secret


def revoke_api_token(token: ApiToken) -> None:
    token.revoked_at = utcnow()


def member_for_api_token(secret: str) -> Member | None:
    """The member of a valid, unrevoked token (bearer auth of the API)."""
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == _digest(secret), ApiToken.revoked_at.is_(None))
    )
    if token is None:
        return None
    return token.member


def create_admin(email: str, password: str, display_name: str = "事務局") -> Member:
    """Make (or promote) a secretariat account."""
    email = normalise_email(email)
    member = db.session.scalar(sa.select(Member).where(Member.email == email))
    if member is None:
        member = Member(
            email=email, display_name=display_name, prefecture="13", affiliation="npo",
            password_hash=hash_password(password),
        )
        db.session.add(member)
    else:
        member.password_hash = hash_password(password)
        member.password_changed_at = utcnow()
    member.is_admin = True
    return member
