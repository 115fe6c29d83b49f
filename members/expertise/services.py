"""Rules of the opt-in expertise profile: save, withdraw, and who may see which profile.

Visibility is decided by the caller's role, which members cannot know (alliance staff
are defined in `alliance`): callers pass `include_alliance=True` for alliance staff and
admins. Everyone else (members, visitors, the API) sees public profiles only.
"""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from core.audit import audit
from core.db import db
from members.expertise import evidence
from members.expertise.models import (
    ExpertiseArea,
    ExpertiseProfile,
    ExpertiseSkill,
    ExpertiseTheme,
    skill_key,
)
from members.models import Member


def profile_of(member: Member) -> ExpertiseProfile | None:
    """The member's own profile, or None when they have not opted in."""
    return db.session.scalar(
        sa.select(ExpertiseProfile).where(ExpertiseProfile.member_id == member.id)
        .options(selectinload(ExpertiseProfile.theme_rows), selectinload(ExpertiseProfile.skill_rows),
                 selectinload(ExpertiseProfile.area_rows))
    )


def save_profile(
    member: Member, *, summary: str, themes: list[str], skills: list[str], hours_per_month: int,
    remote: bool, on_site: bool, travel_prefectures: list[str], visibility: str, accepting: bool,
) -> ExpertiseProfile:
    """Create or update the member's profile (opting in), with an audit entry."""
    profile = profile_of(member)
    created = profile is None
    if created:
        profile = ExpertiseProfile(member_id=member.id, hours_per_month=hours_per_month)
        db.session.add(profile)
    profile.summary = (summary or "").strip()
    profile.hours_per_month = hours_per_month
    profile.remote = remote
    profile.on_site = on_site
    profile.visibility = visibility
    profile.accepting = accepting
    wanted_themes = list(dict.fromkeys(themes))
    profile.theme_rows = [row for row in profile.theme_rows if row.theme in wanted_themes]
    have = {row.theme for row in profile.theme_rows}
    profile.theme_rows.extend(ExpertiseTheme(theme=slug) for slug in wanted_themes if slug not in have)
    set_skills(profile, skills)
    profile.set_travel_prefectures(travel_prefectures)
    audit("expertise.create" if created else "expertise.update", member, visibility=visibility,
          accepting=accepting)
    db.session.flush()
    evidence.index_profile(profile)
    return profile


def set_skills(profile: ExpertiseProfile, labels: list[str]) -> None:
    """Replace the skill tags, keeping rows whose key stays (so no key is deleted and re-added)."""
    existing = {row.key: row for row in profile.skill_rows}
    rows = []
    for position, label in enumerate(labels):
        key = skill_key(label)
        row = existing.get(key) or ExpertiseSkill(key=key)
        row.label, row.position = label, position
        rows.append(row)
    profile.skill_rows = rows


def withdraw_profile(member: Member) -> bool:
    """Delete the member's profile (opting out); False when there was none."""
    profile = profile_of(member)
    if profile is None:
        return False
    db.session.delete(profile)
    evidence.remove_profile(member.id)
    audit("expertise.withdraw", member)
    return True


def erase_profile(member: Member) -> None:
    """`member_erasers` hook: the profile goes with the account."""
    db.session.execute(sa.delete(ExpertiseArea).where(ExpertiseArea.member_id == member.id))
    db.session.execute(sa.delete(ExpertiseSkill).where(ExpertiseSkill.member_id == member.id))
    db.session.execute(sa.delete(ExpertiseTheme).where(ExpertiseTheme.member_id == member.id))
    db.session.execute(sa.delete(ExpertiseProfile).where(ExpertiseProfile.member_id == member.id))
    evidence.remove_profile(member.id)


def visible_visibilities(include_alliance: bool) -> tuple[str, ...]:
    return ("public", "alliance") if include_alliance else ("public",)


def can_see(profile: ExpertiseProfile, *, include_alliance: bool, viewer_id: int | None = None) -> bool:
    """Whether a viewer may see this profile (its owner always may)."""
    return profile.member_id == viewer_id or profile.visibility in visible_visibilities(include_alliance)


def visible_profiles_query(*, include_alliance: bool, theme: str = "", prefectures: list[str] | None = None,
                           skill: str = "", remote_only: bool = False) -> sa.Select:
    """Profiles a viewer may list, newest change first, with what a list shows loaded.

    `prefectures` keeps those who live in or travel to one of them.
    """
    query = (
        sa.select(ExpertiseProfile)
        .join(Member, Member.id == ExpertiseProfile.member_id)
        .where(ExpertiseProfile.visibility.in_(visible_visibilities(include_alliance)))
        .options(joinedload(ExpertiseProfile.member), selectinload(ExpertiseProfile.theme_rows),
                 selectinload(ExpertiseProfile.skill_rows))
        .order_by(ExpertiseProfile.updated_at.desc(), ExpertiseProfile.member_id.desc())
    )
    if theme:
        query = query.where(sa.exists().where(ExpertiseTheme.member_id == ExpertiseProfile.member_id,
                                              ExpertiseTheme.theme == theme))
    if prefectures:
        query = query.where(sa.or_(
            Member.prefecture.in_(prefectures),
            sa.exists().where(ExpertiseArea.member_id == ExpertiseProfile.member_id,
                              ExpertiseArea.prefecture.in_(prefectures)),
        ))
    if skill and skill_key(skill):
        query = query.where(sa.exists().where(ExpertiseSkill.member_id == ExpertiseProfile.member_id,
                                              ExpertiseSkill.key.contains(skill_key(skill), autoescape=True)))
    if remote_only:
        query = query.where(ExpertiseProfile.remote.is_(True))
    return query


def visible_profile(member_id: int, *, include_alliance: bool, viewer_id: int | None = None
                    ) -> ExpertiseProfile | None:
    """One profile with everything its page shows, or None when it is not visible to the viewer."""
    profile = db.session.scalar(
        sa.select(ExpertiseProfile).where(ExpertiseProfile.member_id == member_id)
        .options(joinedload(ExpertiseProfile.member), selectinload(ExpertiseProfile.theme_rows),
                 selectinload(ExpertiseProfile.skill_rows), selectinload(ExpertiseProfile.area_rows))
    )
    if profile is None or not can_see(profile, include_alliance=include_alliance, viewer_id=viewer_id):
        return None
    return profile


def public_profile_data(profile: ExpertiseProfile) -> dict:
    """What the API tells about a public profile."""
    member = profile.member
    return {
        "member_id": profile.member_id,
        "display_name": member.display_name,
        "prefecture": member.prefecture,
        "themes": list(profile.themes),
        "skills": profile.skills,
        "summary": profile.summary,
        "hours_per_month": profile.hours_per_month,
        "remote": profile.remote,
        "on_site": profile.on_site,
        "travel_prefectures": list(profile.travel_prefectures),
        "accepting": profile.accepting,
        "updated_at": profile.updated_at.isoformat(),
    }
