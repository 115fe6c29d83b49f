"""Referral pages for alliance staff, the secretariat's triage, and the public /consult form."""

import logging

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from alliance.permissions import is_alliance_staff, is_staff_or_admin
from alliance.referrals import ranking, services
from alliance.referrals.forms import (
    ActionForm,
    CloseForm,
    ConsultationForm,
    ConvertForm,
    DeclineForm,
    MessageForm,
    OfferForm,
    OutcomeForm,
    ReferralForm,
    SettingsForm,
    WithdrawForm,
)
from alliance.referrals.models import CONSULTATION_STATUSES, REFERRAL_STATUSES, Consultation, Referral
from core import refdata
from core.auth import admin_required, confirmed_required, is_admin
from core.db import db
from core.forms import choice_list
from core.i18n import current_language
from core.paging import paginate
from core.security import limiter

log = logging.getLogger(__name__)

# Templates live in alliance/templates (shared with the alliance pages).
bp = Blueprint("referrals", __name__, url_prefix="/alliance/referrals", template_folder="templates")
consult_bp = Blueprint("consultations", __name__, template_folder="templates")

PER_PAGE = 20
SECTION_SIZE = 10
CANDIDATES_SHOWN = 10
SUGGESTIONS_PER_THEME = 5
REFERENCE_SESSION_KEY = "consultation_reference"

# State changes are POSTs checked by the site-wide CSRFProtect before any view runs.

def history_label(action: str, organization: str | None) -> str:
    """A line of a referral's history, from its audit action."""
    organization = organization or ""
    labels = {
        "referral.create": _("Referral created"),
        "referral.offer": _("Offered to %(organization)s", organization=organization),
        "referral.retract": _("Offer to %(organization)s taken back", organization=organization),
        "referral.accept": _("Accepted by %(organization)s", organization=organization),
        "referral.decline": _("Declined by %(organization)s", organization=organization),
        "referral.start": _("Work started by %(organization)s", organization=organization),
        "referral.complete": _("Completed by %(organization)s", organization=organization),
        "referral.withdraw": _("Withdrawn"),
        "referral.case_study": _("Case-study draft made"),
    }
    return labels.get(action, action)


def _status_label(status: str) -> str:
    return str(services.STATUS_LABELS.get(status, status))


def _format_label(value: str) -> str:
    return str(services.FORMAT_LABELS.get(value, value))


def _consultation_status_label(status: str) -> str:
    return str(services.CONSULTATION_STATUS_LABELS.get(status, status))


# Globals rather than a context processor, so imported macros and mail templates see them too.
bp.add_app_template_global(_status_label, "referral_status_label")
bp.add_app_template_global(_format_label, "referral_format_label")
bp.add_app_template_global(_consultation_status_label, "consultation_status_label")
bp.add_app_template_global(history_label, "history_label")


def _staff_or_admin_or_404() -> None:
    if not is_staff_or_admin():
        abort(404)


def get_referral_or_404(referral_id: int, action: str = "view", *, for_update: bool = False) -> Referral:
    """The referral if the current member may take `action` on it; 404 otherwise (no leak)."""
    referral = services.load_referral(referral_id, for_update=for_update)
    if referral is None or not services.may(referral, action, current_user):
        abort(404)
    return referral


def _done_message(action: str, referral: Referral) -> str:
    messages = {
        "offer": _("The referral was offered to %(organization)s.",
                   organization=referral.partner.name if referral.partner else ""),
        "retract": _("The offer was taken back; the referral is open again."),
        "accept": _("You accepted the referral."),
        "decline": _("You declined the offer. The requester has been told."),
        "start": _("The work is marked as started."),
        "complete": _("The referral is completed. Thank you for the report."),
        "withdraw": _("The referral was withdrawn."),
    }
    return messages[action]


# -- list and creation ---------------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    """Referrals my organisation asked for, offers waiting for us, work in progress; admins: all."""
    _staff_or_admin_or_404()
    view = request.args.get("view", "")
    status = request.args.get("status", "")
    if status not in REFERRAL_STATUSES:
        status = ""
    if view in services.LIST_VIEWS and (view != "all" or is_admin()):
        listing = paginate(services.list_query(view, current_user, status or None), PER_PAGE)
        return render_template("referrals/index.html", view=view, listing=listing, status=status, sections=None)
    sections = []
    if is_alliance_staff():
        for key in ("offers", "working", "requested", "done"):
            sections.append((key, db.paginate(services.list_query(key, current_user), page=1,
                                              per_page=SECTION_SIZE, error_out=False)))
    listing = None
    if is_admin():
        listing = paginate(services.list_query("all", current_user, status or None), PER_PAGE)
    return render_template("referrals/index.html", view="", listing=listing, status=status, sections=sections)


def _requester_form(form: ReferralForm, organizations) -> None:
    form.organization.choices = choice_list(
        ((organization.slug, organization.name) for organization in organizations),
        blank=_("The secretariat (no organisation)") if is_admin() else None,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
@confirmed_required
def new():
    """Ask the alliance for help in a theme for our region."""
    _staff_or_admin_or_404()
    organizations = services.requester_choices(current_user)
    by_slug = {organization.slug: organization for organization in organizations}
    form = ReferralForm()
    _requester_form(form, organizations)
    if request.method == "GET" and organizations and not is_admin():
        form.organization.data = organizations[0].slug
        form.prefecture.data = organizations[0].prefecture
    if form.validate_on_submit():
        requester = by_slug.get(form.organization.data or "")
        if requester is None and not is_admin():
            form.organization.errors.append(_("Please select the organisation asking for help."))
        elif form.organization.data and requester is None:
            form.organization.errors.append(_("Please select the organisation asking for help."))
        elif requester is not None and not is_admin() and form.prefecture.data not in {
            requester.prefecture, *requester.served_prefectures
        }:
            form.prefecture.errors.append(
                _("Please choose a prefecture that %(organization)s serves.", organization=requester.name)
            )
        else:
            referral = services.create_referral(
                title=form.title.data, theme=form.theme.data, prefecture=form.prefecture.data,
                description=form.description.data, timing=form.timing.data or "", format=form.format.data,
                requester=requester, creator=current_user,
            )
            db.session.commit()
            flash(_("Your request was saved. Choose a member organisation to offer it to."), "success")
            return redirect(url_for("referrals.detail", referral_id=referral.id))
    return render_template("referrals/new.html", form=form)


# -- the referral page ---------------------------------------------------------------------------


def render_detail(referral: Referral, *, status_code: int = 200, **forms):
    """The referral page with its thread, history, actions and (for whoever offers) candidates."""
    can = {action: services.can_do(referral, action, current_user) for action in services.ACTIONS}
    candidates = []
    show_all = request.args.get("candidates") == "all"
    if can["offer"]:
        candidates = ranking.rank_for_referral(referral)
    forms.setdefault("action_form", ActionForm())
    forms.setdefault("decline_form", DeclineForm())
    forms.setdefault("withdraw_form", WithdrawForm())
    forms.setdefault("message_form", MessageForm())
    page = render_template(
        "referrals/detail.html",
        referral=referral,
        can=can,
        roles=services.roles(referral, current_user),
        candidates=candidates if show_all else candidates[:CANDIDATES_SHOWN],
        candidate_total=len(candidates),
        show_all=show_all,
        timeline=services.timeline(referral),
        show_contact=services.can_see_contact(referral.consultation, current_user),
        case_study_available=bool(services.case_study_drafters()),
        **forms,
    )
    return page, status_code


@bp.get("/<int:referral_id>")
@login_required
def detail(referral_id: int):
    """A referral: what is needed, its status and history, thread, ranked candidates."""
    return render_detail(get_referral_or_404(referral_id))


def _back(referral: Referral):
    return redirect(url_for("referrals.detail", referral_id=referral.id))


def _finish(referral: Referral, action: str, change) -> object:
    """Run a state change; a state that moved on in the meantime is explained, not an error page."""
    try:
        change()
    except services.ReferralError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    db.session.commit()
    flash(_done_message(action, referral), "success")
    return _back(referral)


@bp.post("/<int:referral_id>/offer")
@login_required
def offer(referral_id: int):
    """Offer the referral to a candidate organisation (requester or secretariat)."""
    referral = get_referral_or_404(referral_id, "offer", for_update=True)
    form = OfferForm()
    if not form.validate_on_submit():
        flash(_("Please choose an organisation from the list."), "error")
        return _back(referral)
    organization = services.live_organization(form.organization.data)
    return _finish(referral, "offer", lambda: services.offer(referral, organization, current_user))


@bp.post("/<int:referral_id>/retract")
@login_required
def retract(referral_id: int):
    """Take back an unanswered offer."""
    referral = get_referral_or_404(referral_id, "retract", for_update=True)
    return _finish(referral, "retract", lambda: services.retract(referral, current_user))


@bp.post("/<int:referral_id>/accept")
@login_required
def accept(referral_id: int):
    """The offered organisation takes the referral on."""
    referral = get_referral_or_404(referral_id, "accept", for_update=True)
    return _finish(referral, "accept", lambda: services.accept(referral, current_user))


@bp.post("/<int:referral_id>/decline")
@login_required
def decline(referral_id: int):
    """The offered organisation says no, with a reason."""
    referral = get_referral_or_404(referral_id, "decline", for_update=True)
    form = DeclineForm()
    if not form.validate_on_submit():
        return render_detail(referral, decline_form=form)
    return _finish(referral, "decline", lambda: services.decline(referral, current_user, form.reason.data,
                                                                      form.reason_kind.data))


@bp.post("/<int:referral_id>/start")
@login_required
def start(referral_id: int):
    """The partner has begun the work."""
    referral = get_referral_or_404(referral_id, "start", for_update=True)
    return _finish(referral, "start", lambda: services.start(referral, current_user))


@bp.route("/<int:referral_id>/complete", methods=["GET", "POST"])
@login_required
def complete(referral_id: int):
    """Finish the work with an outcome report."""
    referral = get_referral_or_404(referral_id, "complete", for_update=request.method == "POST")
    if referral.status != "in_progress":
        flash(_("Only a referral in progress can be completed."), "error")
        return _back(referral)
    form = OutcomeForm()
    if form.validate_on_submit():
        return _finish(referral, "complete", lambda: services.complete(
            referral, current_user, summary=form.summary.data, people_supported=form.people_supported.data,
            companies_supported=form.companies_supported.data, hours=form.hours.data,
        ))
    return render_template("referrals/complete.html", referral=referral, form=form,
                           case_study_available=bool(services.case_study_drafters()))


@bp.post("/<int:referral_id>/withdraw")
@login_required
def withdraw(referral_id: int):
    """The asking side no longer needs help."""
    referral = get_referral_or_404(referral_id, "withdraw", for_update=True)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return render_detail(referral, withdraw_form=form)
    return _finish(referral, "withdraw", lambda: services.withdraw(referral, current_user, form.reason.data or ""))


@bp.post("/<int:referral_id>/messages")
@login_required
def post_message(referral_id: int):
    """Write in the referral's thread."""
    referral = get_referral_or_404(referral_id, "message")
    form = MessageForm()
    if not form.validate_on_submit():
        return render_detail(referral, message_form=form)
    message = services.post_message(referral, current_user, form.body.data)
    db.session.commit()
    flash(_("Your message was posted and the other side was told."), "success")
    return redirect(url_for("referrals.detail", referral_id=referral.id, _anchor=f"message-{message.id}"))


@bp.post("/<int:referral_id>/case-study")
@login_required
def case_study(referral_id: int):
    """Turn the outcome report into a knowhow case-study draft and open it."""
    referral = get_referral_or_404(referral_id, "case_study")
    try:
        url = services.make_case_study(referral, current_user)
    except services.ReferralError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _back(referral)
    db.session.commit()
    flash(_("A case-study draft was made from the outcome report. Edit it before publishing."), "success")
    return redirect(url)


@bp.get("/consultations/<int:consultation_id>")
@login_required
def consultation(consultation_id: int):
    """A consultation's contact data: the secretariat and the organisation that took it on."""
    found = db.session.scalars(
        sa.select(Consultation).where(Consultation.id == consultation_id)
        .options(joinedload(Consultation.referral))
    ).first()
    if found is None or not services.can_see_contact(found, current_user):
        abort(404)
    return render_template("referrals/consultation.html", consultation=found)


# -- the secretariat's triage --------------------------------------------------------------------


@bp.get("/triage/")
@admin_required
def triage():
    """Consultations waiting for the secretariat, open referrals, and the retention setting."""
    status = request.args.get("status", "new")
    if status not in (*CONSULTATION_STATUSES, "all"):
        status = "new"
    query = sa.select(Consultation).options(joinedload(Consultation.referral))
    if status != "all":
        query = query.where(Consultation.status == status)
    consultations = paginate(query.order_by(Consultation.created_at.desc(), Consultation.id.desc()), PER_PAGE)
    open_referrals = db.paginate(services.list_query("all", current_user, "open"), page=1,
                                 per_page=SECTION_SIZE, error_out=False)
    settings_form = SettingsForm(retention_days=services.settings().retention_days)
    return render_template("referrals/triage.html", consultations=consultations, status=status,
                           open_referrals=open_referrals, settings_form=settings_form,
                           counts=services.triage_counts())


@bp.post("/triage/settings")
@admin_required
def triage_settings():
    """Change how long consultation contact data is kept."""
    form = SettingsForm()
    if form.validate_on_submit():
        services.set_retention_days(form.retention_days.data, current_user)
        db.session.commit()
        flash(_("The retention period was saved."), "success")
    else:
        flash(" ".join(str(error) for error in form.retention_days.errors) or _("Please check the form."),
              "error")
    return redirect(url_for("referrals.triage"))


def _load_consultation_or_404(consultation_id: int) -> Consultation:
    found = db.session.scalars(
        sa.select(Consultation).where(Consultation.id == consultation_id)
        .options(joinedload(Consultation.referral), joinedload(Consultation.closed_by))
    ).first()
    if found is None:
        abort(404)
    return found


def render_triage_detail(consultation: Consultation, *, convert_form=None, close_form=None):
    if convert_form is None:
        convert_form = ConvertForm(formdata=None, theme=(consultation.themes or [""])[0],
                                   prefecture=consultation.prefecture)
    candidates = services.consultation_candidates(consultation, SUGGESTIONS_PER_THEME)
    return render_template("referrals/triage_detail.html", consultation=consultation, candidates=candidates,
                           convert_form=convert_form, close_form=close_form or CloseForm())


@bp.get("/triage/<int:consultation_id>")
@admin_required
def triage_detail(consultation_id: int):
    """One consultation with its contact data, suggested organisations, convert and close."""
    return render_triage_detail(_load_consultation_or_404(consultation_id))


@bp.post("/triage/<int:consultation_id>/convert")
@admin_required
def triage_convert(consultation_id: int):
    """Turn a consultation into a referral the secretariat asks for."""
    consultation = _load_consultation_or_404(consultation_id)
    form = ConvertForm()
    if not form.validate_on_submit():
        return render_triage_detail(consultation, convert_form=form)
    try:
        referral = services.convert_consultation(
            consultation, current_user, title=form.title.data, theme=form.theme.data,
            prefecture=form.prefecture.data, description=form.description.data, timing=form.timing.data or "",
            format=form.format.data,
        )
    except services.ReferralError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("referrals.triage_detail", consultation_id=consultation_id))
    db.session.commit()
    flash(_("The consultation is now referral #%(id)d. Offer it to a member organisation.", id=referral.id),
          "success")
    return redirect(url_for("referrals.detail", referral_id=referral.id))


@bp.post("/triage/<int:consultation_id>/close")
@admin_required
def triage_close(consultation_id: int):
    """Close a consultation without a referral, with a reason."""
    consultation = _load_consultation_or_404(consultation_id)
    form = CloseForm()
    if not form.validate_on_submit():
        return render_triage_detail(consultation, close_form=form)
    try:
        services.close_consultation(consultation, current_user, form.reason.data)
    except services.ReferralError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("referrals.triage_detail", consultation_id=consultation_id))
    db.session.commit()
    flash(_("The consultation was closed."), "success")
    return redirect(url_for("referrals.triage"))


# -- the public consultation form ----------------------------------------------------------------


@consult_bp.route("/consult", methods=["GET", "POST"], endpoint="new")
@limiter.limit("5 per hour;20 per day", methods=["POST"])
def consult():
    """A company or municipality describes its people problem to the secretariat."""
    form = ConsultationForm()
    if request.method == "GET" and current_user.is_authenticated:
        form.contact_name.data = current_user.display_name
        form.email.data = current_user.email
        form.prefecture.data = current_user.prefecture
        form.organization_name.data = current_user.organization_name
    if form.validate_on_submit():
        session.pop(REFERENCE_SESSION_KEY, None)
        if form.is_bot:
            # Looks sent to the bot, stores nothing.
            log.info("consultation honeypot filled from %s", request.remote_addr)
            return redirect(url_for("consultations.thanks"))
        consultation = services.submit_consultation(
            organization_name=form.organization_name.data, contact_name=form.contact_name.data,
            email=form.email.data, prefecture=form.prefecture.data, themes=form.themes.data,
            message=form.message.data, locale=current_language(),
        )
        db.session.commit()
        session[REFERENCE_SESSION_KEY] = consultation.reference
        return redirect(url_for("consultations.thanks"))
    return render_template("referrals/consult.html", form=form, themes=refdata.THEMES)


@consult_bp.get("/consult/thanks")
def thanks():
    """Confirmation with the reference number."""
    return render_template("referrals/consult_thanks.html", reference=session.get(REFERENCE_SESSION_KEY))
