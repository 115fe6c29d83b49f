"""Alliance member organisations, their themes, regions and staff."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow
from members.models import Member

#: depth of expertise in a theme, weakest first: 実績あり / 得意 / 専門
THEME_DEPTHS = ("experienced", "strong", "expert")


class Organization(Base):
    """An alliance member organisation (地域人事部 or a partner)."""

    __tablename__ = "organizations"

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
    #: active (listed) or suspended (hidden, kept)
    status: Mapped[str] = mapped_column(sa.String(20), default="active", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: soft delete: set instead of removing the row
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

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

    @property
    def is_live(self) -> bool:
        return self.status == "active" and self.deleted_at is None

    def __repr__(self) -> str:
        return f"<Organization {self.slug}>"


class OrganizationTheme(Base):
    """A theme an organisation is strong in, with its depth and a short note."""

    __tablename__ = "organization_themes"

    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(sa.String(40), primary_key=True, index=True)
    #: experienced | strong | expert
    depth: Mapped[str] = mapped_column(sa.String(20), default="experienced")
    note: Mapped[str] = mapped_column(sa.String(200), default="")

    organization: Mapped[Organization] = relationship(back_populates="theme_rows")


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
    __table_args__ = (sa.UniqueConstraint("organization_id", "member_id"),)

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
