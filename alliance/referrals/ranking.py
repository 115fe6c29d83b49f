"""Which member organisations fit a referral best, with the reasons shown to the user.

The facts are loaded in two queries whatever the number of candidates (organisations
with the theme, their completed referrals in the theme and open load aggregated in
SQL; then their served prefectures), and scored by `core.ranking` with the criteria
and weights below. When the request says what it needs, a third query reads the
evidence — each candidate's profile, knowhow and outcome reports — and how well it
answers the request's words is worth the most points (core.search.evidence): a
specialist far away outranks a generalist next door. Without such words depth of
expertise matters most, and proximity, track record, load and remote work order the rest.
The weights were set on the judged set of bench/ranking_eval_set.py (grades written first).
"""

from collections.abc import Collection
from dataclasses import dataclass, replace

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.orm import QueryableAttribute

from alliance import evidence as alliance_evidence
from alliance.models import Organization, OrganizationPrefecture, OrganizationTheme
from alliance.referrals import evidence
from alliance.referrals.models import ACTIVE_STATUSES, Referral, ReferralDecline
from core import ranking, refdata
from core.db import among, db
from core.search import evidence as search_evidence

#: the candidate whose evidence answers the request best gets all of these; the others their share
RELEVANCE_POINTS = 60.0
#: in a ranking over every theme, the least share of the best candidate's relevance that makes a candidate
ANY_THEME_MIN_SHARE = 0.3
#: what counts as evidence of an organisation's work (knowhow's articles are kind "article")
EVIDENCE_KINDS = (alliance_evidence.SEARCH_KIND, "article", evidence.SEARCH_KIND)
#: matching reads what a coordinator (alliance staff) may read: every published document
COORDINATOR_SEES = ("public", "members", "alliance")
DEPTH_POINTS = {"expert": 40.0, "strong": 26.0, "experienced": 12.0}
DEPTH_LABELS = {"expert": _l("expert"), "strong": _l("strong"), "experienced": _l("experienced")}
#: deepest first
DEPTH_ORDER = ("expert", "strong", "experienced")
COMPLETED_POINTS = 4.0
COMPLETED_CAP = 5
PROXIMITY_POINTS = {ranking.SAME_PREFECTURE: 15.0, ranking.SAME_REGION: 8.0, ranking.ELSEWHERE: 0.0}
LOAD_POINTS = -4.0
LOAD_CAP = 4
REMOTE_POINTS = 10.0
#: open load at or beyond the capacity the organisation gave: it can take no more now
FULL_POINTS = -30.0
#: each earlier "does not match what we are good at" decline in the theme
MISFIT_POINTS = -10.0
MISFIT_CAP = 2


@dataclass(frozen=True)
class CandidateOrganization:
    """The few columns of an organisation the ranking and its list need."""

    id: int
    slug: str
    name: str
    #: head-office prefecture code
    prefecture: str


@dataclass(frozen=True)
class OrganizationFacts:
    """What the ranking knows about one candidate organisation."""

    organization: CandidateOrganization
    depth: str
    #: completed referrals in the theme, as partner
    completed: int
    #: referrals offered to, accepted by or in progress with it now
    open_load: int
    #: prefectures it serves (its head office included)
    prefectures: frozenset[str]
    accepts_remote: bool
    #: referrals it said it can take at once (None: not said)
    capacity: int | None = None
    #: earlier offers in the theme it declined as not its field
    misfits: int = 0
    #: how well its evidence answers the request, 0–1 (1: the best candidate's)
    relevance: float = 0.0
    #: its documents that matched the request best
    evidence: tuple = ()
    #: the theme its depth is about (in a ranking over every theme: its deepest)
    theme: str = ""


def _accepts_remote_column():
    """The directory's "takes remote work" flag; a constant False until the alliance model has it."""
    flag = getattr(Organization, "accepts_remote", False)
    return flag if isinstance(flag, QueryableAttribute) else sa.literal(bool(flag))


def load_candidates(theme: str | None, exclude_ids: Collection[int] = (), *,
                    only_ids: Collection[int] | None = None) -> list[OrganizationFacts]:
    """Live organisations with the theme and their aggregated track record (two queries).

    `theme` None: any theme — each organisation's deepest theme counts, and its track record
    in every theme; `only_ids` limits the candidates (those whose evidence matched).
    Plain columns, not ORM objects: a theme may have hundreds of candidates.
    """
    in_theme = (lambda column: column == theme) if theme else (lambda column: sa.true())
    completed = (
        sa.select(Referral.partner_organization_id.label("organization_id"), sa.func.count().label("n"))
        .where(Referral.status == "completed", in_theme(Referral.theme))
        .group_by(Referral.partner_organization_id)
        .subquery()
    )
    load = (
        sa.select(Referral.partner_organization_id.label("organization_id"), sa.func.count().label("n"))
        .where(Referral.status.in_(ACTIVE_STATUSES))
        .group_by(Referral.partner_organization_id)
        .subquery()
    )
    misfits = (
        sa.select(ReferralDecline.organization_id.label("organization_id"), sa.func.count().label("n"))
        .join(Referral, Referral.id == ReferralDecline.referral_id)
        .where(ReferralDecline.reason_kind == "fit", in_theme(Referral.theme))
        .group_by(ReferralDecline.organization_id)
        .subquery()
    )
    # The deepest of the organisation's themes (one row per organisation): the theme asked, or any.
    depth_rank = sa.case(*((OrganizationTheme.depth == depth, rank) for rank, depth in enumerate(DEPTH_ORDER)))
    deepest = (
        sa.select(OrganizationTheme.organization_id, sa.func.min(depth_rank).label("rank"))
        .where(in_theme(OrganizationTheme.theme))
        .group_by(OrganizationTheme.organization_id)
        .subquery()
    )
    live = sa.and_(
        deepest.c.organization_id == Organization.id,
        Organization.status == "active",
        Organization.deleted_at.is_(None),
        # A paused organisation takes no new referrals: it is not a candidate.
        Organization.referrals_paused.is_(False),
    )
    if exclude_ids:
        live = sa.and_(live, Organization.id.not_in(list(exclude_ids)))
    if only_ids is not None:
        live = sa.and_(live, among(Organization.id, only_ids))
    rows = db.session.execute(
        sa.select(
            Organization.id, Organization.slug, Organization.name, Organization.prefecture,
            _accepts_remote_column(), deepest.c.rank,
            sa.func.coalesce(completed.c.n, 0), sa.func.coalesce(load.c.n, 0),
            Organization.referral_capacity, sa.func.coalesce(misfits.c.n, 0),
        )
        .join(deepest, live)
        .outerjoin(completed, completed.c.organization_id == Organization.id)
        .outerjoin(load, load.c.organization_id == Organization.id)
        .outerjoin(misfits, misfits.c.organization_id == Organization.id)
    ).all()
    served: dict[int, set[str]] = {}
    themes: dict[int, str] = {}
    if rows:
        ids = [row[0] for row in rows]
        for organization_id, prefecture in db.session.execute(
            sa.select(OrganizationPrefecture.organization_id, OrganizationPrefecture.prefecture)
            .where(among(OrganizationPrefecture.organization_id, ids))
        ):
            served.setdefault(organization_id, set()).add(prefecture)
        if theme is None:
            ranks = {row[0]: row[5] for row in rows}
            for organization_id, slug, depth in db.session.execute(
                sa.select(OrganizationTheme.organization_id, OrganizationTheme.theme, OrganizationTheme.depth)
                .where(among(OrganizationTheme.organization_id, ids)).order_by(OrganizationTheme.theme)
            ):
                if organization_id not in themes and DEPTH_ORDER.index(depth) == ranks[organization_id]:
                    themes[organization_id] = slug
    return [
        OrganizationFacts(
            organization=CandidateOrganization(organization_id, slug, name, prefecture),
            depth=DEPTH_ORDER[rank],
            completed=int(completed_count),
            open_load=int(open_load),
            prefectures=frozenset({prefecture, *served.get(organization_id, ())}),
            accepts_remote=bool(accepts_remote),
            capacity=capacity,
            misfits=int(misfit_count),
            theme=theme or themes.get(organization_id, ""),
        )
        for (organization_id, slug, name, prefecture, accepts_remote, rank, completed_count, open_load, capacity,
             misfit_count) in rows
    ]


def criteria(prefecture: str, *, remote_wanted: bool) -> list[ranking.Criterion[OrganizationFacts]]:
    """The referral criteria: what it has done, depth in the theme, track record, proximity, open load and
    capacity, earlier "not our field" declines in the theme, remote work."""

    @ranking.memoized
    def proximity_label(closeness: str, home_prefecture: str | None) -> str:
        if closeness == ranking.SAME_PREFECTURE:
            return _("Active in %(prefecture)s", prefecture=refdata.prefecture_name(prefecture))
        if closeness == ranking.SAME_REGION:
            region = refdata.region_of(prefecture)
            return _("Same region (%(region)s)", region=region.name if region else "")
        home = refdata.region_of(home_prefecture)
        return home.name if home else ""

    depth_label = ranking.memoized(lambda theme, depth: f"{refdata.theme_name(theme)}: {DEPTH_LABELS[depth]}")
    completed_label = ranking.memoized(lambda n: ngettext("%(num)d completed", "%(num)d completed", n))
    load_label = ranking.memoized(lambda n: ngettext("%(num)d open now", "%(num)d open now", n))
    full_label = ranking.memoized(lambda capacity: _("at its limit of %(num)d", num=capacity))
    misfit_label = ranking.memoized(lambda n: ngettext(
        "declined %(num)d similar request as not its field", "declined %(num)d similar requests as not its field", n))

    def relevant(facts: OrganizationFacts) -> ranking.Contribution:
        if not facts.relevance:
            return ranking.NOTHING
        return ranking.Contribution(round(RELEVANCE_POINTS * facts.relevance, 2),
                                    _("what it has done matches the request") if facts.relevance >= 0.5 else None)

    def full(facts: OrganizationFacts) -> ranking.Contribution:
        if facts.capacity is None or facts.open_load < facts.capacity:
            return ranking.NOTHING
        return ranking.Contribution(FULL_POINTS, full_label(facts.capacity))

    return [
        ranking.Criterion("need", relevant),
        ranking.Criterion(
            "depth",
            lambda facts: ranking.Contribution(DEPTH_POINTS[facts.depth], depth_label(facts.theme, facts.depth))
            if facts.depth in DEPTH_POINTS else ranking.EXCLUDED,
        ),
        ranking.count(
            "completed",
            lambda facts: facts.completed,
            COMPLETED_POINTS,
            completed_label,
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
            load_label,
            cap=LOAD_CAP,
        ),
        ranking.Criterion("capacity", full),
        ranking.count(
            "misfit",
            lambda facts: facts.misfits,
            MISFIT_POINTS,
            misfit_label,
            cap=MISFIT_CAP,
        ),
        ranking.flag(
            "remote",
            lambda facts: facts.accepts_remote,
            REMOTE_POINTS,
            _("works online"),
            applies=remote_wanted,
        ),
    ]


def with_evidence(candidates: list[OrganizationFacts], need: str) -> list[OrganizationFacts]:
    """The candidates with how well their evidence answers `need` (one query)."""
    found = search_evidence.relevance(need, {facts.organization.id for facts in candidates}, kinds=EVIDENCE_KINDS,
                                      visibilities=COORDINATOR_SEES)
    return _with_relevance(candidates, found)


def _with_relevance(candidates: list[OrganizationFacts],
                    found: dict[int, search_evidence.Relevance]) -> list[OrganizationFacts]:
    """Each candidate's relevance (its share of the best one's) and its documents."""
    return [
        replace(facts, relevance=found[facts.organization.id].share,
                evidence=tuple(found[facts.organization.id].documents))
        if facts.organization.id in found else facts
        for facts in candidates
    ]


def rank_organizations(
    theme: str,
    prefecture: str,
    *,
    need: str = "",
    remote_wanted: bool = True,
    exclude_ids: Collection[int] = (),
    limit: int | None = None,
) -> list[ranking.Ranked[OrganizationFacts]]:
    """Candidates for help in `theme` at `prefecture` with `need` (the request's words), best first
    (equal scores by slug)."""
    candidates = load_candidates(theme, exclude_ids)
    if need.strip() and candidates:
        candidates = with_evidence(candidates, need)
    return ranking.rank(
        candidates,
        criteria(prefecture, remote_wanted=remote_wanted),
        tie_key=lambda facts: facts.organization.slug,
        limit=limit,
    )


def rank_by_need(prefecture: str, need: str, *, limit: int | None = None) -> list[ranking.Ranked[OrganizationFacts]]:
    """Candidates in any theme for a need that names none (a consultation marked "not sure"): the organisations
    whose evidence answers it, each with its deepest theme, best first."""
    found = search_evidence.relevance(need, None, kinds=EVIDENCE_KINDS, visibilities=COORDINATOR_SEES)
    # Without a theme to vouch for them, a word or two in common (者, 仕事) is no reason to suggest a member.
    found = {key: entry for key, entry in found.items() if entry.share >= ANY_THEME_MIN_SHARE}
    if not found:
        return []
    candidates = _with_relevance(load_candidates(None, only_ids=list(found)), found)
    return ranking.rank(candidates, criteria(prefecture, remote_wanted=True),
                        tie_key=lambda facts: facts.organization.slug, limit=limit)


def excluded_ids(referral: Referral) -> set[int]:
    """Organisations never suggested for a referral: its requester and those that declined it."""
    excluded = {decline.organization_id for decline in referral.declines if decline.organization_id}
    if referral.requester_organization_id:
        excluded.add(referral.requester_organization_id)
    return excluded


def rank_for_referral(referral: Referral, *, limit: int | None = None) -> list[ranking.Ranked[OrganizationFacts]]:
    """Candidates for a referral, best first."""
    return rank_organizations(
        referral.theme, referral.prefecture, need=f"{referral.title}\n{referral.description}",
        remote_wanted=referral.remote_wanted, exclude_ids=excluded_ids(referral), limit=limit,
    )
