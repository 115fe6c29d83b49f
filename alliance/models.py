"""Alliance member organisations: themes, regions, services, track record, staff, applications."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, one_of, utcnow
from core.pictures import Picture
from members.models import Member

#: depth of expertise in a theme, weakest first: 実績あり / 得意 / 専門
THEME_DEPTHS = ("experienced", "strong", "expert")
#: legal kinds of an organisation (DESIGN.md)
ORGANIZATION_KINDS = (
    "npo", "general-incorporated-association", "general-incorporated-foundation",
    "company", "municipality", "voluntary-group", "other",
)
STAFF_ROLES = ("owner", "editor")
#: active (listed) or suspended (hidden, kept)
ORGANIZATION_STATUSES = ("active", "suspended")
APPLICATION_STATUSES = ("pending", "approved", "rejected")


class Organization(Base):
    """An alliance member organisation (地域人事部 or a partner)."""

    __tablename__ = "organizations"
    __table_args__ = (
        one_of("kind", ORGANIZATION_KINDS),
        one_of("status", ORGANIZATION_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: lowercase ASCII, digits and hyphens; reserved words refused
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    #: legal kind slug: npo, general-incorporated-association, …
    kind: Mapped[str] = mapped_column(sa.String(40))
    #: head-office prefecture code
    prefecture: Mapped[str] = mapped_column(sa.String(2), index=True)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    #: receives the contact form; never shown on a page or in the API
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    founded_year: Mapped[int | None]
    #: longer introduction in Markdown (rendered sanitised)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: takes work outside its own prefectures, online or by travelling (referral ranking)
    accepts_remote: Mapped[bool] = mapped_column(default=False)
    #: referrals it can take at once (受付可能件数); None: not said. Open load beyond it lowers its rank.
    referral_capacity: Mapped[int | None]
    #: takes no new referrals for now: not suggested at all
    referrals_paused: Mapped[bool] = mapped_column(default=False)
    #: active (listed) or suspended (hidden, kept)
    status: Mapped[str] = mapped_column(sa.String(20), default="active", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: soft delete: set instead of removing the row
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the logo (core.pictures); the file goes when no row refers to it any more
    logo_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pictures.id", ondelete="SET NULL"))
    #: joined by the queries of pages that show it (cards, the organisation's page); a NULL key costs no query
    logo: Mapped[Picture | None] = relationship()

    theme_rows: Mapped[list["OrganizationTheme"]] = relationship(
        cascade="all, delete-orphan", back_populates="organization", order_by="OrganizationTheme.theme"
    )
    served_rows: Mapped[list["OrganizationPrefecture"]] = relationship(
        cascade="all, delete-orphan", order_by="OrganizationPrefecture.prefecture"
    )
    #: prefecture codes the organisation serves
    served_prefectures: AssociationProxy[list[str]] = association_proxy(
        "served_rows", "prefecture", creator=lambda code: OrganizationPrefecture(prefecture=code)
    )
    staff: Mapped[list["OrganizationStaff"]] = relationship(
        cascade="all, delete-orphan", back_populates="organization"
    )
    services: Mapped[list["OrganizationService"]] = relationship(
        cascade="all, delete-orphan", order_by="OrganizationService.position"
    )
    #: track record: figures with their own labels
    records: Mapped[list["OrganizationRecord"]] = relationship(
        cascade="all, delete-orphan", order_by="OrganizationRecord.position"
    )

    @property
    def is_live(self) -> bool:
        return self.status == "active" and self.deleted_at is None

    @property
    def themes_by_depth(self) -> list["OrganizationTheme"]:
        """Theme rows, deepest expertise first."""
        return sorted(self.theme_rows, key=lambda row: (-row.depth_rank, row.theme))

    @property
    def theme_slugs(self) -> list[str]:
        return [row.theme for row in self.theme_rows]

    def __repr__(self) -> str:
        return f"<Organization {self.slug}>"


class OrganizationTheme(Base):
    """A theme an organisation is strong in, with its depth and a short note."""

    __tablename__ = "organization_themes"
    __table_args__ = (
        one_of("depth", THEME_DEPTHS),
    )

    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(sa.String(40), primary_key=True, index=True)
    #: experienced | strong | expert
    depth: Mapped[str] = mapped_column(sa.String(20), default="experienced")
    note: Mapped[str] = mapped_column(sa.String(200), default="")

    organization: Mapped[Organization] = relationship(back_populates="theme_rows")

    @property
    def depth_rank(self) -> int:
        """0 (実績あり) … 2 (専門)."""
        return THEME_DEPTHS.index(self.depth) if self.depth in THEME_DEPTHS else 0


class OrganizationPrefecture(Base):
    """A prefecture an organisation serves."""

    __tablename__ = "organization_prefectures"

    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    prefecture: Mapped[str] = mapped_column(sa.String(2), primary_key=True, index=True)


class OrganizationStaff(Base):
    """A member who acts for an organisation: owner (may manage staff) or editor."""

    __tablename__ = "organization_staff"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "member_id"),
        one_of("role", STAFF_ROLES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    #: owner | editor
    role: Mapped[str] = mapped_column(sa.String(20), default="editor")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship(back_populates="staff")
    member: Mapped[Member] = relationship()


class OrganizationService(Base):
    """A service the organisation offers (title and a short description)."""

    __tablename__ = "organization_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.String(1000), default="")


class OrganizationRecord(Base):
    """One figure of the track record with its own label, e.g. 「27社51名」「3年間の複業人材マッチング」."""

    __tablename__ = "organization_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    #: the figure as written, with its unit: 「51名」「7割以上」
    value: Mapped[str] = mapped_column(sa.String(40))
    label: Mapped[str] = mapped_column(sa.String(120))


class OrganizationApplication(Base):
    """A member's application for an organisation to join the alliance."""

    __tablename__ = "organization_applications"
    __table_args__ = (
        one_of("kind", ORGANIZATION_KINDS),
        one_of("status", APPLICATION_STATUSES),
        # A member has at most one application waiting for the secretariat.
        sa.Index("ix_organization_applications_one_pending", "applicant_id", unique=True,
                 sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None once the applicant deleted their account (decided applications are kept)
    applicant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(60), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    prefecture: Mapped[str] = mapped_column(sa.String(2))
    served_prefectures: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    themes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    motivation: Mapped[str] = mapped_column(sa.Text, default="")
    #: pending | approved | rejected
    status: Mapped[str] = mapped_column(sa.String(20), default="pending", index=True)
    #: shown to the applicant when rejected
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    #: the organisation created on approval
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    applicant: Mapped[Member | None] = relationship(foreign_keys=[applicant_id])
    decided_by: Mapped[Member | None] = relationship(foreign_keys=[decided_by_id])
    organization: Mapped[Organization | None] = relationship()


class StaffInvitation(Base):
    """An owner's invitation to become staff, sent by mail; only the token's SHA-256 is kept."""

    __tablename__ = "organization_invitations"
    __table_args__ = (
        one_of("role", STAFF_ROLES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    #: stored lower-cased; the accepting member must have this address
    email: Mapped[str] = mapped_column(sa.String(254))
    #: owner | editor
    role: Mapped[str] = mapped_column(sa.String(20), default="editor")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()
    invited_by: Mapped[Member | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > utcnow()


#: what the secretariat did with a message from /contact
CONTACT_STATUSES = ("new", "done")


class ContactMessage(Base):
    """A message sent through /contact, in the secretariat's inbox (事務局への問い合わせ)."""

    __tablename__ = "contact_messages"
    __table_args__ = (one_of("status", CONTACT_STATUSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    email: Mapped[str] = mapped_column(sa.String(254))
    message: Mapped[str] = mapped_column(sa.Text)
    #: new | done
    status: Mapped[str] = mapped_column(sa.String(10), default="new")
    #: the member who sent it, when logged in
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
