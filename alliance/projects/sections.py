"""What projects add to pages owned by others (registered on core.hooks at init_app)."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from alliance.models import Organization
from alliance.permissions import is_staff_or_admin
from alliance.projects import services
from alliance.projects.models import Programme, Project, ProjectApplication
from core.auth import is_admin
from core.db import db
from core.hooks import Figure, MenuItem, ToolLink, render_section

ORGANIZATION_PROJECTS_SHOWN = 5



def member_section(member) -> Markup | None:
    """On /members/me: my applications and programmes; for staff, their organisations' open projects."""
    applications = services.my_applications(member)
    programmes = services.my_programmes(member)
    projects = services.staff_projects(member)
    counts = services.application_counts([project.id for project in projects])
    return render_section("projects/_member_section.html", applications=applications, programmes=programmes,
                   projects=projects, counts=counts)


def organization_section(organization: Organization) -> Markup | None:
    """On an organisation's page: its open projects and the people it matched."""
    projects = db.session.scalars(
        services.project_list_query(organization_id=organization.id).limit(ORGANIZATION_PROJECTS_SHOWN)
    ).all()
    impact = services.impact_by_organization(organization.id)
    if not projects and not impact:
        return None
    return render_section("projects/_organization_section.html", organization=organization, projects=projects,
                   impact=impact[0] if impact else None)


def impact_figures() -> list[Figure]:
    """On /impact: people matched, companies and municipalities helped, hours given."""
    totals = services.impact_totals()
    return [
        Figure(_("People matched to local projects"), totals["people"],
               _("side jobs, secondments, facilitator dispatches")),
        Figure(_("Companies helped"), totals["companies"], _("by matched people")),
        Figure(_("Municipalities helped"), totals["municipalities"], _("by matched people")),
        Figure(_("Hours contributed"), f"{totals['hours']:,}", _("in completed programmes")),
    ]


def impact_section() -> Markup | None:
    """On /impact: the 「27社51名」 figure of each organisation that matched people."""
    rows = services.impact_by_organization()
    if not rows:
        return None
    return render_section("projects/_impact_section.html", rows=rows)


def secretariat_section() -> Markup | None:
    """On /alliance/secretariat/: projects open, applications waiting, programmes running."""
    if not is_admin():
        return None
    open_projects = db.session.scalar(
        sa.select(sa.func.count()).select_from(Project)
        .where(Project.status == "open", Project.deadline >= services.today()))
    waiting = db.session.scalar(
        sa.select(sa.func.count()).select_from(ProjectApplication)
        .where(ProjectApplication.status.in_(("screening", "interview"))))
    running = db.session.scalar(
        sa.select(sa.func.count()).select_from(Programme).where(Programme.status == "active"))
    return render_section("projects/_secretariat_section.html", open_projects=open_projects, waiting=waiting,
                   running=running)


def profile_page(member_id: int) -> str:
    """Where a member's public expertise profile is shown: the people directory."""
    return url_for("people.person", member_id=member_id)


MENU_ITEM = MenuItem("projects.index", _l("Projects"), order=40)
TOOL_LINK = ToolLink("projects.new", _l("Post a project"), is_staff_or_admin, order=40)
