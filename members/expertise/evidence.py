"""A member's expertise profile as a document of the search index: evidence for matching people to projects.

alliance.projects.suggest reads what a person says they do — their bio, the profile's
summary and skills — beside the reports of projects they completed
(alliance.projects.evidence). Indexed when the profile or the bio changes, removed when
the member withdraws the profile or the account goes.
"""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from core import hooks, search
from core.db import db
from members.expertise.models import ExpertiseProfile
from members.models import Member

SEARCH_KIND = "expertise"


def search_entry(profile: ExpertiseProfile) -> search.Entry:
    member = profile.member
    # The skills are the profile's headline. Not the person's name (it would match a need by chance),
    # nor the themes' names: every candidate has the project's theme, so its words tell no one apart.
    title = "、".join(profile.skills) or profile.summary[:60]
    body = "\n".join(part for part in (profile.summary, member.bio) if part)
    return search.Entry(
        kind=SEARCH_KIND, object_id=profile.member_id, title=title[:300], body=body,
        visibility=profile.visibility, owner_id=profile.member_id,
        facets={"theme": list(profile.themes)}, meta={"member_id": profile.member_id},
    )


def index_profile(profile: ExpertiseProfile) -> None:
    search.index_many([search_entry(profile)])


def index_member(member: Member) -> None:
    """Index the member's profile again, if they have one (their bio or name changed)."""
    profile = db.session.get(ExpertiseProfile, member.id)
    if profile is not None:
        index_profile(profile)


def remove_profile(member_id: int) -> None:
    search.remove(SEARCH_KIND, member_id)


def reindex_profiles() -> int:
    """Index every profile again (`flask search reindex --kind expertise`)."""
    return search.reindex_all(ExpertiseProfile, search_entry, options=[
        selectinload(ExpertiseProfile.member), selectinload(ExpertiseProfile.theme_rows),
        selectinload(ExpertiseProfile.skill_rows)])


def index_all_profiles(member_ids: list[int] | None = None) -> int:
    """Index every profile, or those of `member_ids`, inside the caller's transaction (demo and synthetic data)."""
    query = sa.select(ExpertiseProfile).options(
        selectinload(ExpertiseProfile.member), selectinload(ExpertiseProfile.theme_rows),
        selectinload(ExpertiseProfile.skill_rows))
    if member_ids is not None:
        query = query.where(ExpertiseProfile.member_id.in_(member_ids))
    return search.index_many([search_entry(profile) for profile in db.session.scalars(query)])


EVIDENCE_KIND = hooks.EvidenceKind(
    SEARCH_KIND, label=lambda document: _("Expertise profile"),
    url=lambda document: url_for("people.person", member_id=document.meta["member_id"]),
)
