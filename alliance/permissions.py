"""Who acts for which organisation (used by alliance, events, knowhow, referrals)."""

from functools import partial

import sqlalchemy as sa
from flask import g
from flask_login import current_user

from alliance.models import Organization, OrganizationStaff
from core import fragments
from core.auth import is_admin
from core.db import db


def staff_organization_ids(member=None) -> frozenset[int]:
    """Ids of the live organisations the member is staff of (cached per request)."""
    member = current_user if member is None else member
    if not getattr(member, "is_authenticated", False):
        return frozenset()
    cache = g.setdefault("_staff_org_ids", {})
    if member.id not in cache:
        # Asked on every page a member opens (menus, reader classes): kept until a write to what they read, as fragments are.
        cache[member.id] = fragments.kept(
            "staff-organisations", member.id, partial(_live_staff_organization_ids, member.id),
            viewers=f"member:{member.id}",
        )
    return cache[member.id]


def _live_staff_organization_ids(member_id: int) -> frozenset[int]:
    return frozenset(db.session.scalars(
        sa.select(OrganizationStaff.organization_id)
        .join(Organization)
        .where(
            OrganizationStaff.member_id == member_id,
            Organization.status == "active",
            Organization.deleted_at.is_(None),
        )
    ))


def is_alliance_staff(member=None) -> bool:
    """Staff of any live alliance organisation."""
    return bool(staff_organization_ids(member))


def is_staff_or_admin(member=None) -> bool:
    """Who works inside the alliance: staff of a live organisation, or the secretariat."""
    return is_admin(member) or is_alliance_staff(member)


def can_act_for(organization: Organization, member=None) -> bool:
    """Staff of this organisation, or an admin."""
    member = current_user if member is None else member
    return is_admin(member) or organization.id in staff_organization_ids(member)


def acting_organizations(member=None) -> list[Organization]:
    """The live organisations the member may act for (post, write, organise), by name; admins: every one."""
    member = current_user if member is None else member
    if not getattr(member, "is_authenticated", False):
        return []
    query = sa.select(Organization).where(Organization.status == "active", Organization.deleted_at.is_(None))
    if not is_admin(member):
        ids = staff_organization_ids(member)
        if not ids:
            return []
        query = query.where(Organization.id.in_(ids))
    return list(db.session.scalars(query.order_by(Organization.name)))


def forget_staff_cache() -> None:
    """Call after changing staff rows within a request."""
    g.pop("_staff_org_ids", None)


def is_owner(organization: Organization, member=None) -> bool:
    """An owner of this live organisation (may manage its staff), or an admin."""
    member = current_user if member is None else member
    if is_admin(member):
        return True
    if organization.id not in staff_organization_ids(member):
        return False
    return db.session.scalar(
        sa.select(OrganizationStaff.role).where(
            OrganizationStaff.organization_id == organization.id,
            OrganizationStaff.member_id == member.id,
        )
    ) == "owner"
