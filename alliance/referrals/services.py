"""The rules of referrals and consultations: who may do what, state changes, audit and mail.

Nothing here reads `request`; views, the API and the CLI share these functions.
Every state change is audited and mailed in the caller's transaction (the caller commits).
"""

import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from alliance.models import Organization, OrganizationStaff, OrganizationTheme
from alliance.permissions import staff_organization_ids
from alliance.referrals import evidence
from alliance.referrals.models import (
    ACTIVE_STATUSES,
    DEFAULT_RETENTION_DAYS,
    TAKEN_STATUSES,
    UNSURE_THEME,
    Consultation,
    ConsultationSettings,
    Referral,
    ReferralDecline,
    ReferralMessage,
    ReferralOutcome,
)
from alliance.referrals.ranking import excluded_ids, rank_by_need, rank_organizations
from core import hooks, refdata
from core.audit import AuditEntry, audit
from core.auth import is_admin
from core.db import db, utcnow
from core.mail import send_template
from core.routing import site_url
from members import notifications
from members.models import Member
from members.services import secretariat

TOKYO = ZoneInfo("Asia/Tokyo")
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

STATUS_LABELS = {
    "open": _l("Open"),
    "offered": _l("Offered"),
    "accepted": _l("Accepted"),
    "in_progress": _l("In progress"),
    "completed": _l("Completed"),
    "withdrawn": _l("Withdrawn"),
}
FORMAT_LABELS = {"onsite": _l("On site"), "online": _l("Online"), "either": _l("On site or online")}
CONSULTATION_STATUS_LABELS = {"new": _l("Waiting for triage"), "referred": _l("Referred"), "closed": _l("Closed")}

#: which roles may take which action (anyone else gets 404)
ACTIONS = {
    "view": {"admin", "requester", "partner"},
    "message": {"admin", "requester", "partner"},
    "offer": {"admin", "requester"},
    "retract": {"admin", "requester"},
    "withdraw": {"admin", "requester"},
    "accept": {"partner"},
    "decline": {"partner"},
    "start": {"partner"},
    "complete": {"partner"},
    "case_study": {"admin", "partner"},
}

#: action -> (statuses it may start from, status it leads to)
FLOW = {
    "offer": (("open",), "offered"),
    "retract": (("offered",), "open"),
    "accept": (("offered",), "accepted"),
    "decline": (("offered",), "open"),
    "start": (("accepted",), "in_progress"),
    "complete": (("in_progress",), "completed"),
    "withdraw": (("open", "offered", "accepted", "in_progress"), "withdrawn"),
}


class ReferralError(Exception):
    """A change that the referral's current state does not allow; the message is for the user."""


# -- who is who ----------------------------------------------------------------------------------


def roles(referral: Referral, member) -> frozenset[str]:
    """The member's roles on a referral: admin, requester (staff of the asking side), partner."""
    found = set()
    if is_admin(member):
        found.add("admin")
    organization_ids = staff_organization_ids(member)
    if referral.requester_organization_id and referral.requester_organization_id in organization_ids:
        found.add("requester")
    if referral.partner_organization_id and referral.partner_organization_id in organization_ids:
        found.add("partner")
    return frozenset(found)


def may(referral: Referral, action: str, member) -> bool:
    """Whether the member's role allows the action (regardless of the referral's status)."""
    return bool(roles(referral, member) & ACTIONS[action])


def can_do(referral: Referral, action: str, member) -> bool:
    """Allowed for the member and possible in the referral's current status."""
    if not may(referral, action, member):
        return False
    if action in FLOW:
        return referral.status in FLOW[action][0]
    if action == "case_study":
        return referral.status == "completed" and referral.outcome is not None
    return True


def can_see_contact(consultation: Consultation | None, member) -> bool:
    """Consultation contact data: admins, and the organisation that took on the referral made from it."""
    if consultation is None:
        return False
    if is_admin(member):
        return True
    referral = consultation.referral
    return bool(
        referral is not None
        and referral.status in TAKEN_STATUSES
        and referral.partner_organization_id in staff_organization_ids(member)
    )


def _staff_members(organization_ids: Iterable[int | None]) -> list[Member]:
    ids = {oid for oid in organization_ids if oid}
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Member)
            .join(OrganizationStaff, OrganizationStaff.member_id == Member.id)
            .where(OrganizationStaff.organization_id.in_(ids))
            .distinct()
            .order_by(Member.id)
        )
    )


def _secretariat_members(referral: Referral) -> list[Member]:
    """The secretariat side of a referral it created: its creator, or every admin."""
    if referral.created_by is not None and referral.created_by.is_admin:
        return [referral.created_by]
    return secretariat()


def party_members(referral: Referral, *, extra_organization_ids: Iterable[int] = ()) -> list[Member]:
    """Everyone to tell about a referral: staff of both sides (or the secretariat as the asking side)."""
    members = _staff_members([referral.requester_organization_id, referral.partner_organization_id,
                              *extra_organization_ids])
    if referral.requester_organization_id is None:
        members += _secretariat_members(referral)
    unique = {member.id: member for member in members}
    return [unique[key] for key in sorted(unique)]


def _mail_parties(referral: Referral, template: str, kind: str, actor, *, extra_organization_ids=(), **context):
    recipients = [member for member in party_members(referral, extra_organization_ids=extra_organization_ids)
                  if actor is None or member.id != actor.id]
    readers = notifications.wanting("staff_updates", [member.id for member in recipients])
    for member in recipients:
        notifications.send(member, "staff_updates", f"referrals/mail/{template}.txt", mail_kind=kind,
                           wants=member.id in readers, referral=referral, recipient=member, actor=actor,
                           url=referral_url(referral), **context)


def referral_url(referral: Referral) -> str:
    return site_url("referrals.detail", referral_id=referral.id)


# -- referrals -----------------------------------------------------------------------------------


def create_referral(*, title: str, theme: str, prefecture: str, description: str, timing: str = "",
                    format: str = "either", requester: Organization | None, creator,
                    consultation: Consultation | None = None) -> Referral:
    """A new open referral, asked for by an organisation or made by the secretariat."""
    referral = Referral(
        title=title.strip(), theme=theme, prefecture=prefecture, description=description.strip(),
        timing=(timing or "").strip(), format=format, status="open",
        requester=requester, created_by=creator, consultation=consultation,
    )
    db.session.add(referral)
    db.session.flush()
    audit("referral.create", referral, actor=creator, theme=theme, prefecture=prefecture,
          requester=requester.slug if requester else None,
          consultation=consultation.reference if consultation else None)
    return referral


def _move(referral: Referral, action: str, actor, **details) -> str:
    sources, target = FLOW[action]
    if referral.status not in sources:
        raise ReferralError(_l("This referral has changed in the meantime. Please check its current status."))
    previous = referral.status
    referral.status = target
    referral.updated_at = utcnow()
    audit(f"referral.{action}", referral, actor=actor, **{"from": previous, "to": target}, **details)
    return previous


def offer(referral: Referral, organization: Organization | None, actor) -> None:
    """Offer an open referral to a candidate organisation (requester or secretariat)."""
    if (
        organization is None
        or not organization.is_live
        or organization.id in excluded_ids(referral)
        or not db.session.get(OrganizationTheme, (organization.id, referral.theme))
    ):
        raise ReferralError(_l("This organisation cannot be offered this referral."))
    _move(referral, "offer", actor, organization=organization.slug)
    referral.partner = organization
    referral.partner_organization_id = organization.id
    referral.offered_at = utcnow()
    db.session.flush()
    _mail_parties(referral, "referral_status", "referral.offer", actor, action="offer")


def retract(referral: Referral, actor) -> None:
    """Take back an offer nobody answered; the referral is open again."""
    partner = referral.partner
    _move(referral, "retract", actor, organization=partner.slug if partner else None)
    _mail_parties(referral, "referral_status", "referral.retract", actor, action="retract", former_partner=partner)
    referral.partner = None
    referral.partner_organization_id = None
    referral.offered_at = None


def accept(referral: Referral, actor) -> None:
    """The offered organisation takes the referral on."""
    _move(referral, "accept", actor, organization=referral.partner.slug)
    referral.accepted_at = utcnow()
    _mail_parties(referral, "referral_status", "referral.accept", actor, action="accept")
    consultation = referral.consultation
    if consultation is not None and consultation.anonymised_at is None and consultation.email:
        send_template(consultation.email, "referrals/mail/consultation_accepted.txt", kind="consultation.accepted",
                      consultation=consultation, referral=referral)


def decline(referral: Referral, actor, reason: str, reason_kind: str = "other") -> None:
    """The offered organisation says no; the reason is kept and the referral is open again.

    A "fit" decline also lowers the organisation for later requests in the theme (ranking).
    """
    partner = referral.partner
    _move(referral, "decline", actor, organization=partner.slug, reason=reason, reason_kind=reason_kind)
    db.session.add(ReferralDecline(referral=referral, organization_id=partner.id, member_id=actor.id,
                                   reason=reason.strip(), reason_kind=reason_kind))
    _mail_parties(referral, "referral_status", "referral.decline", actor, action="decline",
                  reason=reason, former_partner=partner)
    referral.partner = None
    referral.partner_organization_id = None
    referral.offered_at = None


def start(referral: Referral, actor) -> None:
    """The partner has begun the work."""
    _move(referral, "start", actor, organization=referral.partner.slug)
    referral.started_at = utcnow()
    _mail_parties(referral, "referral_status", "referral.start", actor, action="start")


def complete(referral: Referral, actor, *, summary: str, people_supported: int, companies_supported: int,
             hours: int) -> ReferralOutcome:
    """The partner finishes the work and reports what it achieved."""
    _move(referral, "complete", actor, organization=referral.partner.slug, people_supported=people_supported,
          companies_supported=companies_supported, hours=hours)
    referral.completed_at = utcnow()
    outcome = ReferralOutcome(referral=referral, summary=summary.strip(), people_supported=people_supported,
                              companies_supported=companies_supported, hours=hours, reported_by=actor)
    db.session.add(outcome)
    db.session.flush()
    evidence.index_outcome(referral)  # what was learnt is evidence for the next request
    _mail_parties(referral, "referral_status", "referral.complete", actor, action="complete", outcome=outcome)
    return outcome


def withdraw(referral: Referral, actor, reason: str = "") -> None:
    """The asking side no longer needs help."""
    _move(referral, "withdraw", actor, reason=reason)
    referral.withdrawn_at = utcnow()
    referral.withdrawn_reason = (reason or "").strip()
    _mail_parties(referral, "referral_status", "referral.withdraw", actor, action="withdraw", reason=reason)


def post_message(referral: Referral, author, body: str) -> ReferralMessage:
    """A message in the referral's thread, mailed to the other parties."""
    found = roles(referral, author)
    if "partner" in found:
        side = referral.partner_organization_id
    elif "requester" in found:
        side = referral.requester_organization_id
    else:
        side = None
    message = ReferralMessage(referral=referral, author_id=author.id, organization_id=side, body=body.strip())
    db.session.add(message)
    db.session.flush()
    audit("referral.message", referral, actor=author, message_id=message.id)
    _mail_parties(referral, "referral_message", "referral.message", author, message=message)
    return message


def case_study_drafters() -> list:
    """Callables registered by the knowhow blueprint: (referral, outcome, member) -> URL of a draft."""
    return hooks.CASE_STUDY_DRAFTERS.implementations()


def make_case_study(referral: Referral, actor) -> str:
    """Turn the outcome report into a knowhow case-study draft (once); returns the draft's URL."""
    outcome = referral.outcome
    if outcome is None or referral.status != "completed":
        raise ReferralError(_l("Only a completed referral with an outcome report can become a case study."))
    if outcome.case_study_url:
        return outcome.case_study_url
    drafters = case_study_drafters()
    if not drafters:
        raise ReferralError(_l("Case studies cannot be drafted on this site."))
    outcome.case_study_url = str(drafters[0](referral, outcome, actor))[:300]
    audit("referral.case_study", referral, actor=actor, url=outcome.case_study_url)
    return outcome.case_study_url


def timeline(referral: Referral) -> list[tuple[AuditEntry, str | None]]:
    """The referral's audited history with the actors' names, oldest first (one query)."""
    rows = db.session.execute(
        sa.select(AuditEntry, Member.display_name)
        .outerjoin(Member, Member.id == AuditEntry.actor_id)
        .where(AuditEntry.target_type == Referral.__tablename__, AuditEntry.target_id == referral.id,
               AuditEntry.action != "referral.message")
        .order_by(AuditEntry.created_at, AuditEntry.id)
    )
    return [(entry, name) for entry, name in rows]


def load_referral(referral_id: int, *, for_update: bool = False) -> Referral | None:
    """A referral with everything its page shows, in a constant number of queries."""
    query = (
        sa.select(Referral)
        .where(Referral.id == referral_id)
        .options(
            joinedload(Referral.requester),
            joinedload(Referral.partner),
            joinedload(Referral.outcome),
            joinedload(Referral.consultation).joinedload(Consultation.referral),
            selectinload(Referral.declines).joinedload(ReferralDecline.organization),
            selectinload(Referral.messages).options(
                # The author's themes are never shown here: skip their selectin load.
                joinedload(ReferralMessage.author).lazyload(Member.theme_rows),
                joinedload(ReferralMessage.organization),
            ),
        )
    )
    if for_update:
        query = query.with_for_update(of=Referral)
    return db.session.scalars(query).unique().first()


# -- lists ---------------------------------------------------------------------------------------

LIST_VIEWS = ("requested", "offers", "working", "done", "all")


def list_query(view: str, member, status: str | None = None) -> sa.Select:
    """Referrals for one section of /alliance/referrals/, newest change first."""
    organization_ids = list(staff_organization_ids(member))
    query = sa.select(Referral).options(joinedload(Referral.requester), joinedload(Referral.partner))
    if view == "requested":
        query = query.where(Referral.requester_organization_id.in_(organization_ids))
    elif view == "offers":
        query = query.where(Referral.partner_organization_id.in_(organization_ids), Referral.status == "offered")
    elif view == "working":
        query = query.where(Referral.partner_organization_id.in_(organization_ids),
                            Referral.status.in_(("accepted", "in_progress")))
    elif view == "done":
        query = query.where(Referral.partner_organization_id.in_(organization_ids),
                            Referral.status == "completed")
    elif view != "all" or not is_admin(member):
        query = query.where(sa.false())
    if status:
        query = query.where(Referral.status == status)
    return query.order_by(Referral.updated_at.desc(), Referral.id.desc())


def visible_query(member) -> sa.Select:
    """Every referral the member is a party to (all of them for admins)."""
    query = sa.select(Referral)
    if not is_admin(member):
        organization_ids = list(staff_organization_ids(member))
        query = query.where(sa.or_(Referral.requester_organization_id.in_(organization_ids),
                                   Referral.partner_organization_id.in_(organization_ids)))
    return query


def requester_choices(member) -> list[Organization]:
    """Organisations the member may ask for help on behalf of (admins: all live ones)."""
    query = sa.select(Organization).where(Organization.status == "active", Organization.deleted_at.is_(None))
    if not is_admin(member):
        query = query.where(Organization.id.in_(list(staff_organization_ids(member))))
    return list(db.session.scalars(query.options(selectinload(Organization.served_rows)).order_by(Organization.name)))


def live_organization(slug: str) -> Organization | None:
    return db.session.scalar(
        sa.select(Organization).where(Organization.slug == slug, Organization.status == "active",
                                      Organization.deleted_at.is_(None))
    )


# -- consultations -------------------------------------------------------------------------------


def new_reference(now: datetime | None = None) -> str:
    """A reference like C261121-7KQ4: the Tokyo date and four random characters, unique."""
    day = (now or utcnow()).astimezone(TOKYO).strftime("%y%m%d")
    while True:
        reference = f"C{day}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(4))
        if not db.session.scalar(sa.select(Consultation.id).where(Consultation.reference == reference)):
            return reference


def submit_consultation(*, organization_name: str, contact_name: str, email: str, prefecture: str,
                        themes: list[str], message: str, locale: str = "ja") -> Consultation:
    """Store a consultation from /consult, acknowledge it and tell the secretariat."""
    consultation = Consultation(
        reference=new_reference(), organization_name=organization_name.strip(),
        contact_name=contact_name.strip(), email=email.strip(), prefecture=prefecture,
        message=message.strip(), themes=sorted(set(themes)), status="new", consented_at=utcnow(),
    )
    db.session.add(consultation)
    db.session.flush()
    audit("consultation.create", consultation, reference=consultation.reference)
    send_template(consultation.email, "referrals/mail/consultation_received.txt", locale=locale, kind="consultation.received",
                  consultation=consultation)
    triage_url = site_url("referrals.triage_detail", consultation_id=consultation.id)
    for admin in secretariat():
        send_template(admin.email, "referrals/mail/consultation_new.txt", locale=admin.locale, kind="consultation.new",
                      consultation=consultation, url=triage_url)
    return consultation


def convert_consultation(consultation: Consultation, actor, **fields) -> Referral:
    """The secretariat turns a consultation into a referral it asks for itself."""
    if consultation.status != "new":
        raise ReferralError(_l("This consultation has already been handled."))
    referral = create_referral(requester=None, creator=actor, consultation=consultation, **fields)
    consultation.status = "referred"
    audit("consultation.refer", consultation, actor=actor, referral_id=referral.id)
    if consultation.anonymised_at is None and consultation.email:
        send_template(consultation.email, "referrals/mail/consultation_referred.txt", kind="consultation.referred",
                      consultation=consultation, referral=referral)
    return referral


def close_consultation(consultation: Consultation, actor, reason: str) -> None:
    """The secretariat closes a consultation without a referral, saying why."""
    if consultation.status != "new":
        raise ReferralError(_l("This consultation has already been handled."))
    consultation.status = "closed"
    consultation.closed_reason = reason.strip()
    consultation.closed_at = utcnow()
    consultation.closed_by_id = actor.id
    audit("consultation.close", consultation, actor=actor, reason=reason)


def settings() -> ConsultationSettings:
    return db.session.get(ConsultationSettings, 1) or ConsultationSettings(
        id=1, retention_days=DEFAULT_RETENTION_DAYS
    )


def set_retention_days(days: int, actor) -> None:
    row = db.session.get(ConsultationSettings, 1)
    if row is None:
        row = ConsultationSettings(id=1)
        db.session.add(row)
    previous = row.retention_days
    row.retention_days = days
    row.updated_by_id = actor.id
    audit("consultation.retention", None, actor=actor, before=previous, after=days)


def anonymise_consultations(now: datetime | None = None) -> int:
    """Erase the contact data of consultations older than the retention period; returns how many."""
    days = settings().retention_days or DEFAULT_RETENTION_DAYS
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    ids = list(db.session.scalars(
        sa.select(Consultation.id).where(Consultation.created_at < cutoff, Consultation.anonymised_at.is_(None))
    ))
    if ids:
        db.session.execute(
            sa.update(Consultation)
            .where(Consultation.id.in_(ids))
            .values(organization_name="", contact_name="", email="", message="", anonymised_at=now)
        )
    audit("consultation.anonymise", None, actor=None, count=len(ids), retention_days=days)
    return len(ids)


def consultation_candidates(consultation: Consultation, limit: int = 5):
    """Suggested organisations per theme of a consultation, ranked as for referrals; for "not sure",
    the organisations whose evidence answers the message, in any theme."""
    candidates = {
        theme: rank_organizations(theme, consultation.prefecture, need=consultation.message, remote_wanted=True,
                                  limit=limit)
        for theme in consultation.themes if theme in refdata.THEMES_BY_SLUG
    }
    if UNSURE_THEME in consultation.themes:
        candidates[UNSURE_THEME] = rank_by_need(consultation.prefecture, consultation.message, limit=limit)
    return candidates


# -- figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    """Completed referrals from the partner's region to the region helped."""

    source: refdata.Region
    target: refdata.Region
    count: int


def completed_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Referral).where(Referral.status == "completed")
    ) or 0


def region_flows() -> list[Flow]:
    """Completed referrals counted by (partner region → region helped), largest first."""
    rows = db.session.execute(
        sa.select(Organization.prefecture, Referral.prefecture, sa.func.count())
        .join(Organization, Organization.id == Referral.partner_organization_id)
        .where(Referral.status == "completed")
        .group_by(Organization.prefecture, Referral.prefecture)
    )
    counts: Counter[tuple[str, str]] = Counter()
    for source_code, target_code, n in rows:
        source, target = refdata.region_of(source_code), refdata.region_of(target_code)
        if source and target:
            counts[(source.slug, target.slug)] += n
    order = [region.slug for region in refdata.REGIONS]
    return [
        Flow(refdata.REGIONS_BY_SLUG[s], refdata.REGIONS_BY_SLUG[t], n)
        for (s, t), n in sorted(counts.items(), key=lambda item: (-item[1], order.index(item[0][0]),
                                                                   order.index(item[0][1])))
    ]


def completed_by_theme(organization: Organization) -> list[tuple[str, int]]:
    """An organisation's completed referrals as partner, per theme."""
    rows = db.session.execute(
        sa.select(Referral.theme, sa.func.count())
        .where(Referral.partner_organization_id == organization.id, Referral.status == "completed")
        .group_by(Referral.theme)
        .order_by(sa.func.count().desc(), Referral.theme)
    )
    return [(theme, n) for theme, n in rows]


def waiting_offers_count(member) -> int:
    organization_ids = list(staff_organization_ids(member))
    if not organization_ids:
        return 0
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Referral)
        .where(Referral.partner_organization_id.in_(organization_ids), Referral.status == "offered")
    ) or 0


def triage_counts() -> dict[str, int]:
    """Numbers for the secretariat: consultations waiting, referrals open without an offer, active ones."""
    new = db.session.scalar(
        sa.select(sa.func.count()).select_from(Consultation).where(Consultation.status == "new")
    ) or 0
    by_status = dict(db.session.execute(
        sa.select(Referral.status, sa.func.count()).group_by(Referral.status)
    ).all())
    return {
        "new_consultations": new,
        "open_referrals": by_status.get("open", 0),
        "active_referrals": sum(by_status.get(status, 0) for status in ACTIVE_STATUSES),
    }
