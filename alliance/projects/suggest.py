"""Suggested people for a project: members whose opt-in profile fits, best first, with reasons.

The order comes from the shared explainable ranking (`core.ranking`), as for referral
candidates: the theme is required (as an organisation's theme is for a referral), then
skills, availability (hours a month; programmes already running count against), distance
(same prefecture / same region, from home and the prefectures the member travels to)
and remote work. What the person has done counts most: their evidence — profile, bio
and the projects they completed with their reports (members.expertise.evidence,
alliance.projects.evidence) — is read against the project's title, description and
skills (core.search.evidence), worth up to RELEVANCE_POINTS. Weights make fit matter
most: two matching skills outweigh living in the same prefecture, so a fitting person
two regions away still comes first.

With 20,000 profiles a call must stay fast, so no profile becomes a Python object
unless it is shown:

1. One SQL query pre-filters the pool through the indexes — profiles with the theme
   (theme index), their matching skills (skill index), open to projects, able to work
   there remotely or on site (travel mask) — and groups the candidates by the facts
   the criteria score: matching skills, hours class, distance class, remote, on site,
   programmes running. It answers a few dozen rows, each with its member ids.
2. Candidates with equal facts and no matching evidence have equal scores, so
   `core.ranking` scores each group once, and the best `limit` members are picked by
   (score, tie key). The few hundred people whose evidence matches (one search query)
   get their facts in one more query and are scored one by one.
3. Those members are loaded with their profiles and matching skills (three queries) and
   ranked by `core.ranking`, which now also words the reasons.

The result is exactly what ranking every candidate one by one would give (a test
checks it, and that the distance classes computed in SQL are those of
`core.ranking.proximity_class`).
"""

import heapq
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import joinedload

from alliance.models import OrganizationStaff
from alliance.projects import evidence as programme_evidence
from alliance.projects.models import Programme, Project, ProjectApplication
from core import ranking, refdata
from core.db import among, db
from core.search import evidence as search_evidence
from members.expertise import evidence as expertise_evidence
from members.expertise.models import (
    ExpertiseProfile,
    ExpertiseSkill,
    ExpertiseTheme,
    prefecture_bit,
    prefecture_mask,
)
from members.models import Member

THEME_POINTS = 30.0
#: the person whose evidence (profile, bio, completed projects) answers the project best gets all of these
RELEVANCE_POINTS = 40.0
EVIDENCE_KINDS = (expertise_evidence.SEARCH_KIND, programme_evidence.SEARCH_KIND)
#: what the suggestions page (alliance staff) may read
STAFF_SEES = ("public", "alliance")
#: the best-matching documents read per project: enough for the ten shown, not thousands of rows of text
EVIDENCE_DOCUMENTS = 200
SKILL_POINTS = 10.0
SKILL_CAP = 3
#: hours a month the member can give, against the hours the project asks for
ENOUGH, PARTIAL, SHORT = "enough", "partial", "short"
HOURS_POINTS = {ENOUGH: 12.0, PARTIAL: 4.0, SHORT: 0.0}
PROXIMITY_POINTS = {ranking.SAME_PREFECTURE: 15.0, ranking.SAME_REGION: 8.0, ranking.ELSEWHERE: 0.0}
REMOTE_POINTS = 8.0
BUSY_POINTS = -6.0
BUSY_CAP = 2
DEFAULT_LIMIT = 10
#: the facts the points depend on, in the order of PersonFacts' fields after `has_theme`
#: (the pool has the theme, so candidates with equal facts have equal scores)
SCORED_FACTS = ("skill_matches", "hours_fit", "closeness", "remote", "on_site", "busy")


@dataclass(frozen=True)
class PersonFacts:
    """What the ranking knows about one candidate (details only for those shown)."""

    member_id: int
    has_theme: bool
    #: how many of the project's skills the member listed (counted up to SKILL_CAP)
    skill_matches: int
    #: enough | partial | short
    hours_fit: str
    #: core.ranking proximity class of the member to the project's prefecture
    closeness: str
    remote: bool
    on_site: bool
    #: programmes the member is in now (counted up to BUSY_CAP)
    busy: int
    member: Member | None = None
    profile: ExpertiseProfile | None = None
    #: the matching skills as the member wrote them
    matched_skills: tuple[str, ...] = ()
    #: how well their evidence answers the project, 0–1 (1: the best candidate's)
    relevance: float = 0.0
    #: their documents that matched the project best
    evidence: tuple = ()


def criteria(project: Project) -> list[ranking.Criterion[PersonFacts]]:
    """Theme, reach, skills, availability, distance, remote work, current load — with reasons."""
    theme_label = refdata.theme_name(project.theme)
    prefecture_label = refdata.prefecture_name(project.prefecture)
    region = refdata.region_of(project.prefecture)

    def reachable(facts: PersonFacts) -> bool:
        on_site = facts.on_site and facts.closeness != ranking.ELSEWHERE
        return on_site or (project.remote_possible and facts.remote)

    def skills(facts: PersonFacts) -> ranking.Contribution:
        if not facts.skill_matches:
            return ranking.NOTHING
        points = SKILL_POINTS * min(facts.skill_matches, SKILL_CAP)
        if facts.matched_skills:
            return ranking.Contribution(points, _("Skills: %(skills)s", skills="、".join(facts.matched_skills)))
        return ranking.Contribution(points, ngettext("%(num)d matching skill", "%(num)d matching skills",
                                                     facts.skill_matches))

    hours_labels = {
        ENOUGH: _("Has the %(hours)d hours a month", hours=project.hours_per_month),
        PARTIAL: _("Has part of the %(hours)d hours a month", hours=project.hours_per_month),
        SHORT: None,
    }
    distance_labels = {
        ranking.SAME_PREFECTURE: _("Can work in %(prefecture)s", prefecture=prefecture_label),
        ranking.SAME_REGION: _("Same region (%(region)s)", region=region.name if region else ""),
        ranking.ELSEWHERE: None,
    }
    def relevant(facts: PersonFacts) -> ranking.Contribution:
        if not facts.relevance:
            return ranking.NOTHING
        return ranking.Contribution(relevance_points(facts.relevance),
                                    _("What they have done matches the project") if facts.relevance >= 0.5 else None)

    return [
        ranking.required("theme required", lambda facts: facts.has_theme),
        ranking.Criterion("need", relevant),
        ranking.required("reachable", reachable),
        ranking.flag("theme", lambda facts: facts.has_theme, THEME_POINTS, _("Theme: %(theme)s", theme=theme_label)),
        ranking.Criterion("skills", skills),
        ranking.level("availability", lambda facts: facts.hours_fit, HOURS_POINTS, hours_labels.get),
        ranking.level("distance", lambda facts: facts.closeness, PROXIMITY_POINTS, distance_labels.get),
        ranking.flag("remote", lambda facts: facts.remote, REMOTE_POINTS, _("Works remotely"),
                     applies=project.remote_possible),
        ranking.count("busy", lambda facts: facts.busy, BUSY_POINTS,
                      lambda n: ngettext("In %(num)d programme now", "In %(num)d programmes now", n),
                      cap=BUSY_CAP),
    ]


def relevance_points(relevance: float) -> float:
    return round(RELEVANCE_POINTS * relevance, 2)


def _tie_key(facts: PersonFacts) -> int:
    return facts.member_id


def facts_query(project: Project, member_ids: list[int] | None = None) -> sa.Select:
    """One row of scored facts per candidate (of `member_ids` only, if given): the SQL pre-filter (theme and
    skill indexes, travel mask)."""
    profile = ExpertiseProfile
    target = project.prefecture
    region = refdata.region_of(target)
    region_codes = refdata.prefectures_in_region(region.slug) if region else [target]
    keys = project.skill_keys

    # The pool: profiles with the theme (the theme index), as for referral candidates.
    pool = sa.select(ExpertiseTheme.member_id).where(ExpertiseTheme.theme == project.theme)
    if member_ids is not None:
        pool = pool.where(among(ExpertiseTheme.member_id, member_ids))
    pool = pool.subquery("pool")
    if keys:
        # Matching skills of the pool only: the skill index, each hit checked against the theme's.
        skills = (
            sa.select(ExpertiseSkill.member_id, sa.func.count().label("matches"))
            .join(ExpertiseTheme, sa.and_(ExpertiseTheme.member_id == ExpertiseSkill.member_id,
                                          ExpertiseTheme.theme == project.theme))
            .where(ExpertiseSkill.key.in_(keys))
            .group_by(ExpertiseSkill.member_id)
            .subquery("skills")
        )
        skill_matches = sa.func.coalesce(skills.c.matches, 0)
    else:
        skills, skill_matches = None, sa.literal(0)
    busy = (
        sa.select(Programme.member_id, sa.func.count().label("programmes"))
        .where(Programme.status == "active", Programme.member_id.is_not(None))
        .group_by(Programme.member_id)
        .subquery("busy")
    )
    # The same classes as core.ranking.proximity_class(target, home, travel areas).
    travels_to = profile.travel_mask.op("&")
    closeness = sa.case(
        (sa.or_(Member.prefecture == target, travels_to(prefecture_bit(target)) != 0), ranking.SAME_PREFECTURE),
        (sa.or_(Member.prefecture.in_(region_codes), travels_to(prefecture_mask(region_codes)) != 0),
         ranking.SAME_REGION),
        else_=ranking.ELSEWHERE,
    )
    hours_fit = sa.case(
        (profile.hours_per_month >= project.hours_per_month, ENOUGH),
        (profile.hours_per_month * 2 >= project.hours_per_month, PARTIAL),
        else_=SHORT,
    )
    # The `reachable` criterion, applied early so fewer rows travel.
    on_site_possible = sa.and_(profile.on_site.is_(True), closeness != ranking.ELSEWHERE)
    reachable = sa.or_(profile.remote.is_(True), on_site_possible) if project.remote_possible else on_site_possible
    applicants = sa.select(ProjectApplication.member_id).where(ProjectApplication.project_id == project.id)
    hosts = sa.select(OrganizationStaff.member_id).where(
        OrganizationStaff.organization_id == project.organization_id
    )
    programmes = sa.func.coalesce(busy.c.programmes, 0)
    query = (
        sa.select(
            pool.c.member_id.label("member_id"),
            sa.case((skill_matches > SKILL_CAP, SKILL_CAP), else_=skill_matches).label("skill_matches"),
            hours_fit.label("hours_fit"),
            closeness.label("closeness"),
            profile.remote.label("remote"),
            profile.on_site.label("on_site"),
            sa.case((programmes > BUSY_CAP, BUSY_CAP), else_=programmes).label("busy"),
        )
        .join(profile, profile.member_id == pool.c.member_id)
        .join(Member, Member.id == pool.c.member_id)
        .outerjoin(busy, busy.c.member_id == pool.c.member_id)
        .where(
            profile.accepting.is_(True),
            reachable,
            pool.c.member_id.not_in(applicants),
            pool.c.member_id.not_in(hosts),
        )
    )
    if skills is not None:
        query = query.outerjoin(skills, skills.c.member_id == pool.c.member_id)
    return query


def load_groups(project: Project) -> dict[tuple, str]:
    """Candidates grouped by their scored facts: {facts: "id,id,…"} (one query, a few dozen rows).

    The grouping happens in SQL, so thousands of candidates cost no Python objects;
    only the id lists of the groups that reach the top are split later.
    """
    candidates = facts_query(project).subquery("candidates")
    facts_columns = [candidates.c[name] for name in SCORED_FACTS]
    query = sa.select(
        *facts_columns, sa.func.aggregate_strings(sa.cast(candidates.c.member_id, sa.String), ",")
    ).group_by(*facts_columns)
    return {
        (int(skill_matches), hours_fit, closeness, bool(remote), bool(on_site), int(busy)): ids
        for skill_matches, hours_fit, closeness, remote, on_site, busy, ids
        in db.session.connection().execute(query)
    }


def best_groups(groups: dict[tuple, str], criteria_: Sequence[ranking.Criterion[PersonFacts]],
                limit: int, *, skip: Collection[int] = ()) -> list[PersonFacts]:
    """The candidates `core.ranking.rank` would put first (without details), scoring each group once.

    Groups are taken best score first; only the ids of the groups that reach the top
    are split, and within the last score taken the tie key (member id) decides. Members
    in `skip` (scored one by one elsewhere) are left out.
    """
    by_score: dict[float, list[tuple]] = defaultdict(list)
    for scored_facts in groups:
        result = ranking.score(PersonFacts(0, True, *scored_facts), criteria_)
        if result is not None:
            by_score[result.score].append(scored_facts)
    chosen: list[PersonFacts] = []
    for points in sorted(by_score, reverse=True):
        room = limit - len(chosen)
        if room <= 0:
            break
        tied = [PersonFacts(int(member_id), True, *scored_facts)
                for scored_facts in by_score[points] for member_id in groups[scored_facts].split(",")
                if int(member_id) not in skip]
        chosen.extend(heapq.nsmallest(room, tied, key=_tie_key))
    return chosen


def project_need(project: Project) -> str:
    """What the project asks for, as the words matching reads."""
    return "\n".join((project.title, project.description, "、".join(row.label for row in project.skill_rows)))


def relevant_people(project: Project) -> list[PersonFacts]:
    """Candidates whose evidence answers the project, each with its facts, relevance and documents (two queries).

    The evidence query reads every person's documents in the project's theme (the pool is
    too large to list); the facts query then keeps those in the pool.
    """
    found = search_evidence.relevance(project_need(project), None, kinds=EVIDENCE_KINDS, owner="owner",
                                      visibilities=STAFF_SEES, facet=("theme", project.theme),
                                      documents=EVIDENCE_DOCUMENTS)
    if not found:
        return []
    rows = db.session.execute(facts_query(project, list(found))).all()
    return [
        PersonFacts(member_id, True, int(skill_matches), hours_fit, closeness, bool(remote), bool(on_site),
                    int(busy), relevance=found[member_id].share, evidence=tuple(found[member_id].documents))
        for member_id, skill_matches, hours_fit, closeness, remote, on_site, busy in rows
    ]


def _with_details(project: Project, chosen: list[PersonFacts]) -> list[PersonFacts]:
    """The chosen candidates with member, profile and matching skills (three queries)."""
    ids = [facts.member_id for facts in chosen]
    profiles = {
        profile.member_id: profile
        for profile in db.session.scalars(
            sa.select(ExpertiseProfile).where(ExpertiseProfile.member_id.in_(ids))
            .options(joinedload(ExpertiseProfile.member))
        )
    }
    matched: dict[int, list[str]] = defaultdict(list)
    if project.skill_keys and ids:
        for member_id, label in db.session.execute(
            sa.select(ExpertiseSkill.member_id, ExpertiseSkill.label)
            .where(ExpertiseSkill.member_id.in_(ids), ExpertiseSkill.key.in_(project.skill_keys))
            .order_by(ExpertiseSkill.member_id, ExpertiseSkill.position)
        ):
            matched[member_id].append(label)
    return [
        replace(facts, member=profiles[facts.member_id].member, profile=profiles[facts.member_id],
                matched_skills=tuple(matched[facts.member_id]))
        for facts in chosen
        if facts.member_id in profiles
    ]


def suggest_people(project: Project, *, limit: int = DEFAULT_LIMIT,
                   read_evidence: bool = True) -> list[ranking.Ranked[PersonFacts]]:
    """The members who fit the project best, with the reasons (a constant number of queries).

    People whose evidence answers the project are scored one by one; everyone else by group.
    The best `limit` overall are among the relevant ones and the best `limit` of the rest.
    `read_evidence=False` is the ranking before #18 (bench/ranking_eval.py compares the two).
    """
    criteria_ = criteria(project)
    relevant = relevant_people(project) if read_evidence else []
    others = best_groups(load_groups(project), criteria_, limit, skip={facts.member_id for facts in relevant})
    chosen = best_relevant(relevant, criteria_, limit) + others
    return ranking.rank(_with_details(project, chosen), criteria_, tie_key=_tie_key, limit=limit)


def best_relevant(relevant: list[PersonFacts], criteria_: Sequence[ranking.Criterion[PersonFacts]],
                  limit: int) -> list[PersonFacts]:
    """The best `limit` of the people whose evidence matched: each distinct set of facts is scored once, as a
    group would be, and the person's relevance points are added."""
    base: dict[tuple, float | None] = {}
    scored = []
    for facts in relevant:
        key = tuple(getattr(facts, name) for name in SCORED_FACTS)
        if key not in base:
            result = ranking.score(PersonFacts(0, True, *key), criteria_)
            base[key] = None if result is None else result.score
        if base[key] is not None:
            scored.append((-round(base[key] + relevance_points(facts.relevance), 6), _tie_key(facts), facts))
    return [facts for *_key, facts in heapq.nsmallest(limit, scored, key=lambda entry: entry[:2])]
