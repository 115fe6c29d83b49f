"""Project pages: the public list and detail, posting, applying, and the selection by staff."""

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from alliance.permissions import acting_organizations
from alliance.projects import services, suggest
from alliance.projects.forms import ApplyForm, MoveForm, ProjectFilterForm, ProjectForm
from alliance.projects.models import (
    APPLICATION_STATUSES,
    Project,
    ProjectApplication,
    application_status_name,
    compensation_name,
    host_type_name,
    kind_name,
    phase_name,
)
from core import refdata
from core.auth import confirmed_required
from core.db import db
from core.forms import EmptyForm
from core.paging import paginate
from members.models import Member

# Templates live in alliance/templates (shared with the alliance pages).
bp = Blueprint("projects", __name__, url_prefix="/alliance/projects", template_folder="templates")

PER_PAGE = 20
SUGGESTIONS_SHOWN = 10
DEFAULT_DEADLINE_DAYS = 30

# Globals rather than a context processor, so imported macros and mail templates see them too.
bp.add_app_template_global(kind_name, "project_kind_name")
bp.add_app_template_global(host_type_name, "project_host_type_name")
bp.add_app_template_global(compensation_name, "project_compensation_name")
bp.add_app_template_global(application_status_name, "application_status_name")
bp.add_app_template_global(phase_name, "programme_phase_name")


def get_project_or_404(project_id: int) -> Project:
    """A project the current user may see (its organisation live, or they manage it)."""
    project = db.session.scalar(
        sa.select(Project).where(Project.id == project_id)
        .options(joinedload(Project.organization), selectinload(Project.skill_rows))
    )
    if project is None or not services.can_see_project(project):
        abort(404)
    return project


def get_managed_project_or_404(project_id: int) -> Project:
    """A project the current user manages (posting staff, admins); 404 for everyone else."""
    project = get_project_or_404(project_id)
    if not services.can_manage(project):
        abort(404)
    return project


def get_application_or_404(application_id: int) -> ProjectApplication:
    application = db.session.scalar(
        sa.select(ProjectApplication).where(ProjectApplication.id == application_id)
        .options(joinedload(ProjectApplication.member),
                 joinedload(ProjectApplication.project).joinedload(Project.organization))
    )
    if application is None:
        abort(404)
    return application


def _area_codes(region: str, prefecture: str) -> list[str]:
    if prefecture:
        return [prefecture]
    return refdata.prefectures_in_region(region) if region else []


@bp.get("/")
def index():
    """Projects accepting applications (or past ones), with filters."""
    filters = ProjectFilterForm(request.args)
    # Unknown filter values (an old link, a typo) are ignored rather than refused.
    values = filters.data if filters.validate() else {}
    status = "past" if values.get("status") == "past" else "open"
    query = services.project_list_query(
        kind=values.get("kind") or "", theme=values.get("theme") or "",
        prefectures=_area_codes(values.get("region") or "", values.get("prefecture") or ""),
        remote=bool(values.get("remote")), status=status,
    )
    page = paginate(query, PER_PAGE)
    return render_template("projects/index.html", page=page, filters=filters, status=status,
                           can_post=bool(current_user.is_authenticated
                                         and acting_organizations(current_user)))


@bp.route("/new", methods=["GET", "POST"])
@login_required
@confirmed_required
def new():
    """Post a project for a local host (alliance staff, admins)."""
    organizations = acting_organizations(current_user)
    if not organizations:
        abort(404)
    initial = {"deadline": services.today() + timedelta(days=DEFAULT_DEADLINE_DAYS), "positions": 1,
               "organization": organizations[0].slug if len(organizations) == 1 else ""}
    form = ProjectForm(organizations=organizations, data=initial)
    if form.validate_on_submit():
        organization = next(o for o in organizations if o.slug == form.organization.data)
        project = services.create_project(organization, current_user, skills=form.skill_labels,
                                          **form.project_fields())
        db.session.commit()
        flash(_("The project has been published."), "success")
        return redirect(url_for("projects.detail", project_id=project.id))
    return render_template("projects/form.html", form=form, project=None)


def _render_detail(project: Project, apply_form: ApplyForm | None = None):
    manage = services.can_manage(project)
    return render_template(
        "projects/detail.html", project=project, manage=manage,
        application=services.application_of(project, current_user),
        apply_form=apply_form or ApplyForm(), confirm_form=EmptyForm(),
        open_for_applications=services.accepts_applications(project),
        counts=services.application_counts([project.id]).get(project.id, {}) if manage else {},
        is_host_staff=project.organization_id in services.staff_organization_ids(),
    )


@bp.get("/<int:project_id>")
def detail(project_id: int):
    """A project: what the host looks for, the conditions, and the application form."""
    return _render_detail(get_project_or_404(project_id))


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit(project_id: int):
    """Change a project (its posting staff, admins)."""
    project = get_managed_project_or_404(project_id)
    initial = {name: getattr(project, name) for name in services.PROJECT_FIELDS}
    initial.update(organization=project.organization.slug, skills="、".join(project.skills))
    form = ProjectForm(organizations=[project.organization], editing=True, data=initial)
    if form.validate_on_submit():
        services.update_project(project, skills=form.skill_labels, **form.project_fields())
        db.session.commit()
        flash(_("The project has been saved."), "success")
        return redirect(url_for("projects.detail", project_id=project.id))
    return render_template("projects/form.html", form=form, project=project)


@bp.post("/<int:project_id>/close")
@login_required
def close(project_id: int):
    """Stop accepting applications."""
    project = get_managed_project_or_404(project_id)
    if EmptyForm().validate_on_submit():
        services.close_project(project)
        db.session.commit()
        flash(_("The project no longer accepts applications."), "success")
    return redirect(url_for("projects.detail", project_id=project.id))


@bp.post("/<int:project_id>/reopen")
@login_required
def reopen(project_id: int):
    """Accept applications again (until the deadline)."""
    project = get_managed_project_or_404(project_id)
    if EmptyForm().validate_on_submit():
        try:
            services.reopen_project(project)
        except services.ProjectError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("The project accepts applications again."), "success")
    return redirect(url_for("projects.detail", project_id=project.id))


@bp.post("/<int:project_id>/apply")
@login_required
@confirmed_required
def apply(project_id: int):
    """Apply with a motivation; the posting staff and I are mailed."""
    project = get_project_or_404(project_id)
    form = ApplyForm()
    if not form.validate_on_submit():
        return _render_detail(project, form)
    try:
        application = services.apply(project, current_user._get_current_object(), form.motivation.data)
    except services.ProjectError as error:
        db.session.rollback()
        form.motivation.errors.append(error.message)
        return _render_detail(get_project_or_404(project_id), form)
    db.session.commit()
    flash(_("Your application has been sent. The staff will contact you by mail."), "success")
    return redirect(url_for("projects.application", application_id=application.id))


@bp.get("/<int:project_id>/applicants")
@login_required
def applicants(project_id: int):
    """The applicants of a project, by step of the selection (posting staff, admins)."""
    project = get_managed_project_or_404(project_id)
    applications = services.applications_of(project)
    return render_template(
        "projects/applicants.html", project=project, applications=applications,
        programmes=services.programmes_by_application([a.id for a in applications]),
        statuses=APPLICATION_STATUSES, matched=sum(a.status == "matched" for a in applications),
    )


@bp.get("/<int:project_id>/suggestions")
@login_required
def suggestions(project_id: int):
    """Members whose opt-in profile fits, ranked with the reasons (posting staff, admins)."""
    project = get_managed_project_or_404(project_id)
    return render_template(
        "projects/suggestions.html", project=project,
        suggested=suggest.suggest_people(project, limit=SUGGESTIONS_SHOWN),
        invited=services.invited_ids(project), confirm_form=EmptyForm(),
        open_for_applications=services.accepts_applications(project),
    )


@bp.post("/<int:project_id>/invite/<int:member_id>")
@login_required
def invite(project_id: int, member_id: int):
    """Tell a suggested member about the project, once."""
    project = get_managed_project_or_404(project_id)
    member = db.session.get(Member, member_id)
    if member is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        try:
            services.invite(project, member, current_user._get_current_object())
        except services.ProjectError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("%(name)s has been told about the project.", name=member.display_name), "success")
    return redirect(url_for("projects.suggestions", project_id=project.id))


def _render_application(application: ProjectApplication, move_form: MoveForm | None = None):
    manage = services.can_manage(application.project)
    programme = services.programmes_by_application([application.id]).get(application.id)
    return render_template(
        "projects/application.html", application=application, project=application.project, manage=manage,
        mine=application.member_id == current_user.id, programme=programme,
        move_form=move_form or MoveForm(allowed=services.allowed_moves(application)),
        confirm_form=EmptyForm(),
    )


@bp.get("/applications/<int:application_id>")
@login_required
def application(application_id: int):
    """One application: for the applicant, and for the posting staff who decide on it."""
    application = get_application_or_404(application_id)
    if application.member_id != current_user.id and not services.can_manage(application.project):
        abort(404)
    return _render_application(application)


@bp.post("/applications/<int:application_id>/move")
@login_required
def move(application_id: int):
    """Move an application one step (posting staff, admins); the applicant is mailed."""
    application = get_application_or_404(application_id)
    if not services.can_manage(application.project):
        abort(404)
    form = MoveForm(allowed=services.allowed_moves(application))
    if not form.validate_on_submit():
        return _render_application(application, form)
    try:
        programme = services.move(application, form.status.data, form.message.data or "")
    except services.ProjectError as error:
        db.session.rollback()
        form.status.errors.append(error.message)
        return _render_application(get_application_or_404(application_id), form)
    db.session.commit()
    flash(_("%(name)s: %(status)s. The applicant has been mailed.", name=application.member.display_name,
            status=application_status_name(application.status)), "success")
    if programme is not None:
        return redirect(url_for("programmes.programme", programme_id=programme.id))
    return redirect(url_for("projects.applicants", project_id=application.project_id))


@bp.post("/applications/<int:application_id>/withdraw")
@login_required
def withdraw(application_id: int):
    """Withdraw my application while it is still being decided."""
    application = get_application_or_404(application_id)
    if application.member_id != current_user.id:
        abort(404)
    if EmptyForm().validate_on_submit():
        try:
            services.withdraw(application)
        except services.ProjectError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("Your application has been withdrawn."), "success")
    return redirect(url_for("projects.application", application_id=application.id))
