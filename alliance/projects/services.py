"""Rules of projects: posting, applying, the selection steps, programmes, cohorts, figures.

Every state change here adds an audit entry and queues its mail in the same
transaction; the caller commits. Nothing here touches `request`.
"""

import calendar
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from alliance.models import Organization, OrganizationStaff
from alliance.permissions import can_act_for, is_staff_or_admin, staff_organization_ids
from alliance.projects import evidence, search_index
from alliance.projects.models import (
    PHASES_BY_KIND,
    Cohort,
    Programme,
    ProgrammeNote,
    ProgrammePhase,
    Project,
    ProjectApplication,
    ProjectInvitation,
    ProjectSkill,
    kind_name,
)
from core import hooks
from core.audit import audit
from core.db import db, json_row, utcnow
from core.mail import send_template
from core.routing import site_url
from members import notifications
from members.expertise.models import ExpertiseProfile, skill_key
from members.models import Member

log = logging.getLogger(__name__)

TOKYO = ZoneInfo("Asia/Tokyo")
#: what staff may move an application to, from where
TRANSITIONS = {
    "screening": ("interview", "not_matched"),
    "interview": ("matched", "not_matched"),
}
#: the fiscal year (年度) starts in April
FISCAL_YEAR_START_MONTH = 4


class ProjectError(Exception):
    """A rule refused the change; `message` says why, in the user's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# -- dates -----------------------------------------------------------------------------------


def today() -> date:
    """Today in Japan (deadlines and phase dates are Tokyo dates)."""
    return datetime.now(TOKYO).date()


def fiscal_year(day: date) -> int:
    """The Japanese fiscal year (年度) of a day: April to March."""
    return day.year if day.month >= FISCAL_YEAR_START_MONTH else day.year - 1


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# -- who may do what -------------------------------------------------------------------------


def can_manage(project: Project, member=None) -> bool:
    """Staff of the posting organisation, or an admin."""
    return can_act_for(project.organization, member)


def can_see_project(project: Project, member=None) -> bool:
    """Projects of live organisations are public; the others only to their staff and admins."""
    return project.organization.is_live or can_manage(project, member)


def is_party(programme: Programme, member) -> bool:
    """The person, the posting organisation's staff, admins: nobody else sees a programme."""
    if not getattr(member, "is_authenticated", False):
        return False
    return programme.member_id == member.id or can_manage(programme.project, member)


def accepts_applications(project: Project) -> bool:
    return project.status == "open" and project.organization.is_live and project.deadline >= today()


def sees_alliance_profiles(member=None) -> bool:
    """Alliance staff and admins may see profiles whose owners chose "alliance staff only"."""
    return is_staff_or_admin(member)


# -- projects --------------------------------------------------------------------------------


def _set_skills(project: Project, labels: list[str]) -> None:
    existing = {row.key: row for row in project.skill_rows}
    rows = []
    for position, label in enumerate(labels):
        key = skill_key(label)
        row = existing.get(key) or ProjectSkill(key=key)
        row.label, row.position = label, position
        rows.append(row)
    project.skill_rows = rows


PROJECT_FIELDS = (
    "kind", "title", "host_name", "host_type", "theme", "prefecture", "location", "programme_name",
    "description", "hours_per_month", "duration_months", "remote_possible", "compensation",
    "compensation_note", "deadline", "positions",
)


def create_project(organization: Organization, author: Member, *, skills: list[str], **fields) -> Project:
    """Post a project for a host, on behalf of a member organisation."""
    project = Project(organization=organization, created_by_id=author.id, status="open",
                      **{name: fields[name] for name in PROJECT_FIELDS})
    _set_skills(project, skills)
    db.session.add(project)
    db.session.flush()
    audit("project.create", project, organization=organization.slug, kind=project.kind)
    search_index.index_project(project)
    return project


def update_project(project: Project, *, skills: list[str], **fields) -> None:
    """Change a project's description; the audit entry names the fields that changed."""
    changed = [name for name in PROJECT_FIELDS if getattr(project, name) != fields[name]]
    for name in changed:
        setattr(project, name, fields[name])
    if [row.label for row in project.skill_rows] != skills:
        _set_skills(project, skills)
        changed.append("skills")
    if changed:
        audit("project.update", project, fields=changed)
        search_index.index_project(project)


def close_project(project: Project) -> None:
    """No more applications; the applications already in go on."""
    if project.status == "closed":
        return
    project.status = "closed"
    project.closed_at = utcnow()
    audit("project.close", project)
    search_index.index_project(project)


def reopen_project(project: Project) -> None:
    if project.deadline < today():
        raise ProjectError(_l("The application deadline has passed. Move it to a later day first."))
    if project.status == "open":
        return
    project.status = "open"
    project.closed_at = None
    audit("project.reopen", project)
    search_index.index_project(project)


def _staff_recipients(project: Project) -> list[Member]:
    """Who hears about a project's applicants: the posting organisation's staff and its author."""
    members = list(db.session.scalars(
        sa.select(Member).join(OrganizationStaff, OrganizationStaff.member_id == Member.id)
        .where(OrganizationStaff.organization_id == project.organization_id).order_by(Member.id)
    ))
    if project.created_by_id and all(member.id != project.created_by_id for member in members):
        author = db.session.get(Member, project.created_by_id)
        if author is not None:
            members.append(author)
    return members


def _mail_staff(project: Project, template: str, mail_kind: str, **context) -> None:
    """Tell the project's staff (those who take "referral and project updates") about a step."""
    staff = _staff_recipients(project)
    readers = notifications.wanting("staff_updates", [member.id for member in staff])
    for member in staff:
        notifications.send(member, "staff_updates", f"projects/mail/{template}.txt", mail_kind=mail_kind,
                           wants=member.id in readers, recipient=member, project=project, **context)


# -- applications ----------------------------------------------------------------------------


def application_of(project: Project, member) -> ProjectApplication | None:
    if not getattr(member, "is_authenticated", False):
        return None
    return db.session.scalar(sa.select(ProjectApplication).where(
        ProjectApplication.project_id == project.id, ProjectApplication.member_id == member.id))


def apply(project: Project, member: Member, motivation: str) -> ProjectApplication:
    """A member applies with a motivation; the staff and the applicant are told."""
    if not accepts_applications(project):
        raise ProjectError(_l("This project no longer accepts applications."))
    if project.organization_id in staff_organization_ids(member):
        raise ProjectError(_l("You are staff of the organisation that posts this project."))
    if application_of(project, member) is not None:
        raise ProjectError(_l("You have already applied to this project."))
    application = ProjectApplication(project=project, member_id=member.id, motivation=motivation.strip(),
                                     status="screening")
    db.session.add(application)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        # A second click at the same moment: the unique constraint keeps one application.
        raise ProjectError(_l("You have already applied to this project.")) from error
    audit("project_application.create", application, project_id=project.id)
    application_url = site_url("projects.application", application_id=application.id)
    send_template(member.email, "projects/mail/project_application_confirmed.txt", locale=member.locale,
                  kind="project.application_confirmed", member=member, project=project, url=application_url)
    _mail_staff(project, "project_application_received", "project.application_received", applicant=member,
                url=application_url)
    return application


def withdraw(application: ProjectApplication) -> None:
    """The applicant withdraws while the selection is still open."""
    if not application.is_open:
        raise ProjectError(_l("This application has already been decided."))
    application.status = "withdrawn"
    application.decided_at = utcnow()
    audit("project_application.withdraw", application, project_id=application.project_id)
    project = application.project
    _mail_staff(project, "project_application_withdrawn", "project.application_withdrawn",
                applicant=application.member, url=site_url("projects.applicants", project_id=project.id))


def allowed_moves(application: ProjectApplication) -> tuple[str, ...]:
    return TRANSITIONS.get(application.status, ())


def matched_count(project: Project) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(ProjectApplication)
        .where(ProjectApplication.project_id == project.id, ProjectApplication.status == "matched")
    )


def move(application: ProjectApplication, status: str, message: str) -> Programme | None:
    """Staff move an application one step (書類選考 → 面談 → matched / not matched); the applicant
    is mailed with the message. A match starts the programme, which is returned."""
    if status not in allowed_moves(application):
        raise ProjectError(_l("This step is not possible from the application's current state."))
    project = application.project
    if status == "not_matched" and not message.strip():
        raise ProjectError(_l("Please write a kind message to the applicant."))
    if status == "matched":
        # PostgreSQL: two staff matching at once queue on the project row (SQLite already
        # serialises writing transactions), so the places are never overfilled.
        db.session.execute(sa.select(Project.id).where(Project.id == project.id).with_for_update())
    if status == "matched" and matched_count(project) >= project.positions:
        raise ProjectError(_l("All %(positions)d places are filled. Raise the number of people wanted first.",
                              positions=project.positions))
    previous = application.status
    application.status = status
    application.message = message.strip()
    if status in ("matched", "not_matched"):
        application.decided_at = utcnow()
    audit(f"project_application.{status}", application, project_id=project.id, previous=previous)
    programme = start_programme(application) if status == "matched" else None
    member = application.member
    send_template(
        member.email, "projects/mail/project_application_status.txt", locale=member.locale, kind=f"project.application_{status}",
        member=member, project=project, status=status, message=application.message,
        url=site_url("programmes.programme", programme_id=programme.id) if programme
        else site_url("projects.application", application_id=application.id),
    )
    return programme


# -- programmes ------------------------------------------------------------------------------


def cohort_for(project: Project, day: date) -> Cohort:
    """The cohort of a match: same organisation, programme name (or kind) and fiscal year."""
    key = {"organization_id": project.organization_id, "kind": project.kind,
           "programme_name": project.programme_name or "", "fiscal_year": fiscal_year(day)}
    cohort = db.session.scalar(sa.select(Cohort).filter_by(**key))
    if cohort is not None:
        return cohort
    cohort = Cohort(**key)
    try:
        with db.session.begin_nested():
            db.session.add(cohort)
            db.session.flush()
    except IntegrityError:
        # Another match made the cohort at the same moment.
        cohort = db.session.scalar(sa.select(Cohort).filter_by(**key))
    return cohort


def planned_phases(kind: str, duration_months: int, start: date) -> list[ProgrammePhase]:
    """Default plan: for 留職 one month of planning, one of pre-training, the on-site months
    and one of post-training; otherwise the activity months, then a month for the report."""
    phases = []
    day = start
    for position, key in enumerate(PHASES_BY_KIND.get(kind, PHASES_BY_KIND["side-job"])):
        months = duration_months if key in ("on-site", "start") else 1
        end = add_months(day, months)
        phases.append(ProgrammePhase(position=position, key=key, planned_start=day, planned_end=end))
        day = end
    return phases


def start_programme(application: ProjectApplication, *, on: date | None = None) -> Programme:
    """The programme of a match: its cohort and its planned phases."""
    day = on or today()
    project = application.project
    programme = Programme(project=project, application_id=application.id, member_id=application.member_id,
                          cohort=cohort_for(project, day), status="active",
                          phases=planned_phases(project.kind, project.duration_months, day))
    db.session.add(programme)
    db.session.flush()
    audit("programme.start", programme, project_id=project.id)
    return programme


def update_phases(programme: Programme, dates: list[dict]) -> None:
    """Set the planned and actual dates of every phase (in order)."""
    changed = []
    for phase, values in zip(programme.phases, dates, strict=True):
        for name in ("planned_start", "planned_end", "actual_start", "actual_end"):
            if getattr(phase, name) != values[name]:
                setattr(phase, name, values[name])
                changed.append(f"{phase.key}.{name}")
    if changed:
        audit("programme.phases", programme, fields=changed)


def _other_parties(programme: Programme, author: Member) -> list[Member]:
    recipients = [] if programme.member is None else [programme.member]
    recipients += _staff_recipients(programme.project)
    seen, unique = set(), []
    for member in recipients:
        if member.id != author.id and member.id not in seen:
            seen.add(member.id)
            unique.append(member)
    return unique


def add_note(programme: Programme, author: Member, held_on: date, body: str) -> ProgrammeNote:
    """A 1on1 note; the other parties are told (the note itself stays on the site)."""
    note = ProgrammeNote(author_id=author.id, held_on=held_on, body=body.strip())
    programme.notes.append(note)
    db.session.flush()
    audit("programme.note", programme, note_id=note.id)
    for recipient in _other_parties(programme, author):
        send_template(recipient.email, "projects/mail/project_programme_note.txt", locale=recipient.locale,
                      kind="project.programme_note", recipient=recipient, author=author,
                      project=programme.project, held_on=held_on,
                      url=site_url("programmes.programme", programme_id=programme.id))
    return note


def save_report(programme: Programme, report: str, *, submit: bool) -> None:
    """The person writes the final report; submitting it tells the staff."""
    if programme.report_submitted_at is not None:
        raise ProjectError(_l("The final report has already been submitted."))
    programme.report = report.strip()
    if not submit:
        audit("programme.report_draft", programme)
        return
    if not programme.report:
        raise ProjectError(_l("Please write the report before submitting it."))
    programme.report_submitted_at = utcnow()
    audit("programme.report_submit", programme)
    evidence.index_programme(programme)
    _mail_staff(programme.project, "project_programme_report", "project.programme_report", person=programme.member,
                url=site_url("programmes.programme", programme_id=programme.id))


def set_cohort_listing(programme: Programme, listed: bool) -> None:
    """The person's consent to appear, with their report, on the cohort page."""
    if programme.listed_in_cohort != listed:
        programme.listed_in_cohort = listed
        audit("programme.consent", programme, listed=listed)


def planned_hours(programme: Programme) -> int:
    project = programme.project
    return project.hours_per_month * project.duration_months


def complete(programme: Programme, hours_contributed: int) -> None:
    """Close a programme with the hours actually given (for /impact)."""
    if programme.status == "completed":
        raise ProjectError(_l("This programme is already completed."))
    programme.status = "completed"
    programme.completed_at = utcnow()
    programme.hours_contributed = hours_contributed
    audit("programme.complete", programme, hours=hours_contributed)
    evidence.index_programme(programme)  # what the person did is evidence for the next project
    if programme.member is not None:
        person = programme.member
        send_template(person.email, "projects/mail/project_programme_completed.txt", locale=person.locale,
                      kind="project.programme_completed", member=person, project=programme.project,
                      url=site_url("programmes.cohort", cohort_id=programme.cohort_id))


def case_study_drafter():
    """knowhow's `case_study_drafters` hook: (source, report, member) -> URL of the draft, or None."""
    drafters = hooks.CASE_STUDY_DRAFTERS.implementations()
    return drafters[0] if drafters else None


def make_case_study(programme: Programme, member: Member) -> str:
    """Hand the submitted report to knowhow as a case-study draft; returns its URL."""
    drafter = case_study_drafter()
    if drafter is None:
        raise ProjectError(_l("Case studies cannot be drafted at the moment."))
    if programme.report_submitted_at is None:
        raise ProjectError(_l("The final report has not been submitted yet."))
    if programme.case_study_url:
        raise ProjectError(_l("A case-study draft has already been made from this report."))
    url = drafter(programme, programme.report, member)
    programme.case_study_url = str(url or "")[:300]
    audit("programme.case_study", programme, url=programme.case_study_url)
    return programme.case_study_url


# -- invitations -----------------------------------------------------------------------------


def invited_ids(project: Project) -> set[int]:
    return set(db.session.scalars(
        sa.select(ProjectInvitation.member_id).where(ProjectInvitation.project_id == project.id)))


def invite(project: Project, member: Member, inviter: Member) -> None:
    """Tell a suggested member about the project (once)."""
    if not accepts_applications(project):
        raise ProjectError(_l("This project no longer accepts applications."))
    profile = db.session.get(ExpertiseProfile, member.id)
    if profile is None or not profile.accepting:
        raise ProjectError(_l("This person is not taking new projects now."))
    if member.id in invited_ids(project):
        raise ProjectError(_l("This person has already been told about the project."))
    if application_of(project, member) is not None:
        raise ProjectError(_l("This person has already applied to this project."))
    db.session.add(ProjectInvitation(project_id=project.id, member_id=member.id, invited_by_id=inviter.id))
    audit("project.invite", project, member_id=member.id)
    send_template(member.email, "projects/mail/project_invitation.txt", locale=member.locale, kind="project.invitation",
                  member=member, project=project, inviter=inviter,
                  url=site_url("projects.detail", project_id=project.id))


# -- lists and figures -----------------------------------------------------------------------


def live_organization_filter():
    return sa.and_(Organization.status == "active", Organization.deleted_at.is_(None))


def project_list_query(*, kind: str = "", theme: str = "", prefectures: list[str] | None = None,
                       remote: bool = False, status: str = "open", organization_id: int | None = None
                       ) -> sa.Select:
    """Projects of live organisations for the public list, deadline soonest first when open."""
    query = (
        sa.select(Project).join(Project.organization).where(live_organization_filter())
        .options(joinedload(Project.organization), selectinload(Project.skill_rows))
    )
    if status == "open":
        query = query.where(Project.status == "open", Project.deadline >= today()) \
            .order_by(Project.deadline, Project.id)
    else:
        query = query.where(sa.or_(Project.status == "closed", Project.deadline < today())) \
            .order_by(Project.deadline.desc(), Project.id.desc())
    if kind:
        query = query.where(Project.kind == kind)
    if theme:
        query = query.where(Project.theme == theme)
    if prefectures:
        query = query.where(Project.prefecture.in_(prefectures))
    if remote:
        query = query.where(Project.remote_possible.is_(True))
    if organization_id:
        query = query.where(Project.organization_id == organization_id)
    return query


def application_counts(project_ids: list[int]) -> dict[int, dict[str, int]]:
    """{project id: {status: count}} in one query."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    if project_ids:
        for project_id, status, count in db.session.execute(
            sa.select(ProjectApplication.project_id, ProjectApplication.status, sa.func.count())
            .where(ProjectApplication.project_id.in_(project_ids))
            .group_by(ProjectApplication.project_id, ProjectApplication.status)
        ):
            counts[project_id][status] = count
    return counts


def applications_of(project: Project) -> list[ProjectApplication]:
    """A project's applications, open ones first, oldest first within a status."""
    order = sa.case({status: index for index, status in enumerate(
        ("screening", "interview", "matched", "not_matched", "withdrawn"))}, value=ProjectApplication.status)
    return list(db.session.scalars(
        sa.select(ProjectApplication).where(ProjectApplication.project_id == project.id)
        .options(joinedload(ProjectApplication.member))
        .order_by(order, ProjectApplication.created_at, ProjectApplication.id)
    ))


def programmes_by_application(application_ids: list[int]) -> dict[int, Programme]:
    if not application_ids:
        return {}
    return {programme.application_id: programme for programme in db.session.scalars(
        sa.select(Programme).where(Programme.application_id.in_(application_ids)))}


def my_applications_query(member: Member) -> sa.Select:
    """The member's applications, newest first."""
    return (sa.select(ProjectApplication).where(ProjectApplication.member_id == member.id)
            .options(joinedload(ProjectApplication.project).joinedload(Project.organization))
            .order_by(ProjectApplication.created_at.desc(), ProjectApplication.id.desc()))


def my_applications(member: Member, limit: int = 20) -> list[ProjectApplication]:
    return list(db.session.scalars(my_applications_query(member).limit(limit)))


def my_programmes(member: Member) -> list[Programme]:
    return list(db.session.scalars(
        sa.select(Programme).where(Programme.member_id == member.id)
        .options(joinedload(Programme.project).joinedload(Project.organization), selectinload(Programme.phases))
        .order_by(Programme.created_at.desc(), Programme.id.desc())
    ))


def staff_projects(member: Member, limit: int = 10) -> list[Project]:
    """Open projects of the organisations the member is staff of."""
    ids = staff_organization_ids(member)
    if not ids:
        return []
    return list(db.session.scalars(
        sa.select(Project).where(Project.organization_id.in_(ids), Project.status == "open")
        .options(joinedload(Project.organization))
        .order_by(Project.deadline, Project.id).limit(limit)
    ))


def cohort_label(cohort: Cohort) -> str:
    """A cohort's name: the programme's, or the kind's, and the fiscal year."""
    return _("%(name)s, fiscal %(year)d", name=cohort.programme_name or kind_name(cohort.kind),
             year=cohort.fiscal_year)


@dataclass(frozen=True)
class OrganizationImpact:
    organization: Organization
    people: int
    companies: int
    municipalities: int
    organizations: int
    hours: int


def _matched_rows():
    """Programmes joined to their projects (every programme is one person matched)."""
    return sa.select(Programme).join(Project, Project.id == Programme.project_id)


def impact_totals() -> dict[str, int]:
    """Network-wide: people matched, hosts helped by type, hours given in completed programmes."""
    people = db.session.scalar(sa.select(sa.func.count()).select_from(_matched_rows().subquery()))
    hosts = dict(db.session.execute(
        sa.select(Project.host_type, sa.func.count(sa.distinct(Project.host_name)))
        .where(sa.exists().where(Programme.project_id == Project.id))
        .group_by(Project.host_type)
    ).all())
    hours = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Programme.hours_contributed), 0))
        .where(Programme.status == "completed")
    )
    return {"people": people or 0, "companies": hosts.get("company", 0),
            "municipalities": hosts.get("municipality", 0), "organizations": hosts.get("organization", 0),
            "hours": int(hours or 0)}


def _hosts_of_type(host_type: str):
    """Distinct hosts of one type (CASE without ELSE gives NULL, which COUNT skips)."""
    return sa.func.count(sa.distinct(sa.case((Project.host_type == host_type, Project.host_name))))


def impact_by_organization(organization_id: int | None = None) -> list[OrganizationImpact]:
    """Per posting organisation: the 「27社51名」 figure — hosts helped and people matched."""
    query = (
        sa.select(
            Organization, sa.func.count(Programme.id), _hosts_of_type("company"), _hosts_of_type("municipality"),
            _hosts_of_type("organization"),
            sa.func.coalesce(sa.func.sum(sa.case((Programme.status == "completed", Programme.hours_contributed),
                                                 else_=0)), 0),
        )
        .join(Project, Project.organization_id == Organization.id)
        .join(Programme, Programme.project_id == Project.id)
        .where(live_organization_filter())
        .group_by(Organization.id)
        .order_by(sa.func.count(Programme.id).desc(), Organization.name)
    )
    if organization_id is not None:
        query = query.where(Organization.id == organization_id)
    return [OrganizationImpact(organization, people, companies, municipalities, others, int(hours))
            for organization, people, companies, municipalities, others, hours in db.session.execute(query)]


def export_member(member: Member) -> dict:
    """The member's applications to projects, for /members/me/export."""
    applications = db.session.scalars(sa.select(ProjectApplication).where(
        ProjectApplication.member_id == member.id).order_by(ProjectApplication.id))
    return {"project_applications": [
        {**json_row(application, "id", "project_id", "motivation", "status", "message", "created_at", "decided_at"),
         "project_title": application.project.title}
        for application in applications
    ]}


def erase_member(member: Member) -> None:
    """`member_erasers` hook: applications (motivations) and invitations go; programmes stay for
    the host and the figures, without the person, their report or the 1on1 notes about them."""
    programme_ids = list(db.session.scalars(sa.select(Programme.id).where(Programme.member_id == member.id)))
    if programme_ids:
        db.session.execute(sa.delete(ProgrammeNote).where(ProgrammeNote.programme_id.in_(programme_ids)))
        db.session.execute(
            sa.update(Programme).where(Programme.id.in_(programme_ids))
            .values(member_id=None, application_id=None, report="", listed_in_cohort=False)
        )
        evidence.remove_programmes(programme_ids)
    db.session.execute(sa.delete(ProjectApplication).where(ProjectApplication.member_id == member.id))
    db.session.execute(sa.delete(ProjectInvitation).where(ProjectInvitation.member_id == member.id))
