"""After the event: slides and recording links, the closing report, and the report turned into a knowhow draft."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core import hooks
from core.audit import audit
from core.db import db
from core.forms import EmptyForm
from events import checkin, surveys
from events.forms import FollowUpForm
from events.models import Event
from events.views import get_managed_event_or_404

bp = Blueprint("event_followup", __name__, url_prefix="/events")


def figures(event) -> dict:
    """What funders ask for: registered, present, survey responses and the average rating."""
    counts = checkin.counts(event)
    return {"confirmed": counts["confirmed"], "present": counts["present"],
            "responses": surveys.respondents(event), "rating": surveys.average_rating(Event.id == event.id)[0]}


def report_text(event, numbers: dict) -> str:
    """The closing report with the figures, as the knowhow draft's section."""
    lines = [_("Confirmed: %(count)d", count=numbers["confirmed"]),
             _("Present: %(count)d", count=numbers["present"])]
    if numbers["responses"]:
        lines.append(_("Survey responses: %(count)d", count=numbers["responses"]))
    if numbers["rating"] is not None:
        lines.append(_("Average rating: %(value)s of 5", value=numbers["rating"]))
    materials = [f"- [{label}]({url})" for label, url in ((_("Slides"), event.slides_url),
                                                         (_("Recording"), event.recording_url)) if url]
    parts = [event.report.strip(), "\n".join("- " + line for line in lines)]
    if materials:
        parts.append("\n".join(materials))
    return "\n\n".join(part for part in parts if part)


@bp.route("/<int:event_id>/followup", methods=["GET", "POST"])
@login_required
def edit(event_id: int):
    event = get_managed_event_or_404(event_id)
    form = FollowUpForm(obj=event)
    if form.validate_on_submit():
        event.slides_url = (form.slides_url.data or "").strip()
        event.recording_url = (form.recording_url.data or "").strip()
        event.report = form.report.data or ""
        audit("event.followup", event)
        db.session.commit()
        flash(_("Saved. The materials are shown on the event page."), "success")
        return redirect(_self(event))
    return render_template("events/followup.html", event=event, form=form, button_form=EmptyForm(),
                           numbers=figures(event), can_draft=bool(hooks.CASE_STUDY_DRAFTERS.implementations())
                           ), 422 if form.errors else 200


def _self(event):
    return url_for(".edit", event_id=event.id)


@bp.post("/<int:event_id>/followup/knowhow")
@login_required
def draft_knowhow(event_id: int):
    """The closing report, with the figures, as a members-only 報告 draft in knowhow; its editor opens."""
    event = get_managed_event_or_404(event_id)
    drafters = hooks.CASE_STUDY_DRAFTERS.implementations()
    if not EmptyForm().validate_on_submit() or not drafters:
        abort(400)
    if not event.report.strip():
        flash(_("Please write the closing report first."), "error")
        return redirect(_self(event))
    url = drafters[0](event, report_text(event, figures(event)), current_user)
    audit("event.report_to_knowhow", event)
    db.session.commit()
    flash(_("A draft report was created in knowhow. Check it and publish it when it is ready."), "success")
    return redirect(url)
