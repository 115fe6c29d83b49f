"""The survey after an event: answering it (those present, once) and its results for the organiser (charts, CSV)."""

import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.csv_download import csv_download
from core.db import db
from core.i18n import format_local_datetime
from events import questions, surveys
from events.checkin import ticket_of
from events.models import Registration
from events.views import get_managed_event_or_404, get_visible_event_or_404

bp = Blueprint("surveys", __name__, url_prefix="/events")


@bp.route("/<int:event_id>/survey", methods=["GET", "POST"])
@login_required
def answer(event_id: int):
    """The survey, for a member marked present; answered once."""
    event = get_visible_event_or_404(event_id)
    registration = ticket_of(event, current_user)
    refusal = surveys.may_answer(event, registration)
    if refusal in ("not_open", "not_present"):
        abort(404)
    if refusal == "answered":
        return render_template("events/survey_thanks.html", event=event, already=True)
    asked = event.questions_for("survey")
    form = questions.answers_form(asked)
    if form.validate_on_submit():
        if surveys.record(registration, form):
            db.session.commit()
            return render_template("events/survey_thanks.html", event=event, already=False)
        db.session.rollback()
        return render_template("events/survey_thanks.html", event=event, already=True)
    status = 422 if form.errors else 200
    return render_template("events/survey.html", event=event, form=form,
                           fields=questions.question_fields(form, asked)), status


@bp.get("/<int:event_id>/survey/results")
@login_required
def results(event_id: int):
    event = get_managed_event_or_404(event_id)
    return render_template("events/survey_results.html", event=event,
                           summaries=questions.summarise(event, "survey"),
                           respondents=surveys.respondents(event))


@bp.get("/<int:event_id>/survey.csv")
@login_required
def results_csv(event_id: int):
    """Every response, one row each, one column per question (UTF-8 with BOM, formulas neutralised); without
    names, as the survey promises."""
    event = get_managed_event_or_404(event_id)
    asked = event.questions_for("survey")
    responses = db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event.id,
                                      Registration.survey_answered_at.is_not(None))
        .order_by(Registration.survey_answered_at, Registration.id)
    ).all()
    answers = questions.answers_of([registration.id for registration in responses], [q.id for q in asked])
    rows = ((format_local_datetime(registration.survey_answered_at),
             *(questions.as_text(answers.get(registration.id, {}).get(question.id)) for question in asked))
            for registration in responses)
    return csv_download(f"event-{event.id}-survey.csv", [_("Answered at"), *(q.label for q in asked)], rows)
