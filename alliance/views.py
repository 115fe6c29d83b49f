"""Public and staff pages of the alliance: directory, organisation page, editing, staff, joining, impact."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from alliance import services
from alliance.forms import ApplicationForm, ContactForm, InviteStaffForm, OrganizationForm
from alliance.models import OrganizationStaff, StaffInvitation
from alliance.permissions import can_act_for, forget_staff_cache, is_owner
from core import fragments, hooks, pictures, refdata
from core.auth import confirmed_required, is_admin
from core.db import db
from core.security import limiter
from core.templating import url_with_args

bp = Blueprint("alliance", __name__, template_folder="templates")

PER_PAGE = 20
#: blank rows offered after the existing services / figures on the edit page
SPARE_ROWS = 2


def directory_filters() -> services.DirectoryFilters:
    args = request.args
    return services.DirectoryFilters.from_values(
        prefecture=args.get("prefecture", ""), region=args.get("region", ""),
        theme=args.get("theme", ""), q=args.get("q", ""),
    )


def prefecture_filter_url(code: str) -> str:
    """The directory, keeping theme and keyword, narrowed to one prefecture."""
    return url_with_args(prefecture=code, region=None, page=None)


def directory_url_for_prefecture(code: str) -> str:
    # Called for every tile of the map (twice: tiles and text list): build the base URL once.
    if "directory_url" not in g:
        g.directory_url = url_for("alliance.directory")
    return f"{g.directory_url}?prefecture={code}"


@bp.get("/alliance/")
def directory():
    """Member organisations with filters that combine, and the tile map of Japan."""
    filters = directory_filters()

    def body() -> str:
        return render_template(
            "alliance/_directory_body.html", filters=filters, results=services.directory_page(filters, PER_PAGE),
            facets=services.directory_facets(filters), tile_url=prefecture_filter_url,
        )

    return render_template("alliance/directory.html", body=fragments.cached("alliance.directory", fragments.query_arguments(), body))


def visible_organization_or_404(slug: str):
    """A live organisation; admins also see suspended ones."""
    organization = services.find_organization(slug, options=services.page_options())
    if organization is None or not (organization.is_live or is_admin()):
        abort(404)
    return organization


def render_detail(organization, contact_form, status: int = 200):
    sections = hooks.ORGANIZATION_SECTIONS.render_all(organization)
    return render_template(
        "alliance/detail.html", organization=organization, contact_form=contact_form,
        sections=sections, can_edit=can_act_for(organization),
    ), status


@bp.get("/alliance/<slug>")
def detail(slug):
    """An organisation's page: who they are, where, which themes, services, record, contact."""
    organization = visible_organization_or_404(slug)
    return render_detail(organization, ContactForm())


def _contact_org_key() -> str:
    return "contact-org:" + (request.view_args or {}).get("slug", "")


@bp.post("/alliance/<slug>/contact")
@limiter.limit("5 per hour")
@limiter.limit("50 per day", key_func=_contact_org_key)
def contact(slug):
    """Send a message to the organisation; its address stays hidden."""
    organization = services.find_organization(slug, options=services.page_options())
    if organization is None or not organization.is_live:
        abort(404)
    form = ContactForm()
    if not form.validate_on_submit():
        return render_detail(organization, form, status=422)
    # A filled honeypot is a bot: answer as usual so it learns nothing, but send nothing.
    if not form.website.data:
        services.send_contact_message(
            organization, name=form.name.data, email=form.email.data,
            sender_organization=form.organization.data or "", message=form.message.data,
        )
        db.session.commit()
    flash(_("Your message has been sent to %(name)s. They will reply to the address you gave.",
            name=organization.name), "success")
    return redirect(url_for("alliance.detail", slug=slug) + "#contact")


def staff_organization_or_404(slug: str, *, owners_only: bool = False):
    """The organisation, if the current member may act for it (owners only for staff changes)."""
    organization = services.find_organization(slug, options=services.page_options())
    if organization is None or not can_act_for(organization):
        abort(404)
    if owners_only and not is_owner(organization):
        abort(404)
    return organization


@bp.route("/alliance/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug):
    """Staff edit their organisation's page."""
    organization = staff_organization_or_404(slug)
    if request.method == "GET":
        form = OrganizationForm(organization=organization, data=services.organization_form_data(organization))
        for _spare in range(SPARE_ROWS):
            if len(form.services.entries) < form.services.max_entries:
                form.services.append_entry()
            if len(form.records.entries) < form.records.max_entries:
                form.records.append_entry()
    else:
        form = OrganizationForm(organization=organization)
    pictures.prepare_form(form, organization.logo)
    if form.validate_on_submit():
        changed = services.update_organization(organization, form.data)
        changed = pictures.save_from_form(form, organization, "logo", current_user) or changed
        db.session.commit()
        flash(_("The page has been updated.") if changed else _("Nothing was changed."), "success")
        return redirect(url_for("alliance.detail", slug=organization.slug))
    status = 422 if request.method == "POST" else 200
    return render_template("alliance/edit.html", organization=organization, form=form), status


@bp.get("/alliance/<slug>/staff")
@login_required
def staff(slug):
    """Who acts for the organisation; owners invite and remove staff here."""
    organization = staff_organization_or_404(slug)
    return render_staff(organization, InviteStaffForm())


def render_staff(organization, form, status: int = 200):
    manage = is_owner(organization)
    return render_template(
        "alliance/staff.html", organization=organization, form=form, manage=manage,
        staff_rows=services.staff_of(organization),
        invitations=services.open_invitations(organization) if manage else [],
    ), status


@bp.post("/alliance/<slug>/staff/invite")
@login_required
@limiter.limit("30 per hour")
def invite_staff(slug):
    """Mail an invitation to become staff."""
    organization = staff_organization_or_404(slug, owners_only=True)
    form = InviteStaffForm()
    if not form.validate_on_submit():
        return render_staff(organization, form, status=422)
    try:
        services.invite_staff(organization, form.email.data, form.role.data, current_user)
    except services.StaffError as error:
        form.email.errors.append(str(error))
        return render_staff(organization, form, status=422)
    db.session.commit()
    flash(_("An invitation has been sent to %(email)s.", email=form.email.data), "success")
    return redirect(url_for("alliance.staff", slug=slug))


@bp.post("/alliance/<slug>/staff/<int:staff_id>/remove")
@login_required
def remove_staff(slug, staff_id):
    """Take a member off the staff."""
    organization = staff_organization_or_404(slug, owners_only=True)
    row = db.session.get(OrganizationStaff, staff_id)
    if row is None or row.organization_id != organization.id:
        abort(404)
    try:
        services.remove_staff(organization, row)
    except services.StaffError as error:
        flash(str(error), "error")
        return redirect(url_for("alliance.staff", slug=slug))
    db.session.commit()
    forget_staff_cache()
    flash(_("The member has been removed from the staff."), "success")
    if not can_act_for(organization):
        return redirect(url_for("alliance.detail", slug=slug))
    return redirect(url_for("alliance.staff", slug=slug))


@bp.post("/alliance/<slug>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(slug, invitation_id):
    """Withdraw an invitation that has not been accepted."""
    organization = staff_organization_or_404(slug, owners_only=True)
    invitation = db.session.get(StaffInvitation, invitation_id)
    if invitation is None or invitation.organization_id != organization.id or not invitation.is_open:
        abort(404)
    services.revoke_invitation(invitation)
    db.session.commit()
    flash(_("The invitation has been withdrawn."), "success")
    return redirect(url_for("alliance.staff", slug=slug))


@bp.route("/alliance/invitations/<token>", methods=["GET", "POST"])
@login_required
def invitation(token):
    """The invited member accepts the invitation."""
    found = services.find_invitation(token)
    if found is None:
        abort(404)
    problem = services.invitation_problem(found, current_user)
    if problem is None and request.method == "POST":
        services.accept_invitation(found, current_user)
        db.session.commit()
        forget_staff_cache()
        flash(_("You are now on the staff of %(name)s.", name=found.organization.name), "success")
        return redirect(url_for("alliance.detail", slug=found.organization.slug))
    return render_template("alliance/invitation.html", invitation=found, problem=problem), (403 if problem else 200)


@bp.route("/alliance/apply", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
@confirmed_required
def apply():
    """A member applies for their organisation to join; they see their applications' status here."""
    applications = services.applications_of(current_user)
    pending = next((a for a in applications if a.status == "pending"), None)
    rejected = next((a for a in applications if a.status == "rejected"), None)
    if request.method == "GET" and rejected is not None and pending is None:
        form = ApplicationForm(data=services.application_form_data(rejected))
    else:
        form = ApplicationForm()
    if form.validate_on_submit():
        try:
            services.submit_application(current_user, form.data)
            db.session.commit()
        except (services.ApplicationRefused, sa.exc.IntegrityError):  # IntegrityError: two submissions at once
            db.session.rollback()
            flash(str(services.ALREADY_PENDING), "error")
            return redirect(url_for("alliance.apply"))
        flash(_("Thank you. Your application has been sent to the secretariat."), "success")
        return redirect(url_for("alliance.apply"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "alliance/apply.html", form=form, applications=applications, pending=pending,
        reserved=sorted(services.RESERVED_SLUGS),
    ), status


@bp.get("/impact")
def impact():
    """The network's figures and the map of where members work."""
    coverage = services.coverage_by_prefecture()
    by_theme = services.organizations_by_theme()
    figures = [
        hooks.Figure(_("Member organisations"), services.count_live_organizations()),
        hooks.Figure(_("RAN members"), services.count_members()),
        hooks.Figure(_("Prefectures covered"), len(coverage), _("of %(total)d", total=len(refdata.PREFECTURES))),
        hooks.Figure(_("Themes covered"), len(by_theme), _("of %(total)d", total=len(refdata.THEMES))),
    ]
    for contributed in hooks.IMPACT_FIGURES.render_all():
        figures.extend(contributed)
    return render_template(
        "alliance/impact.html", figures=figures, coverage=coverage, by_theme=by_theme,
        sections=hooks.IMPACT_SECTIONS.render_all(), tile_url=directory_url_for_prefecture,
    )
