"""The alliance's rules: directory queries, joining, editing, staff, suspension, contact.

Services change data, flush, audit and queue mail; the caller commits. They never
read `request`, so the HTML views, the API and the CLI share them.
"""

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from alliance.evidence import index_organization
from alliance.models import (
    Organization,
    OrganizationApplication,
    OrganizationPrefecture,
    OrganizationRecord,
    OrganizationService,
    OrganizationStaff,
    OrganizationTheme,
    StaffInvitation,
)
from core import refdata
from core.audit import audit
from core.db import db, json_row, utcnow
from core.mail import send_template
from core.paging import paginate
from core.routing import site_url
from core.security import secret_digest
from members.models import Member
from members.services import secretariat

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MIN, SLUG_MAX = 3, 60
#: words used (or kept free) for the alliance's own URLs under /alliance/
RESERVED_SLUGS = frozenset(
    {
        "about", "account", "admin", "alliance", "api", "apply", "consult", "consultations",
        "contact", "directory", "edit", "events", "feed", "help", "impact", "invitations",
        "knowhow", "login", "logout", "map", "me", "members", "new", "projects", "referrals",
        "search", "secretariat", "settings", "signup", "staff", "static", "www",
    }
)
INVITATION_DAYS = 14
DEFAULT_APPLICATION_DEPTH = "experienced"

#: depth rank for ordering: 専門 first
_DEPTH_ORDER = sa.case({"expert": 2, "strong": 1}, value=OrganizationTheme.depth, else_=0)


# --- slugs and names ---------------------------------------------------------------------


def slug_problem(slug: str):
    """Why a slug cannot be used (a lazy message), or None."""
    if not SLUG_MIN <= len(slug) <= SLUG_MAX:
        return _l("Use %(min)d to %(max)d characters.", min=SLUG_MIN, max=SLUG_MAX)
    if not SLUG_PATTERN.match(slug):
        return _l("Use lowercase letters a–z, digits and single hyphens (not at the start or end).")
    if slug in RESERVED_SLUGS:
        return _l("This word is reserved for the site's own pages. Please choose another.")
    if slug_taken(slug):
        return _l("This short name is already in use. Please choose another.")
    return None


def slug_taken(slug: str) -> bool:
    """Used by an organisation (live or not) or by a pending application."""
    in_organizations = sa.select(Organization.id).where(Organization.slug == slug)
    in_applications = sa.select(OrganizationApplication.id).where(
        OrganizationApplication.slug == slug, OrganizationApplication.status == "pending"
    )
    return db.session.scalar(sa.select(sa.exists(in_organizations) | sa.exists(in_applications)))


def name_taken(name: str, *, exclude_organization_id: int | None = None) -> bool:
    """The name (ignoring case) belongs to another organisation or a pending application."""
    folded = name.strip().lower()
    if not folded:
        return False
    in_organizations = sa.select(Organization.id).where(sa.func.lower(Organization.name) == folded)
    if exclude_organization_id is not None:
        in_organizations = in_organizations.where(Organization.id != exclude_organization_id)
    in_applications = sa.select(OrganizationApplication.id).where(
        sa.func.lower(OrganizationApplication.name) == folded, OrganizationApplication.status == "pending"
    )
    return db.session.scalar(sa.select(sa.exists(in_organizations) | sa.exists(in_applications)))


# --- directory ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryFilters:
    """The directory's filters; unknown values are dropped."""

    prefecture: str = ""
    region: str = ""
    theme: str = ""
    q: str = ""
    terms: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_values(cls, prefecture="", region="", theme="", q="") -> "DirectoryFilters":
        prefecture = prefecture if prefecture in refdata.PREFECTURES_BY_CODE else ""
        region = region if region in refdata.REGIONS_BY_SLUG else ""
        theme = theme if theme in refdata.THEMES_BY_SLUG else ""
        q = " ".join((q or "").split())[:100]
        return cls(prefecture, region, theme, q, tuple(q.split()[:5]))

    @property
    def active(self) -> bool:
        return bool(self.prefecture or self.region or self.theme or self.q)


def live_clauses() -> list:
    return [Organization.status == "active", Organization.deleted_at.is_(None)]


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _keyword_clause(term: str):
    pattern = f"%{_escape_like(term)}%"
    service_match = sa.select(OrganizationService.organization_id).where(
        OrganizationService.title.ilike(pattern, escape="\\")
    )
    return sa.or_(
        Organization.name.ilike(pattern, escape="\\"),
        Organization.summary.ilike(pattern, escape="\\"),
        Organization.description.ilike(pattern, escape="\\"),
        Organization.id.in_(service_match),
    )


def filter_clauses(filters: DirectoryFilters, *, geography: bool = True, theme: bool = True) -> list:
    """WHERE clauses for live organisations matching the filters (optionally without some)."""
    clauses = live_clauses()
    if geography and filters.prefecture:
        clauses.append(Organization.id.in_(
            sa.select(OrganizationPrefecture.organization_id).where(
                OrganizationPrefecture.prefecture == filters.prefecture)
        ))
    if geography and filters.region:
        clauses.append(Organization.id.in_(
            sa.select(OrganizationPrefecture.organization_id).where(
                OrganizationPrefecture.prefecture.in_(refdata.prefectures_in_region(filters.region)))
        ))
    if theme and filters.theme:
        clauses.append(Organization.id.in_(
            sa.select(OrganizationTheme.organization_id).where(OrganizationTheme.theme == filters.theme)
        ))
    clauses.extend(_keyword_clause(term) for term in filters.terms)
    return clauses


def card_options() -> list:
    """What a directory card shows, loaded in one query per relation."""
    return [selectinload(Organization.theme_rows), selectinload(Organization.served_rows),
            joinedload(Organization.logo)]


def directory_select(filters: DirectoryFilters) -> sa.Select:
    """Matching live organisations; with a theme, the deepest expertise first."""
    query = sa.select(Organization).where(*filter_clauses(filters)).options(*card_options())
    if filters.theme:
        query = query.join(
            OrganizationTheme,
            sa.and_(OrganizationTheme.organization_id == Organization.id,
                    OrganizationTheme.theme == filters.theme),
        ).order_by(_DEPTH_ORDER.desc(), Organization.name, Organization.id)
    else:
        query = query.order_by(Organization.name, Organization.id)
    return query


def directory_page(filters: DirectoryFilters, per_page: int):
    """The requested page of the directory (two queries plus one per loaded relation)."""
    return paginate(directory_select(filters), per_page)


@dataclass
class Facets:
    themes: dict[str, int]
    prefectures: dict[str, int]
    regions: dict[str, int]


#: the 地方 of a served prefecture, in SQL (built once: 47 branches are costly to build per request)
REGION_OF_PREFECTURE = sa.case(
    {p.code: p.region for p in refdata.PREFECTURES}, value=OrganizationPrefecture.prefecture
).label("region")


def directory_facets(filters: DirectoryFilters) -> Facets:
    """How many organisations each filter value would give, with the other filters applied.

    The geographic counts (prefectures, regions) ignore the prefecture and region
    filters, so the map always shows the whole country.
    """
    ids_for_themes = sa.select(Organization.id).where(*filter_clauses(filters, theme=False))
    ids_for_places = sa.select(Organization.id).where(*filter_clauses(filters, geography=False))
    themes = db.session.execute(
        sa.select(OrganizationTheme.theme, sa.func.count())
        .where(OrganizationTheme.organization_id.in_(ids_for_themes))
        .group_by(OrganizationTheme.theme)
    ).all()
    prefectures = db.session.execute(
        sa.select(OrganizationPrefecture.prefecture, sa.func.count())
        .where(OrganizationPrefecture.organization_id.in_(ids_for_places))
        .group_by(OrganizationPrefecture.prefecture)
    ).all()
    pairs = (
        sa.select(OrganizationPrefecture.organization_id, REGION_OF_PREFECTURE)
        .where(OrganizationPrefecture.organization_id.in_(ids_for_places))
        .distinct()
        .subquery()
    )
    regions = db.session.execute(
        sa.select(pairs.c.region, sa.func.count()).group_by(pairs.c.region)
    ).all()
    return Facets(dict(themes), dict(prefectures), dict(regions))


def coverage_by_prefecture() -> dict[str, int]:
    """Live organisations serving each prefecture."""
    rows = db.session.execute(
        sa.select(OrganizationPrefecture.prefecture, sa.func.count())
        .join(Organization, Organization.id == OrganizationPrefecture.organization_id)
        .where(*live_clauses())
        .group_by(OrganizationPrefecture.prefecture)
    ).all()
    return dict(rows)


def organizations_by_theme() -> dict[str, tuple[int, int]]:
    """Per theme: (live organisations with it, of which 専門)."""
    rows = db.session.execute(
        sa.select(
            OrganizationTheme.theme,
            sa.func.count(),
            sa.func.sum(sa.case((OrganizationTheme.depth == "expert", 1), else_=0)),
        )
        .join(Organization, Organization.id == OrganizationTheme.organization_id)
        .where(*live_clauses())
        .group_by(OrganizationTheme.theme)
    ).all()
    return {theme: (count, int(experts or 0)) for theme, count, experts in rows}


def count_live_organizations() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organization).where(*live_clauses()))


def featured_organizations(limit: int) -> list[Organization]:
    """A few live organisations for the home page, the founding members first."""
    return list(db.session.scalars(
        sa.select(Organization).where(*live_clauses()).options(*card_options())
        .order_by(Organization.created_at, Organization.id).limit(limit)
    ))


def search_organizations(terms: list[str], limit: int) -> list[Organization]:
    if not terms:
        return []
    return list(db.session.scalars(
        sa.select(Organization).where(*live_clauses(), *(_keyword_clause(t) for t in terms[:5]))
        .order_by(Organization.name).limit(limit)
    ))


# --- one organisation --------------------------------------------------------------------


def page_options() -> list:
    return [
        selectinload(Organization.theme_rows),
        selectinload(Organization.served_rows),
        selectinload(Organization.services),
        selectinload(Organization.records),
        joinedload(Organization.logo),
    ]


def find_organization(slug: str, *, options=()) -> Organization | None:
    """The organisation with this slug, live or not (callers check visibility)."""
    return db.session.scalar(
        sa.select(Organization).where(Organization.slug == slug, Organization.deleted_at.is_(None))
        .options(*options)
    )


def _with_head_office(prefecture: str, served: list[str]) -> list[str]:
    """Served prefectures in code order, always including the head office."""
    codes = {code for code in served if code in refdata.PREFECTURES_BY_CODE}
    if prefecture:
        codes.add(prefecture)
    return sorted(codes)


def organization_form_data(organization: Organization) -> dict:
    """The edit form's initial values."""
    by_theme = {row.theme: row for row in organization.theme_rows}
    return {
        "name": organization.name,
        "kind": organization.kind,
        "prefecture": organization.prefecture,
        "served_prefectures": list(organization.served_prefectures),
        "summary": organization.summary,
        "description": organization.description,
        "website": organization.website,
        "contact_email": organization.contact_email,
        "founded_year": organization.founded_year,
        "accepts_remote": organization.accepts_remote,
        "referral_capacity": organization.referral_capacity,
        "referrals_paused": organization.referrals_paused,
        "expertise": [
            {"depth": by_theme[t.slug].depth, "note": by_theme[t.slug].note} if t.slug in by_theme
            else {"depth": "", "note": ""}
            for t in refdata.THEMES
        ],
        "services": [{"title": s.title, "description": s.description} for s in organization.services],
        "records": [{"value": r.value, "label": r.label} for r in organization.records],
    }


def update_organization(organization: Organization, data: dict) -> list[str]:
    """Apply the edit form's data; returns the names of the fields that changed (audited)."""
    before = organization_form_data(organization)
    organization.name = data["name"]
    organization.kind = data["kind"]
    organization.prefecture = data["prefecture"]
    organization.summary = data["summary"]
    organization.description = data["description"] or ""
    organization.website = data["website"] or ""
    organization.contact_email = data["contact_email"]
    organization.founded_year = data["founded_year"]
    organization.accepts_remote = bool(data["accepts_remote"])
    organization.referral_capacity = data["referral_capacity"]
    organization.referrals_paused = bool(data["referrals_paused"])
    organization.served_prefectures = _with_head_office(data["prefecture"], data["served_prefectures"])

    wanted = {
        theme.slug: entry for theme, entry in zip(refdata.THEMES, data["expertise"], strict=False)
        if entry["depth"]
    }
    existing = {row.theme: row for row in organization.theme_rows}
    for slug, row in existing.items():
        if slug not in wanted:
            organization.theme_rows.remove(row)
    for slug, entry in wanted.items():
        row = existing.get(slug)
        if row is None:
            organization.theme_rows.append(OrganizationTheme(theme=slug, depth=entry["depth"], note=entry["note"] or ""))
        else:
            row.depth, row.note = entry["depth"], entry["note"] or ""

    services = [s for s in data["services"] if s["title"]]
    organization.services = [
        OrganizationService(position=i, title=s["title"], description=s["description"] or "")
        for i, s in enumerate(services)
    ]
    records = [r for r in data["records"] if r["value"] and r["label"]]
    organization.records = [
        OrganizationRecord(position=i, value=r["value"], label=r["label"]) for i, r in enumerate(records)
    ]
    db.session.flush()
    index_organization(organization)
    after = organization_form_data(organization)
    changed = sorted(key for key in after if after[key] != before[key])
    if changed:
        audit("organization.update", organization, slug=organization.slug, fields=changed)
    return changed


# --- contact form ------------------------------------------------------------------------


def send_contact_message(organization: Organization, *, name: str, email: str, sender_organization: str,
                         message: str) -> None:
    """Forward a visitor's message to the organisation's (never shown) contact address."""
    if not organization.contact_email:
        return
    send_template(
        organization.contact_email, "alliance/mail/contact_message.txt", locale="ja", kind="alliance.contact",
        organization=organization, sender_name=name, sender_email=email,
        sender_organization=sender_organization, message=message,
        page_url=site_url("alliance.detail", slug=organization.slug),
    )


# --- joining -----------------------------------------------------------------------------


def applications_of(member: Member) -> list[OrganizationApplication]:
    return list(db.session.scalars(
        sa.select(OrganizationApplication).where(OrganizationApplication.applicant_id == member.id)
        .options(selectinload(OrganizationApplication.organization))
        .order_by(OrganizationApplication.created_at.desc(), OrganizationApplication.id.desc())
    ))


def application_form_data(application: OrganizationApplication) -> dict:
    """Values of an earlier application, to re-apply without typing everything again."""
    return {
        name: getattr(application, name)
        for name in ("name", "slug", "kind", "prefecture", "served_prefectures", "themes", "summary",
                     "website", "contact_email", "motivation")
    }


class ApplicationRefused(Exception):
    """An application the rules refuse (message for the member)."""


ALREADY_PENDING = _l("Your application is being reviewed. You can apply again once it has been decided.")


def pending_application(member: Member) -> OrganizationApplication | None:
    return db.session.scalar(sa.select(OrganizationApplication).where(
        OrganizationApplication.applicant_id == member.id, OrganizationApplication.status == "pending"))


def submit_application(member: Member, data: dict) -> OrganizationApplication:
    """Record an application and tell the applicant and the secretariat; one may wait at a time.

    The partial unique index `ix_organization_applications_one_pending` backs the check
    against two submissions at once (the second fails with an IntegrityError).
    """
    if pending_application(member) is not None:
        raise ApplicationRefused(ALREADY_PENDING)
    application = OrganizationApplication(
        applicant_id=member.id,
        name=data["name"],
        slug=data["slug"],
        kind=data["kind"],
        prefecture=data["prefecture"],
        served_prefectures=_with_head_office(data["prefecture"], data["served_prefectures"]),
        themes=[slug for slug in data["themes"] if slug in refdata.THEMES_BY_SLUG],
        summary=data["summary"],
        website=data["website"] or "",
        contact_email=data["contact_email"],
        motivation=data["motivation"],
    )
    db.session.add(application)
    db.session.flush()
    audit("organization_application.submit", application, name=application.name, slug=application.slug)
    send_template(member.email, "alliance/mail/application_received.txt", locale=member.locale,
                  kind="alliance.application_received", member=member, application=application,
                  status_url=site_url("alliance.apply"))
    queue_url = site_url("secretariat.application", application_id=application.id)
    for admin in secretariat():
        send_template(admin.email, "alliance/mail/application_to_secretariat.txt", locale=admin.locale,
                      kind="alliance.application_to_secretariat", application=application,
                      applicant=member, queue_url=queue_url)
    return application


def approval_conflict(application: OrganizationApplication):
    """Why the application cannot go live as it is (its slug or name was taken since), or None."""
    if db.session.scalar(sa.select(sa.exists().where(Organization.slug == application.slug))):
        return _l("Another organisation now uses this short name. Reject the application and ask the "
                  "applicant to apply again under another one.")
    if db.session.scalar(sa.select(sa.exists().where(
            sa.func.lower(Organization.name) == application.name.strip().lower()))):
        return _l("Another organisation now has this name. Reject the application and ask the applicant "
                  "to apply again under another one.")
    return None


class DecisionConflict(Exception):
    """The application cannot be decided as asked (already decided, or its name/slug got taken)."""


def approve_application(application: OrganizationApplication, admin: Member | None) -> Organization:
    """The organisation goes live, the applicant becomes its owner, and is told so."""
    if application.status != "pending":
        raise DecisionConflict(_l("This application has already been decided."))
    conflict = approval_conflict(application)
    if conflict:
        raise DecisionConflict(conflict)
    organization = Organization(
        slug=application.slug,
        name=application.name,
        kind=application.kind,
        prefecture=application.prefecture,
        summary=application.summary,
        website=application.website,
        contact_email=application.contact_email,
        status="active",
    )
    organization.served_prefectures = _with_head_office(application.prefecture, application.served_prefectures)
    organization.theme_rows = [
        OrganizationTheme(theme=slug, depth=DEFAULT_APPLICATION_DEPTH) for slug in dict.fromkeys(application.themes)
    ]
    db.session.add(organization)
    db.session.flush()
    if application.applicant_id is not None:
        db.session.add(OrganizationStaff(organization_id=organization.id, member_id=application.applicant_id,
                                         role="owner"))
    index_organization(organization)
    application.status = "approved"
    application.organization_id = organization.id
    _mark_decided(application, admin)
    db.session.flush()
    audit("organization_application.approve", application, organization_id=organization.id,
          slug=organization.slug, name=organization.name)
    applicant = application.applicant
    if applicant is not None:
        send_template(applicant.email, "alliance/mail/application_approved.txt", locale=applicant.locale,
                      kind="alliance.application_approved", member=applicant, organization=organization,
                      page_url=site_url("alliance.detail", slug=organization.slug),
                      edit_url=site_url("alliance.edit", slug=organization.slug))
    return organization


def reject_application(application: OrganizationApplication, admin: Member | None, reason: str) -> None:
    """The application is declined with a reason the applicant reads; they may apply again."""
    if application.status != "pending":
        raise DecisionConflict(_l("This application has already been decided."))
    application.status = "rejected"
    application.decision_reason = reason
    _mark_decided(application, admin)
    db.session.flush()
    audit("organization_application.reject", application, name=application.name, reason=reason)
    applicant = application.applicant
    if applicant is not None:
        send_template(applicant.email, "alliance/mail/application_rejected.txt", locale=applicant.locale,
                      kind="alliance.application_rejected", member=applicant, application=application,
                      apply_url=site_url("alliance.apply"))


def _mark_decided(application: OrganizationApplication, admin: Member | None) -> None:
    application.decided_at = utcnow()
    application.decided_by_id = admin.id if admin is not None else None


# --- suspension --------------------------------------------------------------------------


def suspend_organization(organization: Organization, reason: str = "") -> None:
    """Hide the organisation everywhere; nothing is deleted and it can be restored."""
    if organization.status == "suspended":
        return
    organization.status = "suspended"
    audit("organization.suspend", organization, slug=organization.slug, reason=reason)


def restore_organization(organization: Organization) -> None:
    if organization.status == "active":
        return
    organization.status = "active"
    audit("organization.restore", organization, slug=organization.slug)


# --- staff -------------------------------------------------------------------------------


def staff_of(organization: Organization) -> list[OrganizationStaff]:
    return list(db.session.scalars(
        sa.select(OrganizationStaff).where(OrganizationStaff.organization_id == organization.id)
        .options(selectinload(OrganizationStaff.member))
        .order_by(OrganizationStaff.role.desc(), OrganizationStaff.created_at, OrganizationStaff.id)
    ))


def open_invitations(organization: Organization) -> list[StaffInvitation]:
    return list(db.session.scalars(
        sa.select(StaffInvitation).where(
            StaffInvitation.organization_id == organization.id,
            StaffInvitation.accepted_at.is_(None),
            StaffInvitation.revoked_at.is_(None),
            StaffInvitation.expires_at > utcnow(),
        ).order_by(StaffInvitation.created_at.desc())
    ))


class StaffError(Exception):
    """A staff change that the rules refuse (message for the user)."""


def invite_staff(organization: Organization, email: str, role: str, inviter: Member) -> StaffInvitation:
    """Mail an invitation link; a new invitation to the same address replaces the old one."""
    email = email.strip().lower()
    already = db.session.scalar(
        sa.select(sa.exists().where(
            OrganizationStaff.organization_id == organization.id,
            OrganizationStaff.member_id == Member.id,
            Member.email == email,
        ))
    )
    if already:
        raise StaffError(_l("This member is already on the staff."))
    for old in db.session.scalars(sa.select(StaffInvitation).where(
        StaffInvitation.organization_id == organization.id, StaffInvitation.email == email,
        StaffInvitation.accepted_at.is_(None), StaffInvitation.revoked_at.is_(None),
    )):
        old.revoked_at = utcnow()
    token = secrets.token_urlsafe(32)
    invitation = StaffInvitation(
        organization_id=organization.id, email=email, role=role, token_hash=secret_digest(token),
        invited_by_id=inviter.id, expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    db.session.add(invitation)
    db.session.flush()
    audit("organization.staff_invite", organization, email=email, role=role)
    invitee = db.session.scalar(sa.select(Member).where(Member.email == email))
    send_template(email, "alliance/mail/staff_invitation.txt", locale=invitee.locale if invitee else "ja",
                  kind="alliance.staff_invitation", organization=organization, inviter=inviter, role=role,
                  accept_url=site_url("alliance.invitation", token=token), days=INVITATION_DAYS)
    return invitation


def find_invitation(token: str) -> StaffInvitation | None:
    """An open invitation of a live organisation for this token, or None."""
    invitation = db.session.scalar(
        sa.select(StaffInvitation).where(StaffInvitation.token_hash == secret_digest(token))
        .options(selectinload(StaffInvitation.organization))
    )
    if invitation is None or not invitation.is_open or not invitation.organization.is_live:
        return None
    return invitation


def invitation_problem(invitation: StaffInvitation, member: Member) -> str | None:
    """Why this member cannot accept the invitation (None: they can)."""
    if member.email.lower() != invitation.email:
        return str(_l("This invitation was sent to another email address. Please log in with the account for "
                      "that address."))
    return None


def accept_invitation(invitation: StaffInvitation, member: Member) -> OrganizationStaff:
    """The invited member joins the staff (the invitation is for their address)."""
    problem = invitation_problem(invitation, member)
    if problem:
        raise StaffError(problem)
    staff = db.session.scalar(sa.select(OrganizationStaff).where(
        OrganizationStaff.organization_id == invitation.organization_id,
        OrganizationStaff.member_id == member.id,
    ))
    if staff is None:
        staff = OrganizationStaff(organization_id=invitation.organization_id, member_id=member.id,
                                  role=invitation.role)
        db.session.add(staff)
    invitation.accepted_at = utcnow()
    db.session.flush()
    audit("organization.staff_accept", invitation.organization, member_id=member.id, role=staff.role)
    return staff


def revoke_invitation(invitation: StaffInvitation) -> None:
    invitation.revoked_at = utcnow()
    audit("organization.staff_invite_revoke", invitation.organization, email=invitation.email)


def remove_staff(organization: Organization, staff: OrganizationStaff) -> None:
    """Take a member off the staff; the last owner stays (someone must manage the page)."""
    if staff.role == "owner":
        owners = db.session.scalar(sa.select(sa.func.count()).select_from(OrganizationStaff).where(
            OrganizationStaff.organization_id == organization.id, OrganizationStaff.role == "owner"))
        if owners <= 1:
            raise StaffError(_l("The last owner cannot be removed. Invite another owner first."))
    db.session.delete(staff)
    db.session.flush()
    audit("organization.staff_remove", organization, member_id=staff.member_id, role=staff.role)


def erase_member(member: Member) -> None:
    """On account deletion: withdraw pending applications and invitations to the address."""
    db.session.execute(sa.delete(OrganizationApplication).where(
        OrganizationApplication.applicant_id == member.id, OrganizationApplication.status == "pending"))
    db.session.execute(sa.update(StaffInvitation).where(
        StaffInvitation.email == member.email.lower(), StaffInvitation.accepted_at.is_(None),
        StaffInvitation.revoked_at.is_(None)).values(revoked_at=utcnow()))


def export_member(member: Member) -> dict:
    """The member's organisation applications and staff roles, for /members/me/export."""
    applications = db.session.scalars(sa.select(OrganizationApplication).where(
        OrganizationApplication.applicant_id == member.id).order_by(OrganizationApplication.id))
    return {
        "organization_applications": [
            json_row(application, "id", "name", "slug", "kind", "prefecture", "served_prefectures", "themes",
                     "summary", "website", "contact_email", "motivation", "status", "decision_reason",
                     "created_at")
            for application in applications
        ],
        "staff_roles": [{"organization": organization.slug, "name": organization.name, "role": role}
                        for organization, role in organizations_of(member)],
    }


def count_members() -> int:
    """RAN members: every account."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Member))


def organizations_of(member: Member) -> list[tuple[Organization, str]]:
    """The organisations the member is staff of, with their role (live or suspended)."""
    rows = db.session.execute(
        sa.select(Organization, OrganizationStaff.role)
        .join(OrganizationStaff, OrganizationStaff.organization_id == Organization.id)
        .where(OrganizationStaff.member_id == member.id, Organization.deleted_at.is_(None))
        .order_by(Organization.name)
    ).all()
    return [(organization, role) for organization, role in rows]
