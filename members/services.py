"""Account rules: signup, passwords, profile, erasure, login sessions, API tokens, admins."""

import secrets
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, request, session
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from sqlalchemy.orm import lazyload

from core import fragments, hooks
from core.audit import AuditEntry, audit
from core.db import attached, db, row_values, utcnow
from core.forms import normalise_email_input
from core.mail import OutboxMessage, send_template
from core.routing import site_url
from core.security import secret_digest
from members import links, sessions
from members.models import ApiToken, LoginSession, Member, MemberTheme

TOKEN_PREFIX = "ran_"  # noqa: S105 # nosec B105 # a public prefix marking our tokens for secret scanners
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
#: a member may hold this many live API tokens at once
MAX_API_TOKENS = 20
#: mail naming a deleted member is erased by their display name too, unless it is shorter than this
MIN_NAME_ERASED = 2
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
    return normalise_email_input(email)


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
        profile_url=site_url("members.me"), verify_url=site_url("members.verify", token=links.issue(member, "verify")),
        slack_invite_url=current_app.config.get("SLACK_INVITE_URL", ""),
    )
    return member


#: an owner is told about signups with their address at most this often
SIGNUP_NOTICE_INTERVAL = timedelta(hours=1)


def sign_up(*, email: str, password: str, locale: str, **profile) -> Member | None:
    """Signup that tells a stranger nothing: a registered address gets a notice mailed to its owner
    instead of a new account (None), and costs the same password hash."""
    existing = db.session.scalar(sa.select(Member).where(Member.email == normalise_email(email)))
    if existing is None:
        return create_member(email=email, password=password, locale=locale, **profile)
    hash_password(password)
    recently = db.session.scalar(sa.select(OutboxMessage.id).where(
        OutboxMessage.to_address == existing.email, OutboxMessage.kind == "member.signup_existing",
        OutboxMessage.created_at > utcnow() - SIGNUP_NOTICE_INTERVAL).limit(1))
    if recently is None:
        send_template(existing.email, "members/mail/signup_existing.txt", locale=existing.locale,
                      kind="member.signup_existing", member=existing, login_url=site_url("members.login"),
                      forgot_url=site_url("members.forgot_password"))
    return None


def send_confirmation(member: Member) -> None:
    """Mail the member a new link that confirms their address (the earlier one stops working)."""
    send_template(member.email, "members/mail/confirm_address.txt", locale=member.locale, kind="member.verify",
                  member=member, url=site_url("members.verify", token=links.issue(member, "verify")))


def request_email_change(member: Member, new_email: str) -> None:
    """The new address takes effect when the link mailed to it is opened (members.confirm_link)."""
    new_email = normalise_email(new_email)
    token = links.issue(member, "change", email=new_email)
    send_template(new_email, "members/mail/confirm_new_address.txt", locale=member.locale, kind="member.change_email",
                  member=member, new_email=new_email, url=site_url("members.verify", token=token))


class LinkRefused(Exception):
    """A confirmation link that cannot be applied any more (the address was taken meanwhile)."""


def confirm_link(row) -> Member:
    """Apply a confirmation link: the address is confirmed, or the account moves to the new one."""
    member = row.member
    links.use(row)
    if row.purpose == "change":
        if email_taken(row.email, except_member=member):
            raise LinkRefused()
        change_email(member, row.email)
    member.email_verified_at = utcnow()
    return member


def send_password_reset(email: str) -> None:
    """Mail a reset link when the address belongs to a member; nothing otherwise (the caller says the same)."""
    member = db.session.scalar(sa.select(Member).where(Member.email == normalise_email(email)))
    if member is not None:
        mail_reset_link(member)


def mail_reset_link(member: Member) -> None:
    token = links.issue(member, "reset")
    send_template(member.email, "members/mail/password_reset.txt", locale=member.locale, kind="member.password_reset",
                  member=member, url=site_url("members.reset_password", token=token),
                  hours=int(links.LIFETIME["reset"].total_seconds() // 3600))


def reset_password(row, new_password: str) -> Member:
    """Set the password from a reset link: every login session ends, API tokens are revoked.

    Opening the link proves the mailbox is the member's, so it also confirms the address.
    """
    member = row.member
    links.use(row)
    links.retire(member, "reset")
    _set_password(member, new_password)
    db.session.execute(sa.delete(LoginSession).where(LoginSession.member_id == member.id))
    if member.email_verified_at is None and row.email == member.email:
        member.email_verified_at = utcnow()
    audit("member.password_reset", member)
    return member


def _set_password(member: Member, new_password: str) -> None:
    member.password_hash = hash_password(new_password)
    member.password_changed_at = utcnow()
    db.session.execute(sa.update(ApiToken).where(ApiToken.member_id == member.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))
    send_template(
        member.email, "members/mail/member_password_changed.txt", locale=member.locale,
        kind="member.password_changed", member=member,
    )


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
    # The bio is part of what people matching reads (imported here: members.expertise imports this module).
    from members.expertise.evidence import index_member
    index_member(member)


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
    """Set a new password, log out every other browser of the member and revoke their API tokens."""
    _set_password(member, new_password)
    end_other_sessions(member)
    audit("member.password_change", member)


def rotate_session(member: Member) -> None:
    """Replace the current login session by a fresh one (new key, new cookie)."""
    end_session(member)
    start_session(member)


def secretariat() -> list[Member]:
    """Every secretariat (admin) account, oldest first: who hears about applications, consultations, messages."""
    return list(db.session.scalars(sa.select(Member).where(Member.is_admin.is_(True)).order_by(Member.id)))


def is_last_admin(member: Member) -> bool:
    if not member.is_admin:
        return False
    admins = db.session.scalar(sa.select(sa.func.count()).select_from(Member).where(Member.is_admin))
    return admins <= 1


def former_emails(member_id: int) -> set[str]:
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
    addresses = {member.email} | former_emails(member_id)
    # Mail to or about the member carries their addresses and name.
    naming = [OutboxMessage.to_address.in_(addresses),
              *(OutboxMessage.body.contains(address, autoescape=True) for address in addresses)]
    if len(member.display_name) >= MIN_NAME_ERASED:
        naming.append(OutboxMessage.body.contains(member.display_name, autoescape=True))
    db.session.execute(sa.delete(OutboxMessage).where(sa.or_(*naming)))
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


def start_session(member: Member) -> None:
    """Log a member in on a fresh session (rotated: nothing of the old cookie survives)."""
    session.clear()
    key = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            member_id=member.id,
            key_hash=secret_digest(key),
            user_agent=(request.headers.get("User-Agent") or "")[:200],
            **sessions.seen_now(),
        )
    )
    member.session_key = key
    login_user(member)
    session.permanent = True


def end_session(member: Member) -> None:
    """Log out: the session row goes, so a copy of the cookie no longer works."""
    if member.session_key:
        db.session.execute(
            sa.delete(LoginSession).where(LoginSession.key_hash == secret_digest(member.session_key))
        )
    logout_user()
    session.clear()


def end_other_sessions(member: Member) -> None:
    """After a password change: every other browser is logged out."""
    keep = secret_digest(member.session_key) if member.session_key else ""
    db.session.execute(
        sa.delete(LoginSession).where(
            LoginSession.member_id == member.id, LoginSession.key_hash != keep
        )
    )


#: asked on a logged-in member's request when this process does not hold the answer: built once (its compiled
#: form is then found by identity); few pages read the member's themes (a query then, not on every request)
MEMBER_OF_SESSION = (
    sa.select(Member, LoginSession.id, LoginSession.last_seen_at).join(LoginSession)
    .where(LoginSession.key_hash == sa.bindparam("key_hash")).options(lazyload(Member.theme_rows))
)
KEPT_MEMBER = "members.of_session"


def member_for_session_key(key: str) -> Member | None:
    """Flask-Login's user loader: the member of a live login session.

    The member's row is kept by this process (core.fragments.kept) until the members or the login sessions
    are written — a logout, an ended session, an edited profile — in any worker: a warm member's page then
    asks the database nothing at all.
    """
    if not key:
        return None
    key_hash = secret_digest(key)
    found = fragments.kept(KEPT_MEMBER, key_hash, lambda: _member_row(key_hash), of_viewer=True)
    if found is None:
        return None
    values, login_session_id, last_seen_at = found
    member = attached(Member, values)
    member.session_key = key
    member.login_session_id = login_session_id
    if sessions.note_visit(login_session_id, last_seen_at):
        # Its last visit is about to be written without retiring anything: this process asks again next time.
        fragments.forget(KEPT_MEMBER, key_hash)
    return member


def _member_row(key_hash: str) -> tuple[tuple, int, datetime | None] | None:
    found = db.session.execute(MEMBER_OF_SESSION, {"key_hash": key_hash}).first()
    if found is None:
        return None
    member, login_session_id, last_seen_at = found
    return row_values(member), login_session_id, last_seen_at


# Built once: マイページ lists them on every visit.
LISTED_API_TOKENS = (sa.select(ApiToken.id, ApiToken.name, ApiToken.prefix, ApiToken.created_at)
                     .where(ApiToken.member_id == sa.bindparam("member_id"), ApiToken.revoked_at.is_(None))
                     .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))


def listed_api_tokens(member: Member) -> tuple[sa.Row, ...]:
    """What マイページ shows of the member's unrevoked tokens (id, name, prefix, created_at), newest first: kept
    until the tokens are written (a token made or revoked shows at once)."""
    return fragments.kept("members.api_tokens", (), lambda: tuple(
        db.session.execute(LISTED_API_TOKENS, {"member_id": member.id})), viewers=f"member:{member.id}")


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
        member_id=member.id, name=name.strip(), token_hash=secret_digest(secret), prefix=secret[:10]
    )
    db.session.add(token)
    return token, secret


def revoke_api_token(token: ApiToken) -> None:
    token.revoked_at = utcnow()


def member_for_api_token(secret: str) -> Member | None:
    """The member of a valid, unrevoked token (bearer auth of the API)."""
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == secret_digest(secret), ApiToken.revoked_at.is_(None))
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
            password_hash=hash_password(password), email_verified_at=utcnow(),
        )
        db.session.add(member)
    else:
        member.password_hash = hash_password(password)
        member.password_changed_at = utcnow()
    member.is_admin = True
    return member


def login_sessions(member: Member) -> list[LoginSession]:
    """The member's logged-in browsers, the most recently seen first."""
    return list(db.session.scalars(
        sa.select(LoginSession).where(LoginSession.member_id == member.id)
        .order_by(sa.func.coalesce(LoginSession.last_seen_at, LoginSession.created_at).desc(), LoginSession.id.desc())
    ))


def end_login_session(member: Member, login_session_id: int) -> bool:
    """Log out one of the member's browsers; False when it is not theirs (or already gone)."""
    result = db.session.execute(sa.delete(LoginSession).where(
        LoginSession.id == login_session_id, LoginSession.member_id == member.id))
    return result.rowcount == 1
