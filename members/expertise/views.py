"""My expertise profile: opt in, edit, withdraw (on /members/me/expertise)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from core.db import db
from members.expertise import services
from members.expertise.forms import ExpertiseForm, form_data
from members.expertise.models import DEFAULT_VISIBILITY

bp = Blueprint("expertise", __name__, url_prefix="/members/me", template_folder="templates")


@bp.route("/expertise", methods=["GET", "POST"])
@login_required
def edit():
    """Create or change my expertise profile; saving it is opting in."""
    member = current_user._get_current_object()
    profile = services.profile_of(member)
    if profile is not None:
        initial = form_data(profile)
    else:
        initial = {"visibility": DEFAULT_VISIBILITY, "remote": True, "accepting": True,
                   "themes": list(member.themes), "travel_prefectures": [member.prefecture]}
    form = ExpertiseForm(data=initial)
    if form.validate_on_submit():
        services.save_profile(
            member, summary=form.summary.data, themes=form.themes.data, skills=form.skill_labels,
            hours_per_month=form.hours_per_month.data, remote=form.remote.data, on_site=form.on_site.data,
            travel_prefectures=form.travel_codes, visibility=form.visibility.data,
            accepting=form.accepting.data,
        )
        db.session.commit()
        flash(_("Your expertise profile has been saved.") if profile else
              _("Your expertise profile is published. Alliance staff can now suggest you for projects."),
              "success")
        return redirect(url_for("members.me", _anchor="expertise"))
    return render_template("expertise/edit.html", form=form, profile=profile, withdraw_form=FlaskForm())


@bp.post("/expertise/delete")
@login_required
def withdraw():
    """Withdraw my expertise profile: I am no longer listed or suggested."""
    form = FlaskForm()
    if form.validate_on_submit() and services.withdraw_profile(current_user._get_current_object()):
        db.session.commit()
        flash(_("Your expertise profile has been withdrawn. You are no longer listed or suggested."), "success")
    return redirect(url_for("members.me", _anchor="expertise"))
