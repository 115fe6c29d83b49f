"""受付 pages: the member's 受付票, the organiser's check-in desk (phone-sized), the 出席コード screen and its use."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from core.db import db
from core.forms import EmptyForm
from core.paging import paginate
from core.security import limiter
from events import checkin
from events.forms import CheckInForm, SelfCheckInForm
from events.models import CONFIRMED, Registration
from events.views import get_managed_event_or_404, get_visible_event_or_404
from members.models import Member

bp = Blueprint("checkin", __name__, url_prefix="/events")

DESK_PER_PAGE = 50
SELF_CHECKIN_MESSAGES = {
    "ok": ("success", _l("You are checked in. Welcome!")),
    "already": ("success", _l("You were already checked in.")),
    "closed": ("error", _l("Self check-in is not open now. Please go to the reception.")),
    "wrong": ("error", _l("That attendance code is not right. Please check the code shown at the venue.")),
    "not_confirmed": ("error", _l("Only members with a confirmed place can check in.")),
}


@bp.get("/<int:event_id>/ticket")
@login_required
def ticket(event_id: int):
    """The member's 受付票: QR code and short code, printable."""
    event = get_visible_event_or_404(event_id)
    registration = checkin.ticket_of(event, current_user)
    if registration is None:
        abort(404)
    return render_template("events/ticket.html", event=event, registration=registration,
                           qr=checkin.qr_svg(checkin.ticket_url(registration)))


def _desk_query(event, search: str):
    query = (sa.select(Registration).join(Member, Member.id == Registration.member_id, isouter=True)
             .where(Registration.event_id == event.id, Registration.status == CONFIRMED)
             .options(joinedload(Registration.member))
             .order_by(Registration.checked_in_at.is_not(None), Member.display_name, Registration.id))
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.or_(Member.display_name.ilike(pattern, escape="\\"),
                                   Member.organization_name.ilike(pattern, escape="\\")))
    return query


def _render_desk(event, form: CheckInForm, *, status: int = 200):
    search = (request.args.get("q") or "").strip()[:60]
    last = request.args.get("last", type=int)
    just_checked_in = db.session.get(Registration, last) if last else None
    if just_checked_in is not None and (just_checked_in.event_id != event.id
                                        or just_checked_in.attendance != "attended"):
        just_checked_in = None  # another event's, or undone since
    response = make_response(render_template(
        "events/checkin.html", event=event, form=form, button_form=EmptyForm(), search=search,
        page=paginate(_desk_query(event, search), DESK_PER_PAGE), counts=checkin.counts(event),
        just_checked_in=just_checked_in,
    ), status)
    # The one page that may use the camera (the QR scanner); every other page denies it.
    response.headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()"
    return response


@bp.get("/<int:event_id>/checkin")
@login_required
def desk(event_id: int):
    """The check-in desk: type or scan a code, or find a name; the live count."""
    event = get_managed_event_or_404(event_id)
    return _render_desk(event, CheckInForm(formdata=None))


def _name(registration: Registration) -> str:
    return registration.member.display_name if registration.member else _("(deleted account)")


def _check_in(event, registration: Registration):
    """Check the person in (by code or from the list), say so, and show the desk with them on top."""
    fresh = checkin.check_in(registration, actor=current_user)
    db.session.commit()
    if fresh:
        flash(_("%(name)s is checked in.", name=_name(registration)), "success")
    else:
        flash(_("%(name)s was already checked in.", name=_name(registration)), "info")
    return redirect(url_for(".desk", event_id=event.id, last=registration.id))


@bp.post("/<int:event_id>/checkin")
@login_required
def check_in_code(event_id: int):
    """Check in by the code typed at the desk or read by the scanner."""
    event = get_managed_event_or_404(event_id)
    form = CheckInForm()
    if not form.validate_on_submit():
        return _render_desk(event, form, status=422)
    registration = checkin.find_ticket(event, checkin.normalise_code(form.code.data))
    if registration is None:
        form.code.errors.append(_("No confirmed registration of this event has that code. Please check it, "
                                  "or find the person by name."))
        return _render_desk(event, form, status=422)
    return _check_in(event, registration)


@bp.get("/<int:event_id>/checkin/<code>")
@login_required
def scanned(event_id: int, code: str):
    """Where a 受付票's QR code leads: for the organiser, that person and a button to check them in."""
    event = get_managed_event_or_404(event_id)
    registration = checkin.find_ticket(event, checkin.normalise_code(code))
    if registration is None:
        abort(404)
    return render_template("events/checkin_scanned.html", event=event, registration=registration,
                           button_form=EmptyForm())


def _registration_or_404(event, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id or registration.status != CONFIRMED:
        abort(404)
    return registration


@bp.post("/<int:event_id>/checkin/people/<int:registration_id>")
@login_required
def mark(event_id: int, registration_id: int):
    """Check one person in from the list (or the scanned page), or undo it."""
    event = get_managed_event_or_404(event_id)
    registration = _registration_or_404(event, registration_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if request.form.get("undo"):
        checkin.undo_check_in(registration, actor=current_user)
        db.session.commit()
        flash(_("The check-in of %(name)s was undone.", name=_name(registration)), "info")
        return redirect(url_for(".desk", event_id=event.id))
    return _check_in(event, registration)


@bp.get("/<int:event_id>/checkin/count")
@login_required
def count(event_id: int):
    """The live count the desk page polls."""
    event = get_managed_event_or_404(event_id)
    response = jsonify(checkin.counts(event))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:event_id>/checkin/self")
@login_required
def self_checkin_switch(event_id: int):
    """Open self check-in (a new 出席コード) or close it."""
    event = get_managed_event_or_404(event_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if request.form.get("close"):
        checkin.close_self_checkin(event, current_user)
        db.session.commit()
        flash(_("Self check-in is closed."), "info")
        return redirect(url_for(".desk", event_id=event.id))
    checkin.open_self_checkin(event, current_user)
    db.session.commit()
    return redirect(url_for(".screen", event_id=event.id))


@bp.get("/<int:event_id>/checkin/screen")
@login_required
def screen(event_id: int):
    """The 出席コード, large, to show on the venue's screen."""
    event = get_managed_event_or_404(event_id)
    if event.checkin_code is None:
        return redirect(url_for(".desk", event_id=event.id))
    return render_template("events/checkin_screen.html", event=event, open_now=checkin.self_checkin_open(event))


@bp.post("/<int:event_id>/attend")
@login_required
@limiter.limit("10 per 10 minutes", key_func=lambda: f"attend:{current_user.get_id()}")
def attend(event_id: int):
    """An attendee checks in with the 出席コード shown at the venue."""
    event = get_visible_event_or_404(event_id)
    form = SelfCheckInForm()
    if not form.validate_on_submit():
        flash(_("Please enter the attendance code shown at the venue."), "error")
        return redirect(url_for("events.detail", event_id=event.id))
    outcome = checkin.self_check_in(event, current_user, form.code.data)
    if outcome in ("ok", "already"):
        db.session.commit()
    category, message = SELF_CHECKIN_MESSAGES[outcome]
    flash(str(message), category)
    return redirect(url_for("events.detail", event_id=event.id))
