"""Account rules: signup, passwords, profile, erasure, login sessions, API tokens, admins."""

import hashlib
import secrets
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, request, session
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user

from core import hooks
from core.audit import AuditEntry, audit
from core.db import db, utcnow
from core.mail import OutboxMessage, send_template
from core.routing import site_url
from members.models import ApiToken, LoginSession, Member, MemberTheme

TOKEN_PREFIX = "ran_"  # noqa: S105 # nosec B105 # a public prefix marking our tokens for secret scanners
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
#: a member may hold this many live API tokens at once
MAX_API_TOKENS = 20
#: shorter local parts ("a@…") would forbid too many passwords; they are only refused whole
_MIN_LOCAL_PART_CHECKED = 3


def _load_common_passwords() -> frozenset[str]:
    path = Path(__file__).resolve().parent / "common_passwords.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


COMMON_PASSWORDS = _load_common_passwords()


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


def password_problem(password: str, email: str):
    """Why a new password is refused (a lazy message), or None when it is acceptable."""
    password = password or ""
    if len(password) < PASSWORD_MIN_LENGTH:
        return _l("Use at least %(min)d characters.", min=PASSWORD_MIN_LENGTH)
    if len(password) > PASSWORD_MAX_LENGTH:
        return _l("Use at most %(max)d characters.", max=PASSWORD_MAX_LENGTH)
    lowered = password.lower()
    email = normalise_email(email)
    local_part = email.partition("@")[0]
    if email and (email in lowered or lowered == local_part or (
        len(local_part) >= _MIN_LOCAL_PART_CHECKED and local_part in lowered
    )):
        return _l("The password must not contain your email address.")
    if lowered in COMMON_PASSWORDS:
        return _l("This password is too common and easy to guess. Please choose another.")
    return None


def email_taken(email: str, *, except_member: Member | None = None) -> bool:
    """Whether another account already uses this email address."""
    query = sa.select(Member.id).where(Member.email == normalise_email(email))
    if except_member is not None:
        query = query.where(Member.id != except_member.id)
    return db.session.scalar(query) is not None


def create_member(
    *, email: str, password: str, display_name: str, prefecture: str, affiliation: str,
    organization_name: str = "", themes: list[str] | None = None, locale: str = "ja",
) -> Member:
    """A new RAN member (membership starts now), with the welcome mail queued."""
    member = Member(
        email=normalise_email(email),
        password_hash=hash_password(password),
        display_name=display_name.strip(),
        prefecture=prefecture,
        affiliation=affiliation,
        organization_name=(organization_name or "").strip(),
        themes=list(themes or []),
        locale=locale,
    )
    db.session.add(member)
    db.session.flush()
    send_template(
        member.email, "members/mail/welcome.txt", locale=member.locale, kind="member.welcome", member=member,
        profile_url=site_url("members.me"),
        slack_invite_url=current_app.config.get("SLACK_INVITE_URL", ""),
    )
    return member


def update_profile(
    member: Member, *, display_name: str, prefecture: str, affiliation: str,
    organization_name: str, themes: list[str], bio: str, locale: str,
) -> None:
    """Change what a member says about themselves (not the email or password)."""
    member.display_name = display_name.strip()
    member.prefecture = prefecture
    member.affiliation = affiliation
    member.organization_name = (organization_name or "").strip()
    member.bio = (bio or "").strip()
    member.locale = locale
    wanted = list(dict.fromkeys(themes))
    if sorted(wanted) != sorted(member.themes):
        member.theme_rows = [row for row in member.theme_rows if row.theme in wanted]
        have = set(member.themes)
        member.theme_rows.extend(MemberTheme(theme=slug) for slug in wanted if slug not in have)


def change_email(member: Member, new_email: str) -> None:
    """Move the account to a new address; the old address is told, in case it was not them."""
    old_email = member.email
    member.email = normalise_email(new_email)
    # Kept so that erasing the account later also finds mail sent to the old address.
    audit("member.email_change", member, old_email=old_email)
    send_template(
        old_email, "members/mail/member_email_changed.txt", locale=member.locale, kind="member.email_changed",
        member=member, new_email=member.email,
    )


def change_password(member: Member, new_password: str) -> None:
    """Set a new password and log out every other browser of the member."""
    member.password_hash = hash_password(new_password)
    member.password_changed_at = utcnow()
    end_other_sessions(member)
    audit("member.password_change", member)
    send_template(
        member.email, "members/mail/member_password_changed.txt", locale=member.locale,
        kind="member.password_changed", member=member,
    )


def rotate_session(member: Member) -> None:
    """Replace the current login session by a fresh one (new key, new cookie)."""
    end_session(member)
    start_session(member)


def is_last_admin(member: Member) -> bool:
    if not member.is_admin:
        return False
    admins = db.session.scalar(sa.select(sa.func.count()).select_from(Member).where(Member.is_admin))
    return admins <= 1


def _former_emails(member_id: int) -> set[str]:
    """Addresses the member used before (from the audit log of email changes)."""
    details = db.session.scalars(
        sa.select(AuditEntry.details).where(
            AuditEntry.action == "member.email_change",
            AuditEntry.target_type == Member.__tablename__,
            AuditEntry.target_id == member_id,
        )
    )
    return {entry["old_email"] for entry in details if entry and entry.get("old_email")}


def delete_member(member: Member) -> None:
    """Erase an account and its personal data (other blueprints erase theirs through
    the `member_erasers` hook first). The audit entry keeps only the bare id."""
    for eraser in hooks.MEMBER_ERASERS.implementations():
        eraser(member)
    member_id = member.id
    addresses = {member.email} | _former_emails(member_id)
    # Mail to or about the member carries their addresses and name.
    for address in addresses:
        db.session.execute(
            sa.delete(OutboxMessage).where(
                sa.or_(OutboxMessage.to_address == address, OutboxMessage.body.contains(address, autoescape=True))
            )
        )
    # What the log said about this account (e.g. the address at create-admin) goes,
    # and so do the IP addresses of their own actions; the actions themselves stay.
    db.session.execute(
        sa.update(AuditEntry)
        .where(AuditEntry.target_type == Member.__tablename__, AuditEntry.target_id == member_id)
        .values(details={})
    )
    db.session.execute(sa.update(AuditEntry).where(AuditEntry.actor_id == member_id).values(ip_address=None))
    db.session.execute(sa.delete(LoginSession).where(LoginSession.member_id == member_id))
    db.session.execute(sa.delete(ApiToken).where(ApiToken.member_id == member_id))
    db.session.delete(member)
    db.session.flush()
    entry = audit("member.delete", None, actor=None, member_id=member_id)
    entry.actor_id = None
    entry.ip_address = None


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


def active_api_tokens(member: Member) -> list[ApiToken]:
    """The member's unrevoked tokens, newest first."""
    return list(db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.member_id == member.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def api_token_of(member: Member, token_id: int) -> ApiToken | None:
    """One of the member's own live tokens (None for someone else's or a revoked one)."""
    return db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.id == token_id, ApiToken.member_id == member.id, ApiToken.revoked_at.is_(None)
        )
    )


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


def public_profile(member: Member) -> dict:
    """What the API tells about a member: nothing that identifies them beyond their display name."""
    return {
        "id": member.id,
        "display_name": member.display_name,
        "prefecture": member.prefecture,
        "affiliation": member.affiliation,
        "themes": list(member.themes),
    }


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
