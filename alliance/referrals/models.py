"""Cross-region referrals between alliance organisations, and public consultations."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.models import Organization
from core.db import Base, UTCDateTime, one_of, utcnow
from members.models import Member

#: the life of a referral; "withdrawn" ends it early
REFERRAL_STATUSES = ("open", "offered", "accepted", "in_progress", "completed", "withdrawn")
#: statuses in which a partner organisation is busy with the referral (its "open load")
ACTIVE_STATUSES = ("offered", "accepted", "in_progress")
#: statuses in which the partner has taken the referral on (and may see consultation contacts)
TAKEN_STATUSES = ("accepted", "in_progress", "completed")
#: how the help may be given: on site, online, or either
REFERRAL_FORMATS = ("onsite", "online", "either")
CONSULTATION_STATUSES = ("new", "referred", "closed")
DEFAULT_RETENTION_DAYS = 365
#: the consultation form's choice for a company that does not know which theme it needs
UNSURE_THEME = "unsure"


class Consultation(Base):
    """A company's or municipality's request for help sent through /consult (相談)."""

    __tablename__ = "consultations"
    __table_args__ = (
        one_of("status", CONSULTATION_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: shown to the sender on the confirmation page and in the acknowledgement mail
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    organization_name: Mapped[str] = mapped_column(sa.String(120))
    contact_name: Mapped[str] = mapped_column(sa.String(60))
    email: Mapped[str] = mapped_column(sa.String(254))
    prefecture: Mapped[str] = mapped_column(sa.String(2), index=True)
    message: Mapped[str] = mapped_column(sa.Text)
    #: new (waiting for triage) | referred (a referral was made) | closed
    status: Mapped[str] = mapped_column(sa.String(20), default="new", index=True)
    closed_reason: Mapped[str] = mapped_column(sa.String(1000), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: when the sender agreed to the privacy notice (/privacy) on the form
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: set when the retention period ended and the contact data was erased
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    theme_rows: Mapped[list["ConsultationTheme"]] = relationship(
        cascade="all, delete-orphan", order_by="ConsultationTheme.theme", lazy="selectin"
    )
    #: theme slugs the sender ticked
    themes: AssociationProxy[list[str]] = association_proxy(
        "theme_rows", "theme", creator=lambda slug: ConsultationTheme(theme=slug)
    )
    referral: Mapped["Referral | None"] = relationship(back_populates="consultation", uselist=False)
    closed_by: Mapped[Member | None] = relationship()

    def __repr__(self) -> str:
        return f"<Consultation {self.reference}>"


class ConsultationTheme(Base):
    """A theme ticked on a consultation."""

    __tablename__ = "consultation_themes"

    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(sa.String(40), primary_key=True)


class ConsultationSettings(Base):
    """The secretariat's settings for consultations (a single row, id 1)."""

    __tablename__ = "consultation_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: consultations older than this many days are anonymised by the CLI
    retention_days: Mapped[int] = mapped_column(default=DEFAULT_RETENTION_DAYS)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))


class Referral(Base):
    """A region's request for help in a theme, passed to the member organisation best placed for it."""

    __tablename__ = "referrals"
    __table_args__ = (
        # The ranking aggregates completed referrals per theme and partner, and the open load per partner.
        sa.Index("ix_referrals_status_theme_partner", "status", "theme", "partner_organization_id"),
        sa.Index("ix_referrals_status_partner", "status", "partner_organization_id"),
        one_of("format", REFERRAL_FORMATS),
        one_of("status", REFERRAL_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    theme: Mapped[str] = mapped_column(sa.String(40))
    #: where help is needed
    prefecture: Mapped[str] = mapped_column(sa.String(2), index=True)
    description: Mapped[str] = mapped_column(sa.Text)
    #: desired timing, free text (「2027年1月〜3月」)
    timing: Mapped[str] = mapped_column(sa.String(120), default="")
    #: onsite | online | either
    format: Mapped[str] = mapped_column(sa.String(20), default="either")
    #: open → offered → accepted → in_progress → completed; or withdrawn
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    #: the organisation that asked; None when the secretariat created it from a consultation
    requester_organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    #: the organisation offered the referral (and, once it accepts, doing the work)
    partner_organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    consultation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("consultations.id", ondelete="SET NULL"), unique=True
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str] = mapped_column(sa.String(1000), default="")

    requester: Mapped[Organization | None] = relationship(foreign_keys=[requester_organization_id])
    partner: Mapped[Organization | None] = relationship(foreign_keys=[partner_organization_id])
    consultation: Mapped[Consultation | None] = relationship(back_populates="referral")
    created_by: Mapped[Member | None] = relationship()
    outcome: Mapped["ReferralOutcome | None"] = relationship(
        back_populates="referral", uselist=False, cascade="all, delete-orphan"
    )
    messages: Mapped[list["ReferralMessage"]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="ReferralMessage.id"
    )
    declines: Mapped[list["ReferralDecline"]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="ReferralDecline.id"
    )

    @property
    def remote_wanted(self) -> bool:
        """Whether help from afar (online) fits this referral."""
        return self.format in ("online", "either")

    def __repr__(self) -> str:
        return f"<Referral {self.id} {self.status}>"


#: why an offered organisation said no; "fit" lowers it for later requests in the theme (ranking)
DECLINE_REASONS = ("capacity", "fit", "timing", "other")


class ReferralDecline(Base):
    """An organisation said no to an offer; the reason is kept."""

    __tablename__ = "referral_declines"
    __table_args__ = (one_of("reason_kind", DECLINE_REASONS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.String(1000))
    #: capacity | fit | timing | other
    reason_kind: Mapped[str] = mapped_column(sa.String(10), default="other")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    referral: Mapped[Referral] = relationship(back_populates="declines")
    organization: Mapped[Organization | None] = relationship()


class ReferralMessage(Base):
    """A message in a referral's thread, visible to its parties."""

    __tablename__ = "referral_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    #: the side the author wrote for; None for the secretariat
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id", ondelete="SET NULL"))
    #: Markdown
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    referral: Mapped[Referral] = relationship(back_populates="messages")
    author: Mapped[Member | None] = relationship()
    organization: Mapped[Organization | None] = relationship()


class ReferralOutcome(Base):
    """What a completed referral achieved, reported by the partner."""

    __tablename__ = "referral_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id", ondelete="CASCADE"), unique=True)
    #: what was done (Markdown)
    summary: Mapped[str] = mapped_column(sa.Text)
    people_supported: Mapped[int] = mapped_column(default=0)
    companies_supported: Mapped[int] = mapped_column(default=0)
    hours: Mapped[int] = mapped_column(default=0)
    reported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the knowhow case-study draft made from this outcome, once one was made
    case_study_url: Mapped[str] = mapped_column(sa.String(300), default="")

    referral: Mapped[Referral] = relationship(back_populates="outcome")
    reported_by: Mapped[Member | None] = relationship()
