"""Account pages: signup and confirmation, login and logout, password recovery, terms, profile,
password, mail settings, sessions, data export, deletion, API tokens."""

import json
from functools import partial

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

from core import fragments, hooks
from core.api import error_response, is_api_request
from core.auth import AddressUnconfirmed, is_safe_next
from core.db import db
from core.forms import EmptyForm
from core.i18n import current_language
from core.security import csrf, limiter
from members import links, notifications, services
from members import sessions as member_sessions
from members.export import member_data
from members.forms import (
    ApiTokenForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
)
from members.models import Member

bp = Blueprint("members", __name__, url_prefix="/members", template_folder="templates")

#: session key under which a new API token waits to be shown once
NEW_TOKEN_KEY = "new_api_token"  # noqa: S105 # nosec B105 # a session key name, not a secret
#: session key of the address the "check your mail" page names after signup
SIGNUP_EMAIL_KEY = "signup_email"


def _login_rate_key() -> str:
    """Throttle per account as well as per IP (the IP limit is the decorator's default key)."""
    return "login-account:" + services.normalise_email(request.form.get("email", ""))


def _address_rate_key() -> str:
    """Throttle per address too, so nobody floods one mailbox with links."""
    return "address:" + services.normalise_email(request.form.get("email", ""))


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
    """Become a RAN member: the account and the membership; the address is confirmed by a mailed link.

    The answer is the same whether the address is new or already registered (its owner
    gets a notice instead), so the page tells a stranger nothing about who is a member.
    """
    if current_user.is_authenticated:
        return redirect(_next_or("members.me"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            member = services.sign_up(
                email=form.email.data, password=form.password.data,
                display_name=form.display_name.data, prefecture=form.prefecture.data,
                affiliation=form.affiliation.data, organization_name=form.organization_name.data,
                themes=form.themes.data, locale=current_language(),
            )
            if member is not None and form.digest.data:
                notifications.set_preference(member.id, "digest", True)
            db.session.commit()
        except IntegrityError:
            # Two signups with the same address at once: the second one finds it registered.
            db.session.rollback()
        session[SIGNUP_EMAIL_KEY] = form.email.data
        return redirect(url_for("members.signup_sent"))
    return render_template("members/signup.html", form=form, password_min=services.PASSWORD_MIN_LENGTH)


@bp.get("/signup/sent")
def signup_sent():
    """Check your mail: the same page for a new address and a registered one."""
    email = session.get(SIGNUP_EMAIL_KEY)
    if not email:
        return redirect(url_for("members.signup"))
    return render_template("members/signup_sent.html", email=email)


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify(token: str):
    """A mailed confirmation link: the address is confirmed, or the account moves to the new one.

    Opening the link shows one button; only pressing it changes anything (mail scanners
    that open links must not confirm on the owner's behalf).
    """
    row = links.find(token, "verify", "change")
    if row is None:
        return render_template("members/link_invalid.html", purpose="verify"), 404
    form = EmptyForm()
    if not form.validate_on_submit():
        return render_template("members/verify.html", form=form, row=row)
    try:
        member = services.confirm_link(row)
    except services.LinkRefused:
        db.session.commit()
        flash(_("That address is now used by another account, so it was not changed."), "error")
        return redirect(url_for("members.edit" if current_user.is_authenticated else "members.login"))
    db.session.commit()
    flash(_("Your email address %(email)s is confirmed.", email=member.email), "success")
    if current_user.is_authenticated and current_user.id == member.id:
        return redirect(url_for("members.me"))
    return redirect(url_for("members.login"))


@bp.post("/me/confirmation")
@login_required
@limiter.limit("3 per hour", key_func=_member_rate_key)
def resend_confirmation():
    """Mail the confirmation link again (the earlier one stops working)."""
    member = current_user._get_current_object()
    if member.is_confirmed:
        flash(_("Your email address is already confirmed."), "info")
    else:
        services.send_confirmation(member)
        db.session.commit()
        flash(_("We sent a new confirmation link to %(email)s.", email=member.email), "success")
    next_url = request.form.get("next")
    return redirect(next_url if is_safe_next(next_url) else url_for("members.me"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per minute;30 per hour", methods=["POST"])
@limiter.limit("5 per hour", key_func=_address_rate_key, methods=["POST"])
def forgot_password():
    """Ask for a reset link: the same answer for every address, a mail only to a member's."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.send_password_reset(form.email.data)
        db.session.commit()
        return render_template("members/forgot_sent.html", email=form.email.data)
    return render_template("members/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token: str):
    """Choose a new password from a mailed link; every login session of the member ends."""
    row = links.find(token, "reset")
    if row is None:
        return render_template("members/link_invalid.html", purpose="reset"), 404
    form = ResetPasswordForm(member=row.member)
    if form.validate_on_submit():
        services.reset_password(row, form.password.data)
        if current_user.is_authenticated:
            services.end_session(current_user)
        db.session.commit()
        flash(_("Your new password is set. Every browser has been logged out: please log in again."), "success")
        return redirect(url_for("members.login"))
    return render_template("members/reset.html", form=form, password_min=services.PASSWORD_MIN_LENGTH)


@bp.get("/terms")
def terms():
    """The terms' earlier address."""
    return redirect(url_for("core.terms"), code=301)


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


def _section_html(section, member) -> str:
    return section(member) or ""


def _render_profile(token_form: ApiTokenForm | None = None, status: int = 200):
    member = current_user._get_current_object()
    # The profile card and the other rooms' sections (registrations, articles, referrals…) hold no form: each is
    # kept per member until a table it read is written, so a registration re-renders the events section and not
    # the referrals. A fragment also depends on what was read before it (core.dataversions): the card goes first.
    profile_card = fragments.cached("members.me.profile", (), lambda: render_template(
        "members/_my_profile.html", member=member), viewers=f"member:{member.id}")
    sections = [fragments.cached("members.me.section", (index,), partial(_section_html, section, member),
                                 viewers=f"member:{member.id}")
                for index, section in enumerate(hooks.MEMBER_SECTIONS.implementations())]
    page = render_template(
        "members/me.html",
        member=member,
        profile_card=profile_card,
        sections=[section for section in sections if section],
        tokens=services.listed_api_tokens(member),
        # one that was sent back with its errors; the empty one is made only when the kept form is rendered
        token_form=token_form,
        empty_token_form=ApiTokenForm,
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
            services.request_email_change(member, form.email.data)
        db.session.commit()
        flash(_("Your profile has been saved."), "success")
        if form.email_changed:
            flash(_("We sent a link to %(email)s. Your new address takes effect when you open it; until then "
                    "mail goes to %(current)s.", email=services.normalise_email(form.email.data),
                    current=member.email), "info")
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
    if len(services.listed_api_tokens(member)) >= services.MAX_API_TOKENS:
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


@bp.route("/me/notifications", methods=["GET", "POST"], endpoint="notifications")
@login_required
def notifications_page():
    """A switch per kind of mail the member can do without."""
    member = current_user._get_current_object()
    form = EmptyForm()
    if form.validate_on_submit():
        chosen = set(request.form.getlist("enabled"))
        for kind in notifications.KINDS:
            notifications.set_preference(member.id, kind, kind in chosen)
        db.session.commit()
        flash(_("Your mail settings have been saved."), "success")
        return redirect(url_for("members.notifications"))
    return render_template("members/notifications.html", form=form, kinds=notifications.KINDS,
                           preferences=notifications.preferences(member))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit("30 per minute", methods=["POST"])
def unsubscribe(token: str):
    """The link in a mail's List-Unsubscribe header and footer: a mail client POSTs
    `List-Unsubscribe=One-Click` here without cookie or CSRF token (RFC 8058); a person
    opening the link gets a page with one button that does the same."""
    found = notifications.read_unsubscribe_token(token)
    member = db.session.get(Member, found[0]) if found else None
    if member is None:
        abort(404)
    kind = found[1]
    label = notifications.KINDS[kind][0]
    if request.method == "POST":
        notifications.set_preference(member.id, kind, False)
        db.session.commit()
        return render_template("members/unsubscribed.html", label=label)
    return render_template("members/unsubscribe.html", label=label)


@bp.get("/me/sessions", endpoint="sessions")
@login_required
def sessions_page():
    """The browsers where I am logged in, each with "log out there"."""
    member = current_user._get_current_object()
    return render_template("members/sessions.html", login_sessions=services.login_sessions(member),
                           current_id=member.login_session_id, device=member_sessions.device, form=EmptyForm())


@bp.post("/me/sessions/<int:login_session_id>/end")
@login_required
def end_login_session(login_session_id: int):
    """Log out one of my browsers; someone else's session answers 404."""
    member = current_user._get_current_object()
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    if login_session_id == member.login_session_id:
        services.end_session(member)
        db.session.commit()
        flash(_("You are logged out."), "success")
        return redirect(url_for("core.home"))
    if not services.end_login_session(member, login_session_id):
        abort(404)
    db.session.commit()
    flash(_("That browser has been logged out."), "success")
    return redirect(url_for("members.sessions"))


@bp.get("/me/export")
@login_required
@limiter.limit("10 per hour", key_func=_member_rate_key)
def export():
    """Everything the site holds about me, as a JSON download."""
    member = current_user._get_current_object()
    body = json.dumps(member_data(member), ensure_ascii=False, indent=2)
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="ranhub-{member.id}-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


def render_unconfirmed(error: AddressUnconfirmed):
    """What an unconfirmed member gets instead of a guarded page or API call: how to confirm (nothing changed)."""
    if is_api_request():
        return error_response(403, str(error.description), "email_unconfirmed")
    return render_template("members/confirm_needed.html", form=EmptyForm()), 403
