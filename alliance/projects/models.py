"""Projects (募集) posted by alliance staff for a local host, applications, programmes and cohorts.

A member organisation posts a project on behalf of a local company, municipality or
organisation (the host). Members apply; the posting staff move each application
through 書類選考 → 面談 → matched / not matched. A match becomes a programme with
phases (the four 留職 phases, or start → report), 1on1 notes and a final report.
Programmes of the same organisation, programme name (or kind) and fiscal year form
a cohort, so that alumni stay visible to each other.
"""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.models import Organization
from core.db import Base, UTCDateTime, one_of, utcnow
from members.expertise.models import SKILL_MAX_LENGTH
from members.models import Member

PROJECT_KINDS = {
    "side-job": _l("Side job"),
    "secondment": _l("Secondment"),
    "facilitator": _l("Facilitator dispatch"),
    "volunteer": _l("Volunteer"),
}
HOST_TYPES = {
    "company": _l("Company"),
    "municipality": _l("Municipality"),
    "organization": _l("NPO, school or other organisation"),
}
COMPENSATIONS = {
    "paid": _l("Paid"),
    "expenses": _l("Expenses only"),
    "none": _l("Unpaid"),
}
PROJECT_STATUSES = {
    "open": _l("Accepting applications"),
    "closed": _l("Applications closed"),
}
APPLICATION_STATUSES = {
    "screening": _l("Document screening"),
    "interview": _l("Interview"),
    "matched": _l("Matched"),
    "not_matched": _l("Not matched"),
    "withdrawn": _l("Withdrawn"),
}
#: applications still being decided
OPEN_APPLICATION_STATUSES = ("screening", "interview")
PROGRAMME_STATUSES = {
    "active": _l("In progress"),
    "completed": _l("Completed"),
}

#: the phases of a programme, by project kind (留職 has four; the others start and report)
PHASES_BY_KIND = {
    "secondment": ("planning", "pre-training", "on-site", "post-training"),
    "side-job": ("start", "report"),
    "facilitator": ("start", "report"),
    "volunteer": ("start", "report"),
}
PHASE_NAMES = {
    "planning": _l("Planning and matching"),
    "pre-training": _l("Pre-training"),
    "on-site": _l("On-site work"),
    "post-training": _l("Post-training"),
    "start": _l("Start and activity"),
    "report": _l("Final report"),
}


def _label(labels: dict, slug: str | None) -> str:
    label = labels.get(slug or "")
    return str(label) if label else ""


def kind_name(slug: str | None) -> str:
    return _label(PROJECT_KINDS, slug)


def host_type_name(slug: str | None) -> str:
    return _label(HOST_TYPES, slug)


def compensation_name(slug: str | None) -> str:
    return _label(COMPENSATIONS, slug)


def application_status_name(slug: str | None) -> str:
    return _label(APPLICATION_STATUSES, slug)


def phase_name(key: str | None) -> str:
    return _label(PHASE_NAMES, key)


class Project(Base):
    """A 募集: a host looks for people through a member organisation."""

    __tablename__ = "projects"
    __table_args__ = (
        one_of("kind", PROJECT_KINDS),
        one_of("host_type", HOST_TYPES),
        one_of("compensation", COMPENSATIONS),
        one_of("status", PROJECT_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the member organisation that posts the project and manages its applicants
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    #: side-job | secondment | facilitator | volunteer
    kind: Mapped[str] = mapped_column(sa.String(20), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    #: the local company, municipality or organisation that takes the people in
    host_name: Mapped[str] = mapped_column(sa.String(120))
    #: company | municipality | organization (for the /impact figures)
    host_type: Mapped[str] = mapped_column(sa.String(20))
    theme: Mapped[str] = mapped_column(sa.String(40), index=True)
    prefecture: Mapped[str] = mapped_column(sa.String(2), index=True)
    #: city or area inside the prefecture (free text)
    location: Mapped[str] = mapped_column(sa.String(60), default="")
    #: name of the programme the project belongs to; its matches form one cohort per fiscal year
    programme_name: Mapped[str] = mapped_column(sa.String(80), default="")
    #: Markdown
    description: Mapped[str] = mapped_column(sa.Text, default="")
    hours_per_month: Mapped[int]
    duration_months: Mapped[int]
    remote_possible: Mapped[bool] = mapped_column(default=False)
    #: paid | expenses | none
    compensation: Mapped[str] = mapped_column(sa.String(20))
    compensation_note: Mapped[str] = mapped_column(sa.String(200), default="")
    #: last day (Asia/Tokyo) on which members can apply
    deadline: Mapped[date] = mapped_column(sa.Date, index=True)
    #: number of people wanted
    positions: Mapped[int] = mapped_column(default=1)
    #: open | closed
    status: Mapped[str] = mapped_column(sa.String(20), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()
    created_by: Mapped[Member | None] = relationship()
    skill_rows: Mapped[list["ProjectSkill"]] = relationship(
        cascade="all, delete-orphan", order_by="ProjectSkill.position"
    )

    @property
    def skills(self) -> list[str]:
        return [row.label for row in self.skill_rows]

    @property
    def skill_keys(self) -> list[str]:
        return [row.key for row in self.skill_rows]

    def __repr__(self) -> str:
        return f"<Project {self.id}>"


class ProjectSkill(Base):
    """A skill the host hopes for (a free tag, matched against members' skill tags)."""

    __tablename__ = "project_skills"

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(2 * SKILL_MAX_LENGTH), primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(SKILL_MAX_LENGTH))
    position: Mapped[int] = mapped_column(default=0)


class ProjectApplication(Base):
    """A member's application to a project and where it stands."""

    __tablename__ = "project_applications"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "member_id"),
        one_of("status", APPLICATION_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    motivation: Mapped[str] = mapped_column(sa.Text)
    #: screening | interview | matched | not_matched | withdrawn
    status: Mapped[str] = mapped_column(sa.String(20), default="screening", index=True)
    #: the last message of the posting staff to the applicant (mailed with each step)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    project: Mapped[Project] = relationship()
    member: Mapped[Member] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPLICATION_STATUSES


class ProjectInvitation(Base):
    """Staff told a suggested member about a project (once per project and member)."""

    __tablename__ = "project_invitations"

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Cohort(Base):
    """People matched through one organisation in the same programme (or kind) and fiscal year."""

    __tablename__ = "project_cohorts"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "kind", "programme_name", "fiscal_year"),
        one_of("kind", PROJECT_KINDS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    #: the projects' programme name; empty for "all <kind> matches of the year"
    programme_name: Mapped[str] = mapped_column(sa.String(80), default="")
    #: Japanese fiscal year (April to March) of the matches
    fiscal_year: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship()


class Programme(Base):
    """What follows a match: phases, 1on1 notes and the final report of one person."""

    __tablename__ = "project_programmes"
    __table_args__ = (
        one_of("status", PROGRAMME_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("project_applications.id", ondelete="SET NULL"), unique=True
    )
    #: the matched person; None once their account is deleted (the programme still counts)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"), index=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("project_cohorts.id"), index=True)
    #: active | completed
    status: Mapped[str] = mapped_column(sa.String(20), default="active", index=True)
    #: the person agrees to be listed, with their report, on the cohort page
    listed_in_cohort: Mapped[bool] = mapped_column(default=False)
    #: the person's final report (Markdown); a draft until `report_submitted_at`
    report: Mapped[str] = mapped_column(sa.Text, default="")
    report_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: hours actually given, recorded when the programme is completed
    hours_contributed: Mapped[int | None]
    #: the knowhow draft made from the report
    case_study_url: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    project: Mapped[Project] = relationship()
    member: Mapped[Member | None] = relationship()
    cohort: Mapped[Cohort] = relationship()
    phases: Mapped[list["ProgrammePhase"]] = relationship(
        cascade="all, delete-orphan", order_by="ProgrammePhase.position"
    )
    notes: Mapped[list["ProgrammeNote"]] = relationship(
        cascade="all, delete-orphan", order_by="(ProgrammeNote.held_on, ProgrammeNote.id)"
    )

    @property
    def current_phase(self) -> "ProgrammePhase | None":
        """The first phase not finished yet."""
        return next((phase for phase in self.phases if phase.actual_end is None), None)


class ProgrammePhase(Base):
    """One phase of a programme with its planned and actual dates."""

    __tablename__ = "programme_phases"
    __table_args__ = (sa.UniqueConstraint("programme_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("project_programmes.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    #: planning | pre-training | on-site | post-training | start | report
    key: Mapped[str] = mapped_column(sa.String(20))
    planned_start: Mapped[date | None] = mapped_column(sa.Date)
    planned_end: Mapped[date | None] = mapped_column(sa.Date)
    actual_start: Mapped[date | None] = mapped_column(sa.Date)
    actual_end: Mapped[date | None] = mapped_column(sa.Date)


class ProgrammeNote(Base):
    """A 1on1 note, visible to the parties of the programme."""

    __tablename__ = "programme_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("project_programmes.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    #: the day of the 1on1
    held_on: Mapped[date] = mapped_column(sa.Date)
    #: Markdown
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[Member | None] = relationship()
