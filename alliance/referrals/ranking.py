"""Which member organisations fit a referral best, with the reasons shown to the user.

The facts are loaded in two queries whatever the number of candidates (organisations
with the theme, their completed referrals in the theme and open load aggregated in
SQL; then their served prefectures), and scored by `core.ranking` with the criteria
and weights below. Weights are chosen so that depth of expertise matters most: an
expert two regions away outranks an organisation that has only some experience
next door, while proximity, track record, load and remote work order the rest.
"""

from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from alliance.models import Organization, OrganizationTheme
from alliance.referrals.models import ACTIVE_STATUSES, Referral
from core import ranking, refdata
from core.db import db

DEPTH_POINTS = {"expert": 40.0, "strong": 26.0, "experienced": 12.0}
DEPTH_LABELS = {"expert": _l("expert"), "strong": _l("strong"), "experienced": _l("experienced")}
COMPLETED_POINTS = 4.0
COMPLETED_CAP = 5
PROXIMITY_POINTS = {ranking.SAME_PREFECTURE: 15.0, ranking.SAME_REGION: 8.0, ranking.ELSEWHERE: 0.0}
LOAD_POINTS = -4.0
LOAD_CAP = 4
REMOTE_POINTS = 10.0


@dataclass(frozen=True)
class OrganizationFacts:
    """What the ranking knows about one candidate organisation."""

    organization: Organization
    depth: str
    #: completed referrals in the theme, as partner
    completed: int
    #: referrals offered to, accepted by or in progress with it now
    open_load: int
    #: prefectures it serves (its head office included)
    prefectures: frozenset[str]
    accepts_remote: bool

    @property
    def home_region(self) -> refdata.Region | None:
        return refdata.region_of(self.organization.prefecture)


def load_candidates(theme: str, exclude_ids: Collection[int] = ()) -> list[OrganizationFacts]:
    """Live organisations with the theme and their aggregated track record (two queries)."""
    completed = (
        sa.select(Referral.partner_organization_id.label("organization_id"), sa.func.count().label("n"))
        .where(Referral.status == "completed", Referral.theme == theme)
        .group_by(Referral.partner_organization_id)
        .subquery()
    )
    load = (
        sa.select(Referral.partner_organization_id.label("organization_id"), sa.func.count().label("n"))
        .where(Referral.status.in_(ACTIVE_STATUSES))
        .group_by(Referral.partner_organization_id)
        .subquery()
    )
    query = (
        sa.select(
            Organization,
            OrganizationTheme.depth,
            sa.func.coalesce(completed.c.n, 0),
            sa.func.coalesce(load.c.n, 0),
        )
        .join(
            OrganizationTheme,
            sa.and_(OrganizationTheme.organization_id == Organization.id, OrganizationTheme.theme == theme),
        )
        .outerjoin(completed, completed.c.organization_id == Organization.id)
        .outerjoin(load, load.c.organization_id == Organization.id)
        .where(Organization.status == "active", Organization.deleted_at.is_(None))
        .options(selectinload(Organization.served_rows))
    )
    if exclude_ids:
        query = query.where(Organization.id.not_in(list(exclude_ids)))
    return [
        OrganizationFacts(
            organization=organization,
            depth=depth,
            completed=int(completed_count),
            open_load=int(open_load),
            prefectures=frozenset([organization.prefecture, *(row.prefecture for row in organization.served_rows)]),
            # The directory's "takes remote work" flag; absent until the alliance pages add it.
            accepts_remote=bool(getattr(organization, "accepts_remote", False)),
        )
        for organization, depth, completed_count, open_load in db.session.execute(query)
    ]


def criteria(theme: str, prefecture: str, *, remote_wanted: bool) -> list[ranking.Criterion[OrganizationFacts]]:
    """The referral criteria: depth, track record, proximity, open load, remote work."""
    theme_label = refdata.theme_name(theme)

    def proximity_label(closeness: str, facts: OrganizationFacts) -> str:
        if closeness == ranking.SAME_PREFECTURE:
            return _("Active in %(prefecture)s", prefecture=refdata.prefecture_name(prefecture))
        if closeness == ranking.SAME_REGION:
            region = refdata.region_of(prefecture)
            return _("Same region (%(region)s)", region=region.name if region else "")
        home = facts.home_region
        return home.name if home else ""

    return [
        ranking.level(
            "depth",
            lambda facts: facts.depth,
            DEPTH_POINTS,
            lambda depth: f"{theme_label}: {DEPTH_LABELS[depth]}",
        ),
        ranking.count(
            "completed",
            lambda facts: facts.completed,
            COMPLETED_POINTS,
            lambda n: ngettext("%(num)d completed", "%(num)d completed", n),
            cap=COMPLETED_CAP,
        ),
        ranking.proximity(
            "proximity",
            prefecture,
            home=lambda facts: facts.organization.prefecture,
            areas=lambda facts: facts.prefectures,
            points=PROXIMITY_POINTS,
            label=proximity_label,
        ),
        ranking.count(
            "load",
            lambda facts: facts.open_load,
            LOAD_POINTS,
            lambda n: ngettext("%(num)d open now", "%(num)d open now", n),
            cap=LOAD_CAP,
        ),
        ranking.flag(
            "remote",
            lambda facts: facts.accepts_remote,
            REMOTE_POINTS,
            _("works online"),
            applies=remote_wanted,
        ),
    ]


def rank_organizations(
    theme: str,
    prefecture: str,
    *,
    remote_wanted: bool = True,
    exclude_ids: Collection[int] = (),
    limit: int | None = None,
) -> list[ranking.Ranked[OrganizationFacts]]:
    """Candidates for help in `theme` at `prefecture`, best first (equal scores by slug)."""
    return ranking.rank(
        load_candidates(theme, exclude_ids),
        criteria(theme, prefecture, remote_wanted=remote_wanted),
        tie_key=lambda facts: facts.organization.slug,
        limit=limit,
    )


def excluded_ids(referral: Referral) -> set[int]:
    """Organisations never suggested for a referral: its requester and those that declined it."""
    excluded = {decline.organization_id for decline in referral.declines if decline.organization_id}
    if referral.requester_organization_id:
        excluded.add(referral.requester_organization_id)
    return excluded


def rank_for_referral(referral: Referral, *, limit: int | None = None) -> list[ranking.Ranked[OrganizationFacts]]:
    """Candidates for a referral, best first."""
    return rank_organizations(
        referral.theme, referral.prefecture, remote_wanted=referral.remote_wanted,
        exclude_ids=excluded_ids(referral), limit=limit,
    )
