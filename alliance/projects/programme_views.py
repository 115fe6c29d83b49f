"""Programme pages (phases, 1on1 notes, final report) for the parties, and cohort pages for members.

A programme is seen by its person, the posting organisation's staff and admins;
anyone else gets 404, as for a referral.
"""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from alliance.models import Organization
from alliance.projects import services
from alliance.projects.forms import (
    CompleteForm,
    ConsentForm,
    NoteForm,
    PhasesForm,
    ReportForm,
)
from alliance.projects.models import Cohort, Programme, ProgrammeNote, Project
from core.db import db
from core.forms import EmptyForm

COHORTS_PER_PAGE = 30

bp = Blueprint("programmes", __name__, url_prefix="/alliance/projects")


def get_programme_or_404(programme_id: int) -> Programme:
    """A programme the current user is a party of."""
    programme = db.session.scalar(
        sa.select(Programme).where(Programme.id == programme_id)
        .options(
            joinedload(Programme.project).joinedload(Project.organization),
            joinedload(Programme.member), joinedload(Programme.cohort),
            selectinload(Programme.phases), selectinload(Programme.notes).joinedload(ProgrammeNote.author),
        )
    )
    if programme is None or not services.is_party(programme, current_user):
        abort(404)
    return programme


def get_managed_programme_or_404(programme_id: int) -> Programme:
    programme = get_programme_or_404(programme_id)
    if not services.can_manage(programme.project):
        abort(404)
    return programme


def get_own_programme_or_404(programme_id: int) -> Programme:
    programme = get_programme_or_404(programme_id)
    if programme.member_id != current_user.id:
        abort(404)
    return programme


def _phase_data(programme: Programme) -> dict:
    return {"phases": [{"planned_start": phase.planned_start, "planned_end": phase.planned_end,
                        "actual_start": phase.actual_start, "actual_end": phase.actual_end}
                       for phase in programme.phases]}


def _render(programme: Programme, status: int = 200, **forms):
    manage = services.can_manage(programme.project)
    forms.setdefault("phases_form", PhasesForm(data=_phase_data(programme)))
    forms.setdefault("note_form", NoteForm(data={"held_on": services.today()}))
    forms.setdefault("report_form", ReportForm(data={"report": programme.report}))
    forms.setdefault("consent_form", ConsentForm(data={"listed_in_cohort": programme.listed_in_cohort}))
    forms.setdefault("complete_form", CompleteForm(data={"hours_contributed": services.planned_hours(programme)}))
    page = render_template(
        "projects/programme.html", programme=programme, project=programme.project, manage=manage,
        mine=programme.member_id == current_user.id, confirm_form=EmptyForm(),
        can_draft_case_study=manage and services.case_study_drafter() is not None,
        cohort_label=services.cohort_label(programme.cohort), **forms,
    )
    return page, status


@bp.get("/programmes/<int:programme_id>")
@login_required
def programme(programme_id: int):
    """A match's programme: phases with planned and actual dates, 1on1 notes, the final report."""
    return _render(get_programme_or_404(programme_id))


@bp.post("/programmes/<int:programme_id>/phases")
@login_required
def phases(programme_id: int):
    """Set the planned and actual dates of the phases (posting staff, admins)."""
    programme = get_managed_programme_or_404(programme_id)
    form = PhasesForm()
    if not form.validate_on_submit() or len(form.phases.entries) != len(programme.phases):
        if len(form.phases.entries) != len(programme.phases):
            form = PhasesForm(data=_phase_data(programme))
            form.phases.errors = [_("Please send the dates of every phase.")]
        return _render(programme, phases_form=form)
    services.update_phases(programme, form.dates())
    db.session.commit()
    flash(_("The phases have been saved."), "success")
    return redirect(url_for("programmes.programme", programme_id=programme.id, _anchor="phases"))


@bp.post("/programmes/<int:programme_id>/notes")
@login_required
def add_note(programme_id: int):
    """Add a 1on1 note (any party); the other parties are mailed."""
    programme = get_programme_or_404(programme_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render(programme, note_form=form)
    services.add_note(programme, current_user._get_current_object(), form.held_on.data, form.body.data)
    db.session.commit()
    flash(_("The note has been added."), "success")
    return redirect(url_for("programmes.programme", programme_id=programme.id, _anchor="notes"))


@bp.post("/programmes/<int:programme_id>/report")
@login_required
def report(programme_id: int):
    """Save or submit my final report (the person only)."""
    programme = get_own_programme_or_404(programme_id)
    form = ReportForm()
    if not form.validate_on_submit():
        return _render(programme, report_form=form)
    try:
        services.save_report(programme, form.report.data or "", submit=bool(form.submit.data))
    except services.ProjectError as error:
        db.session.rollback()
        form.report.errors.append(error.message)
        return _render(get_programme_or_404(programme_id), report_form=form)
    db.session.commit()
    flash(_("Your final report has been submitted. Thank you!") if form.submit.data
          else _("The draft has been saved."), "success")
    return redirect(url_for("programmes.programme", programme_id=programme.id, _anchor="report"))


@bp.post("/programmes/<int:programme_id>/consent")
@login_required
def consent(programme_id: int):
    """Whether I appear, with my report, on the cohort page (the person only)."""
    programme = get_own_programme_or_404(programme_id)
    form = ConsentForm()
    if form.validate_on_submit():
        services.set_cohort_listing(programme, form.listed_in_cohort.data)
        db.session.commit()
        flash(_("You are listed on the cohort page.") if form.listed_in_cohort.data
              else _("You are no longer listed on the cohort page."), "success")
    return redirect(url_for("programmes.programme", programme_id=programme.id, _anchor="cohort"))


@bp.post("/programmes/<int:programme_id>/complete")
@login_required
def complete(programme_id: int):
    """Close the programme with the hours given (posting staff, admins)."""
    programme = get_managed_programme_or_404(programme_id)
    form = CompleteForm()
    if not form.validate_on_submit():
        return _render(programme, complete_form=form)
    try:
        services.complete(programme, form.hours_contributed.data)
    except services.ProjectError as error:
        db.session.rollback()
        form.hours_contributed.errors.append(error.message)
        return _render(get_programme_or_404(programme_id), complete_form=form)
    db.session.commit()
    flash(_("The programme is completed."), "success")
    return redirect(url_for("programmes.programme", programme_id=programme.id))


@bp.post("/programmes/<int:programme_id>/case-study")
@login_required
def case_study(programme_id: int):
    """Turn the submitted report into a knowhow case-study draft (posting staff, admins)."""
    programme = get_managed_programme_or_404(programme_id)
    if EmptyForm().validate_on_submit():
        try:
            url = services.make_case_study(programme, current_user._get_current_object())
        except services.ProjectError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("A case-study draft has been made from the report."), "success")
            if url:
                return redirect(url)
    return redirect(url_for("programmes.programme", programme_id=programme.id, _anchor="report"))


@bp.get("/cohorts/")
@login_required
def cohorts():
    """Cohorts of matched people (RAN members), newest fiscal year first."""
    query = (
        sa.select(Cohort, sa.func.count(Programme.id))
        .join(Programme, Programme.cohort_id == Cohort.id)
        .join(Organization, Organization.id == Cohort.organization_id)
        .where(services.live_organization_filter())
        .options(joinedload(Cohort.organization))
        .group_by(Cohort.id)
        .order_by(Cohort.fiscal_year.desc(), Cohort.id.desc())
    )
    rows = db.session.execute(query).all()
    return render_template("projects/cohorts.html", rows=[(cohort, count, services.cohort_label(cohort))
                                                          for cohort, count in rows])


@bp.get("/cohorts/<int:cohort_id>")
@login_required
def cohort(cohort_id: int):
    """A cohort: its people who agreed to be listed, their hosts and reports (RAN members)."""
    cohort = db.session.scalar(
        sa.select(Cohort).where(Cohort.id == cohort_id).options(joinedload(Cohort.organization)))
    if cohort is None or not cohort.organization.is_live:
        abort(404)
    programmes = list(db.session.scalars(
        sa.select(Programme).where(Programme.cohort_id == cohort.id)
        .options(joinedload(Programme.member), joinedload(Programme.project))
        .order_by(Programme.created_at, Programme.id)
    ))
    listed = [p for p in programmes if p.listed_in_cohort and p.member is not None]
    mine = next((p for p in programmes if p.member_id == current_user.id), None)
    return render_template("projects/cohort.html", cohort=cohort, label=services.cohort_label(cohort),
                           listed=listed, total=len(programmes), mine=mine)
