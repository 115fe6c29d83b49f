"""The organiser's question editor (registration and survey) and the summary of registration answers."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from core.audit import audit
from core.db import db
from core.forms import EmptyForm, choice_list
from events import questions
from events.forms import QuestionForm
from events.models import EventAnswer, EventQuestion
from events.views import get_managed_event_or_404

bp = Blueprint("event_questions", __name__, url_prefix="/events")

PURPOSE = "<any(signup, survey):purpose>"


def _question_form(purpose: str, question: EventQuestion | None = None) -> QuestionForm:
    form = QuestionForm(obj=question if request.method == "GET" else None)
    form.kind.choices = choice_list((kind, questions.KIND_LABELS[kind]) for kind in questions.PURPOSE_KINDS[purpose])
    if question is not None and request.method == "GET":
        form.choices.data = "\n".join(question.choices)
    return form


def _get_question_or_404(event, question_id: int) -> EventQuestion:
    question = db.session.get(EventQuestion, question_id)
    if question is None or question.event_id != event.id:
        abort(404)
    return question


def _has_answers(question: EventQuestion) -> bool:
    return db.session.scalar(db.select(EventAnswer.id).where(EventAnswer.question_id == question.id).limit(1)) is not None


@bp.route(f"/<int:event_id>/questions/{PURPOSE}", methods=["GET", "POST"])
@login_required
def edit(event_id: int, purpose: str):
    """The questions in order, each with its tools, and the form adding one more."""
    event = get_managed_event_or_404(event_id)
    form = _question_form(purpose)
    listed = event.questions_for(purpose)
    if form.validate_on_submit():
        if len(listed) >= questions.MAX_QUESTIONS:
            flash(_("An event can ask at most %(count)d questions here.", count=questions.MAX_QUESTIONS), "error")
        else:
            question = questions.add_question(event, purpose, kind=form.kind.data, label=form.label.data,
                                              choices=questions.parse_choices(form.choices.data),
                                              required=bool(form.required.data))
            audit("event.question_added", event, question_id=question.id, purpose=purpose)
            db.session.commit()
            flash(_("The question was added."), "success")
            return redirect(url_for(".edit", event_id=event.id, purpose=purpose))
    return render_template("events/questions.html", event=event, purpose=purpose, listed=listed, form=form,
                           button_form=EmptyForm()), 422 if form.errors else 200


@bp.route(f"/<int:event_id>/questions/{PURPOSE}/<int:question_id>", methods=["GET", "POST"])
@login_required
def edit_question(event_id: int, purpose: str, question_id: int):
    event = get_managed_event_or_404(event_id)
    question = _get_question_or_404(event, question_id)
    if question.purpose != purpose:
        abort(404)
    form = _question_form(purpose, question)
    answered = _has_answers(question)
    if form.validate_on_submit():
        if answered and form.kind.data != question.kind:
            form.kind.errors.append(_("People have answered this question already: its kind cannot change. "
                                      "Add a new question instead."))
        else:
            question.kind = form.kind.data
            question.label = form.label.data.strip()
            question.choices = questions.parse_choices(form.choices.data) if question.has_choices else []
            question.required = bool(form.required.data)
            audit("event.question_changed", event, question_id=question.id)
            db.session.commit()
            flash(_("The question was saved."), "success")
            return redirect(url_for(".edit", event_id=event.id, purpose=purpose))
    status = 422 if form.errors else 200
    return render_template("events/question_form.html", event=event, purpose=purpose, question=question, form=form,
                           answered=answered), status


@bp.post(f"/<int:event_id>/questions/{PURPOSE}/<int:question_id>/move")
@login_required
def move(event_id: int, purpose: str, question_id: int):
    event = get_managed_event_or_404(event_id)
    question = _get_question_or_404(event, question_id)
    if not EmptyForm().validate_on_submit() or question.purpose != purpose:
        abort(400)
    questions.move_question(event, question, -1 if request.form.get("direction") == "up" else 1)
    db.session.commit()
    return redirect(url_for(".edit", event_id=event.id, purpose=purpose))


@bp.post(f"/<int:event_id>/questions/{PURPOSE}/<int:question_id>/delete")
@login_required
def delete(event_id: int, purpose: str, question_id: int):
    """Remove a question and the answers given to it."""
    event = get_managed_event_or_404(event_id)
    question = _get_question_or_404(event, question_id)
    if not EmptyForm().validate_on_submit() or question.purpose != purpose:
        abort(400)
    audit("event.question_deleted", event, question_id=question.id, label=question.label)
    db.session.delete(question)
    db.session.commit()
    flash(_("The question and its answers were deleted."), "success")
    return redirect(url_for(".edit", event_id=event.id, purpose=purpose))


@bp.get("/<int:event_id>/answers")
@login_required
def summary(event_id: int):
    """The registration answers added up per question (the attendee list and CSV show each person's)."""
    event = get_managed_event_or_404(event_id)
    return render_template("events/answers.html", event=event, summaries=questions.summarise(event, "signup"))


@bp.post("/<int:event_id>/questions/signup/copy-to-series")
@login_required
def copy_to_series(event_id: int):
    """Ask the same registration questions (and consent) in every session of the event's series."""
    event = get_managed_event_or_404(event_id)
    if not EmptyForm().validate_on_submit() or event.series is None:
        abort(400)
    changed = questions.copy_to_series(event)
    audit("event.questions_copied_to_series", event, sessions=changed)
    db.session.commit()
    flash(_("The questions were added to %(count)d other sessions of the series.", count=changed), "success")
    return redirect(url_for(".edit", event_id=event.id, purpose="signup"))
