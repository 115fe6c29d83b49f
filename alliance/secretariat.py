"""The secretariat's pages (admins only, 404 for everyone else): applications, organisations,
members, audit log. Other rooms add sections through `hooks.SECRETARIAT_SECTIONS`."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload

from alliance import services
from alliance.forms import RejectForm, SuspendForm
from alliance.models import ORGANIZATION_STATUSES, Organization, OrganizationApplication, OrganizationStaff
from core import hooks
from core.audit import AuditEntry
from core.audit import audit as record
from core.auth import admin_required, is_admin, is_safe_next
from core.db import db
from core.forms import EmptyForm
from core.mail import DEAD, PENDING, SENT, OutboxMessage, send_again
from core.paging import paginate
from core.security import limiter
from members.models import Member
from members.services import mail_reset_link

TOKYO = ZoneInfo("Asia/Tokyo")
LIST_PER_PAGE = 30
AUDIT_PER_PAGE = 50

bp = Blueprint("secretariat", __name__, url_prefix="/alliance/secretariat")
TOOL_LINK = hooks.ToolLink("secretariat.index", _l("Secretariat"), is_admin, order=90)


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@bp.get("/")
@admin_required
def index():
    """The application queue, recent decisions, the network at a glance, and other rooms' sections."""
    queue = db.session.scalars(
        sa.select(OrganizationApplication).where(OrganizationApplication.status == "pending")
        .options(selectinload(OrganizationApplication.applicant))
        .order_by(OrganizationApplication.created_at, OrganizationApplication.id)
    ).all()
    decided = db.session.scalars(
        sa.select(OrganizationApplication).where(OrganizationApplication.status != "pending")
        .options(selectinload(OrganizationApplication.applicant), selectinload(OrganizationApplication.organization))
        .order_by(OrganizationApplication.decided_at.desc(), OrganizationApplication.id.desc()).limit(10)
    ).all()
    counts = dict(db.session.execute(
        sa.select(Organization.status, sa.func.count()).where(Organization.deleted_at.is_(None))
        .group_by(Organization.status)
    ).all())
    dead_mail = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.status == DEAD))
    return render_template(
        "alliance/secretariat/index.html", queue=queue, decided=decided, counts=counts, dead_mail=dead_mail,
        member_count=services.count_members(), sections=hooks.SECRETARIAT_SECTIONS.render_all(),
    )


def _application_or_404(application_id: int) -> OrganizationApplication:
    application = db.session.scalar(
        sa.select(OrganizationApplication).where(OrganizationApplication.id == application_id)
        .options(selectinload(OrganizationApplication.applicant), selectinload(OrganizationApplication.decided_by),
                 selectinload(OrganizationApplication.organization))
    )
    if application is None:
        abort(404)
    return application


def _render_application(application, reject_form, status: int = 200):
    return render_template(
        "alliance/secretariat/application.html", application=application, reject_form=reject_form,
        conflict=services.approval_conflict(application) if application.status == "pending" else None,
    ), status


@bp.get("/applications/<int:application_id>")
@admin_required
def application(application_id):
    """One application with everything the applicant wrote, to approve or reject."""
    return _render_application(_application_or_404(application_id), RejectForm())


@bp.post("/applications/<int:application_id>/approve")
@admin_required
def approve_application(application_id):
    """The organisation goes live and the applicant becomes its owner."""
    application = _application_or_404(application_id)
    try:
        organization = services.approve_application(application, current_user)
        db.session.commit()
    except services.DecisionConflict as conflict:
        db.session.rollback()
        flash(str(conflict), "error")
        return redirect(url_for("secretariat.application", application_id=application_id))
    except sa.exc.IntegrityError:
        # another admin approved an organisation with this slug or name at the same moment
        db.session.rollback()
        flash(_("This application could not be approved because its name or short name was just taken."), "error")
        return redirect(url_for("secretariat.application", application_id=application_id))
    flash(_("%(name)s has been approved and is now listed.", name=organization.name), "success")
    return redirect(url_for("secretariat.index"))


@bp.post("/applications/<int:application_id>/reject")
@admin_required
def reject_application(application_id):
    """Decline with a reason that is mailed to the applicant."""
    application = _application_or_404(application_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _render_application(application, form, status=422)
    try:
        services.reject_application(application, current_user, form.reason.data)
    except services.DecisionConflict as conflict:
        flash(str(conflict), "error")
        return redirect(url_for("secretariat.application", application_id=application_id))
    db.session.commit()
    flash(_("The application has been rejected and the applicant informed."), "success")
    return redirect(url_for("secretariat.index"))


@bp.get("/organizations")
@admin_required
def organizations():
    """Every organisation, live or suspended, with search."""
    q = " ".join(request.args.get("q", "").split())[:100]
    status = request.args.get("status", "")
    query = sa.select(Organization).where(Organization.deleted_at.is_(None))
    if status in ORGANIZATION_STATUSES:
        query = query.where(Organization.status == status)
    if q:
        query = query.where(sa.or_(Organization.name.ilike(_like(q), escape="\\"),
                                   Organization.slug.ilike(_like(q), escape="\\")))
    page = paginate(
        query.options(selectinload(Organization.staff).selectinload(OrganizationStaff.member))
        .order_by(Organization.name, Organization.id), LIST_PER_PAGE,
    )
    return render_template("alliance/secretariat/organizations.html", page=page, q=q, status=status,
                           statuses=ORGANIZATION_STATUSES, suspend_form=SuspendForm())


def _organization_or_404(organization_id: int) -> Organization:
    organization = db.session.get(Organization, organization_id)
    if organization is None or organization.deleted_at is not None:
        abort(404)
    return organization


def _back_to_organizations():
    target = request.form.get("next", "")
    if is_safe_next(target) and target.startswith("/alliance/secretariat/"):
        return redirect(target)
    return redirect(url_for("secretariat.organizations"))


@bp.post("/organizations/<int:organization_id>/suspend")
@admin_required
def suspend_organization(organization_id):
    """Hide an organisation (nothing is deleted)."""
    organization = _organization_or_404(organization_id)
    form = SuspendForm()
    if not form.validate_on_submit():
        flash(_("Please keep the reason short."), "error")
        return _back_to_organizations()
    services.suspend_organization(organization, form.reason.data or "")
    db.session.commit()
    flash(_("%(name)s is suspended: hidden from the site until restored.", name=organization.name), "success")
    return _back_to_organizations()


@bp.post("/organizations/<int:organization_id>/restore")
@admin_required
def restore_organization(organization_id):
    """List a suspended organisation again."""
    organization = _organization_or_404(organization_id)
    services.restore_organization(organization)
    db.session.commit()
    flash(_("%(name)s is listed again.", name=organization.name), "success")
    return _back_to_organizations()


@bp.get("/members")
@admin_required
def members():
    """RAN members with search by name, email or affiliation."""
    q = " ".join(request.args.get("q", "").split())[:100]
    query = sa.select(Member)
    if q:
        pattern = _like(q)
        query = query.where(sa.or_(Member.email.ilike(pattern, escape="\\"),
                                   Member.display_name.ilike(pattern, escape="\\"),
                                   Member.organization_name.ilike(pattern, escape="\\")))
    page = paginate(query.order_by(Member.created_at.desc(), Member.id.desc()), LIST_PER_PAGE)
    member_ids = [member.id for member in page.items]
    staff_of: dict[int, list[tuple[Organization, str]]] = {}
    if member_ids:
        rows = db.session.execute(
            sa.select(OrganizationStaff.member_id, Organization, OrganizationStaff.role)
            .join(Organization, Organization.id == OrganizationStaff.organization_id)
            .where(OrganizationStaff.member_id.in_(member_ids))
            .order_by(Organization.name)
        ).all()
        for member_id, organization, role in rows:
            staff_of.setdefault(member_id, []).append((organization, role))
    return render_template("alliance/secretariat/members.html", page=page, q=q, staff_of=staff_of, form=EmptyForm())


@bp.post("/members/<int:member_id>/send-reset")
@admin_required
@limiter.limit("30 per hour")
def send_reset_link(member_id: int):
    """Help a member who is locked out: mail them a password reset link (the secretariat never sees it)."""
    member = db.session.get(Member, member_id)
    if member is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    mail_reset_link(member)
    record("member.reset_link_sent", member)
    db.session.commit()
    flash(_("A password reset link has been mailed to %(email)s.", email=member.email), "success")
    next_url = request.form.get("next")
    return redirect(next_url if is_safe_next(next_url) else url_for("secretariat.members"))


def _parse_day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _tokyo_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=TOKYO)


@bp.get("/audit")
@admin_required
def audit():
    """The audit log, newest first, filtered by action, actor, target and dates."""
    action = request.args.get("action", "")
    actor = " ".join(request.args.get("actor", "").split())[:100]
    target = request.args.get("target", "")
    day_from, day_to = _parse_day(request.args.get("from", "")), _parse_day(request.args.get("to", ""))
    actions = db.session.scalars(sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()
    targets = db.session.scalars(
        sa.select(AuditEntry.target_type).where(AuditEntry.target_type.is_not(None)).distinct()
        .order_by(AuditEntry.target_type)
    ).all()
    query = sa.select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    if target:
        query = query.where(AuditEntry.target_type == target)
    if actor:
        pattern = _like(actor)
        query = query.where(AuditEntry.actor_id.in_(sa.select(Member.id).where(sa.or_(
            Member.email.ilike(pattern, escape="\\"), Member.display_name.ilike(pattern, escape="\\")))))
    if day_from:
        query = query.where(AuditEntry.created_at >= _tokyo_midnight(day_from))
    if day_to:
        query = query.where(AuditEntry.created_at < _tokyo_midnight(day_to + timedelta(days=1)))
    page = paginate(query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()), AUDIT_PER_PAGE)
    actor_ids = {entry.actor_id for entry in page.items if entry.actor_id}
    actors = {
        row.id: row for row in db.session.execute(
            sa.select(Member.id, Member.display_name, Member.email).where(Member.id.in_(actor_ids)))
    } if actor_ids else {}
    return render_template(
        "alliance/secretariat/audit.html", page=page, actors=actors, actions=actions, targets=targets,
        action=action, actor=actor, target=target,
        day_from=day_from.isoformat() if day_from else "", day_to=day_to.isoformat() if day_to else "",
    )


#: which outgoing mail the secretariat looks at: given up, or failing and waiting for another attempt
MAIL_VIEWS = ("dead", "failing")


@bp.get("/mail")
@admin_required
def mail():
    """Outgoing mail that could not be delivered: the reason, the attempts, and "send again"."""
    view = request.args.get("view", "dead")
    view = view if view in MAIL_VIEWS else "dead"
    condition = (OutboxMessage.status == DEAD if view == "dead"
                 else sa.and_(OutboxMessage.status == PENDING, OutboxMessage.attempts > 0))
    page = paginate(sa.select(OutboxMessage).where(condition).order_by(OutboxMessage.id.desc()), LIST_PER_PAGE)
    counts = dict(db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count())
        .where(sa.or_(OutboxMessage.status == DEAD, sa.and_(OutboxMessage.status == PENDING, OutboxMessage.attempts > 0)))
        .group_by(OutboxMessage.status)
    ).all())
    return render_template("alliance/secretariat/mail.html", page=page, view=view, form=EmptyForm(),
                           counts={"dead": counts.get(DEAD, 0), "failing": counts.get(PENDING, 0)})


@bp.post("/mail/<int:message_id>/send-again")
@admin_required
def send_mail_again(message_id: int):
    """Queue an undelivered message again with a full set of attempts (after fixing the address, say)."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status == SENT or not EmptyForm().validate_on_submit():
        abort(404)
    send_again(message)
    db.session.commit()
    flash(_("The mail to %(address)s will be sent again within a minute.", address=message.to_address), "success")
    return redirect(url_for("secretariat.mail", view=request.form.get("view", "dead")))
