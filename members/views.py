"""Account pages: signup, login and logout, terms, profile, password, deletion, API tokens."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from core import hooks
from core.auth import is_safe_next
from core.db import db
from core.i18n import current_language
from core.security import limiter
from members import services
from members.forms import (
    ApiTokenForm,
    DeleteAccountForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    SignupForm,
)

bp = Blueprint("members", __name__, url_prefix="/members", template_folder="templates")

#: session key under which a new API token waits to be shown once
NEW_TOKEN_KEY = "new_api_token"  # noqa: S105 # nosec B105 # a session key name, not a secret


def _login_rate_key() -> str:
    """Throttle per account as well as per IP (the IP limit is the decorator's default key)."""
    return "login-account:" + services.normalise_email(request.form.get("email", ""))


def _member_rate_key() -> str:
    """Throttle password checks per account, so a stolen cookie cannot guess the password."""
    if current_user.is_authenticated:
        return f"member:{current_user.id}"
    return "anonymous:" + (request.remote_addr or "")


def _next_or(endpoint: str) -> str:
    next_url = request.args.get("next")
    return next_url if is_safe_next(next_url) else url_for(endpoint)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("10 per minute;30 per hour", methods=["POST"])
def signup():
    """Become a RAN member: the account, the membership and the first login in one step."""
    if current_user.is_authenticated:
        return redirect(_next_or("members.me"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            member = services.create_member(
                email=form.email.data, password=form.password.data,
                display_name=form.display_name.data, prefecture=form.prefecture.data,
                affiliation=form.affiliation.data, organization_name=form.organization_name.data,
                themes=form.themes.data, locale=current_language(),
            )
        except IntegrityError:
            # Two signups with the same address at once: the second one loses the race.
            db.session.rollback()
            form.email.errors.append(_("This email address is already registered. Please log in instead."))
        else:
            services.start_session(member)
            db.session.commit()
            flash(_("Welcome to RAN! Your membership has started."), "success")
            return redirect(_next_or("members.me"))
    return render_template("members/signup.html", form=form, password_min=services.PASSWORD_MIN_LENGTH)


@bp.get("/terms")
def terms():
    """Terms of use and privacy summary."""
    return render_template("members/terms.html")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("20 per hour", key_func=_login_rate_key, methods=["POST"])
def login():
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(_next_or("core.home"))
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
            return redirect(_next_or("core.home"))
    return render_template("members/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Log out; the session cannot be reused afterwards."""
    services.end_session(current_user)
    db.session.commit()
    flash(_("You are logged out."), "success")
    return redirect(url_for("core.home"))


def _render_profile(token_form: ApiTokenForm | None = None, status: int = 200):
    member = current_user._get_current_object()
    page = render_template(
        "members/me.html",
        member=member,
        sections=hooks.MEMBER_SECTIONS.render_all(member),
        tokens=services.active_api_tokens(member),
        token_form=token_form or ApiTokenForm(),
        new_token=session.pop(NEW_TOKEN_KEY, None),
        slack_invite_url=current_app.config.get("SLACK_INVITE_URL", ""),
    )
    return page, status


@bp.get("/me")
@login_required
def me():
    """My profile, my registrations (from other blueprints), Slack invite, API tokens."""
    return _render_profile()


@bp.route("/me/edit", methods=["GET", "POST"])
@login_required
@limiter.limit("30 per hour", key_func=_member_rate_key, methods=["POST"])
def edit():
    """Change my profile; a new email address needs the current password."""
    member = current_user._get_current_object()
    form = ProfileForm(obj=member, member=member)
    if form.validate_on_submit():
        services.update_profile(
            member, display_name=form.display_name.data, prefecture=form.prefecture.data,
            affiliation=form.affiliation.data, organization_name=form.organization_name.data,
            themes=form.themes.data, bio=form.bio.data, locale=form.locale.data,
        )
        if form.email_changed:
            services.change_email(member, form.email.data)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            form.email.errors.append(_("This email address is already used by another account."))
            return render_template("members/edit.html", form=form)
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("members.me"))
    return render_template("members/edit.html", form=form)


@bp.route("/me/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", key_func=_member_rate_key, methods=["POST"])
def password():
    """Change my password; every other browser is logged out and this session renewed."""
    member = current_user._get_current_object()
    form = PasswordChangeForm(member=member)
    if form.validate_on_submit():
        services.change_password(member, form.password.data)
        services.rotate_session(member)
        db.session.commit()
        flash(_("Your password has been changed. Other browsers have been logged out."), "success")
        return redirect(url_for("members.me"))
    return render_template("members/password.html", form=form, password_min=services.PASSWORD_MIN_LENGTH)


@bp.route("/me/delete", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", key_func=_member_rate_key, methods=["POST"])
def delete():
    """Delete my account: my personal data is erased, not just hidden."""
    member = current_user._get_current_object()
    last_admin = services.is_last_admin(member)
    form = DeleteAccountForm(member=member)
    if request.method == "POST" and last_admin:
        flash(_("You are the last secretariat account. Make another member an admin first."), "error")
        return redirect(url_for("members.delete"))
    if form.validate_on_submit():
        services.delete_member(member)
        services.end_session(member)
        db.session.commit()
        flash(_("Your account and your personal data have been deleted."), "success")
        return redirect(url_for("core.home"))
    return render_template("members/delete.html", form=form, last_admin=last_admin)


@bp.post("/me/tokens")
@login_required
@limiter.limit("30 per hour", key_func=_member_rate_key)
def create_token():
    """Create an API token; it is shown once, on the next view of the profile."""
    member = current_user._get_current_object()
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _render_profile(form)
    if len(services.active_api_tokens(member)) >= services.MAX_API_TOKENS:
        form.name.errors.append(
            _("You already have %(count)d tokens. Revoke one you no longer use first.",
              count=services.MAX_API_TOKENS)
        )
        return _render_profile(form)
    token, secret = services.create_api_token(member, form.name.data)
    db.session.commit()
    session[NEW_TOKEN_KEY] = {"name": token.name, "secret": secret}
    return redirect(url_for("members.me", _anchor="api-tokens"))


@bp.post("/me/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of my API tokens; someone else's answers 404."""
    token = services.api_token_of(current_user, token_id)
    if token is None:
        abort(404)
    services.revoke_api_token(token)
    db.session.commit()
    flash(_("The token “%(name)s” has been revoked.", name=token.name), "success")
    return redirect(url_for("members.me", _anchor="api-tokens"))
