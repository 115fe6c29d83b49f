"""Account pages: login and logout."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.auth import is_safe_next
from core.db import db
from core.security import limiter
from members import services
from members.forms import LoginForm

bp = Blueprint("members", __name__, url_prefix="/members", template_folder="templates")


def _login_rate_key() -> str:
    """Throttle per account as well as per IP (the IP limit is the decorator's default key)."""
    return "login-account:" + services.normalise_email(request.form.get("email", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("20 per hour", key_func=_login_rate_key, methods=["POST"])
def login():
    """Log in with email and password."""
    next_url = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(next_url if is_safe_next(next_url) else url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        member = services.authenticate(form.email.data, form.password.data)
        if member is None:
            # One message for an unknown email and a wrong password.
            form.password.errors.append(_("The email address or password is incorrect."))
        else:
            services.start_session(member)
            db.session.commit()
            flash(_("You are logged in."), "success")
            return redirect(next_url if is_safe_next(next_url) else url_for("core.home"))
    return render_template("members/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Log out; the session cannot be reused afterwards."""
    services.end_session(current_user)
    db.session.commit()
    flash(_("You are logged out."), "success")
    return redirect(url_for("core.home"))
