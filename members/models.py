"""RAN member accounts, their login sessions and API tokens."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, one_of, utcnow

#: member `affiliation` slugs (DESIGN.md) and their labels
AFFILIATIONS = {
    "company": _l("Company"),
    "public-sector": _l("Local government or public body"),
    "education": _l("School or university"),
    "npo": _l("NPO or association"),
    "individual": _l("Individual"),
}

#: languages a member can receive mail in, named in their own language
LOCALES = {"ja": "日本語", "en": "English"}


def affiliation_name(slug: str | None) -> str:
    label = AFFILIATIONS.get(slug or "")
    return str(label) if label else ""


class Member(UserMixin, Base):
    """A RAN member (RAN会員): an individual account. Admins are the secretariat."""

    __tablename__ = "members"
    __table_args__ = (
        one_of("affiliation", AFFILIATIONS),
        one_of("locale", LOCALES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stored lower-cased; unique
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    display_name: Mapped[str] = mapped_column(sa.String(60))
    #: JIS X 0401 code of the member's prefecture
    prefecture: Mapped[str] = mapped_column(sa.String(2))
    #: slug: company, public-sector, education, npo, individual
    affiliation: Mapped[str] = mapped_column(sa.String(30))
    #: the company or body the member belongs to (free text; used for per-company caps)
    organization_name: Mapped[str] = mapped_column(sa.String(120), default="")
    bio: Mapped[str] = mapped_column(sa.Text, default="")
    #: secretariat (事務局)
    is_admin: Mapped[bool] = mapped_column(default=False)
    #: language for mail: "ja" or "en"
    locale: Mapped[str] = mapped_column(sa.String(5), default="ja")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: when the member opened the link mailed to `email`; None until then (see members.confirmation)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    theme_rows: Mapped[list["MemberTheme"]] = relationship(
        cascade="all, delete-orphan", order_by="MemberTheme.theme", lazy="selectin"
    )
    #: theme slugs of interest
    themes: AssociationProxy[list[str]] = association_proxy(
        "theme_rows", "theme", creator=lambda slug: MemberTheme(theme=slug)
    )

    #: the login session this request was authenticated with (set by the loader)
    session_key = None
    login_session_id = None

    @property
    def is_confirmed(self) -> bool:
        return self.email_verified_at is not None

    def get_id(self) -> str | None:
        # Flask-Login keeps this in the cookie: a login session key, not the member id,
        # so logging out (deleting the session row) kills every copy of the cookie.
        return self.session_key

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.email}>"


class MemberTheme(Base):
    """A theme a member is interested in."""

    __tablename__ = "member_themes"

    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(sa.String(40), primary_key=True)


class LoginSession(Base):
    """One logged-in browser. The cookie holds the key; the table holds its hash."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")
    #: refreshed at most every few minutes (members.sessions)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the network the browser was last seen from, never the whole address ("203.0.113.x")
    ip_prefix: Mapped[str] = mapped_column(sa.String(50), default="")

    member: Mapped[Member] = relationship()


class ApiToken(Base):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(60))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: first characters of the token, to tell tokens apart on the profile page
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship()


#: what a mailed one-time link does
TOKEN_PURPOSES = ("reset", "verify", "change")


class AccountToken(Base):
    """A one-time link mailed to a member: a password reset, or the confirmation of an address.

    Only the SHA-256 of the token is stored. `email` is the address the link was mailed
    to: for "verify" the member's own, for "change" the new address it will move to.
    """

    __tablename__ = "account_tokens"
    __table_args__ = (one_of("purpose", TOKEN_PURPOSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(10))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship()


class MailPreference(Base):
    """A member's choice for one kind of mail they can switch off (members.notifications)."""

    __tablename__ = "mail_preferences"

    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    enabled: Mapped[bool] = mapped_column()


class DigestDelivery(Base):
    """The weekly digest went to this member for this ISO week ("2026-W49"): at most one per week."""

    __tablename__ = "digest_deliveries"

    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    week: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
