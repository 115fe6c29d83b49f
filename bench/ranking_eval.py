"""Evaluate matching on the judged set of bench/ranking_eval_set.py: nDCG@3, MRR, Recall@5, exposure.

Loads the set's organisations (themes, served prefectures, services, knowhow articles,
completed referrals with their outcome reports) into a fresh database and asks each
ranker for the candidates of every request. A ranker is a function
(theme, prefecture, title, description) -> slugs best first; "current" is the ranking the
referral page uses today (it reads theme, depth, nearness, track record and load, not the
request's words); "evidence" also reads the request's words against each candidate's profile,
knowhow and outcome reports. Grades: 2 fits the need, 1 related, otherwise 0.

The same for people: the set's professionals (profiles, completed projects with their
reports) and projects; "current" suggests them from theme, skills, hours, distance and
load, "evidence" also reads the project against what each person has done.

    .venv/bin/python bench/ranking_eval.py            # SQLite, and PostgreSQL when it answers

Prints a table per engine; `evaluate()` is what the tests call.
"""

import argparse
import math
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alliance.evidence import index_organization  # noqa: E402
from alliance.models import Organization, OrganizationService, OrganizationTheme  # noqa: E402
from alliance.projects.evidence import index_programme  # noqa: E402
from alliance.projects.models import Cohort, Programme, Project, ProjectSkill  # noqa: E402
from alliance.projects.suggest import suggest_people  # noqa: E402
from alliance.referrals.evidence import index_outcome  # noqa: E402
from alliance.referrals.models import Referral, ReferralOutcome  # noqa: E402
from alliance.referrals.ranking import rank_organizations  # noqa: E402
from bench.ranking_eval_set import ORGANIZATIONS, PEOPLE, PROJECTS, REQUESTS  # noqa: E402
from core.db import db, utcnow  # noqa: E402
from knowhow.services import ArticleData, create_article  # noqa: E402
from members.expertise.evidence import index_profile  # noqa: E402
from members.expertise.models import ExpertiseProfile, ExpertiseSkill, ExpertiseTheme, skill_key  # noqa: E402
from members.models import Member  # noqa: E402

Ranker = Callable[[str, str, str, str], list[str]]


def current_ranking(theme: str, prefecture: str, title: str, description: str) -> list[str]:
    """The ranking before #18 (the request's words are not read)."""
    return [ranked.candidate.organization.slug for ranked in rank_organizations(theme, prefecture)]


def evidence_ranking(theme: str, prefecture: str, title: str, description: str) -> list[str]:
    """The referral page's ranking with the request's words read against each candidate's evidence."""
    return [ranked.candidate.organization.slug
            for ranked in rank_organizations(theme, prefecture, need=f"{title}\n{description}")]


RANKERS: dict[str, Ranker] = {"current": current_ranking, "evidence": evidence_ranking}

#: (project) -> the people's keys best first
PeopleRanker = Callable[[Project], list[str]]


def _keys(ranked) -> list[str]:
    return [result.candidate.member.email.split("@")[0].removeprefix("eval-") for result in ranked]


def current_people(project: Project) -> list[str]:
    """People suggested before #18: theme, skills, hours, distance, remote, load."""
    return _keys(suggest_people(project, read_evidence=False))


def evidence_people(project: Project) -> list[str]:
    """The suggestions page's ranking: also what each person has done against the project."""
    return _keys(suggest_people(project))


PEOPLE_RANKERS: dict[str, PeopleRanker] = {"current": current_people, "evidence": evidence_people}


def load_set() -> None:
    """Put the judged set's organisations and their evidence into the app's database (and commit)."""
    now = utcnow()
    for (slug, name, prefecture, served, themes, summary, services, articles, outcomes) in ORGANIZATIONS:
        organization = Organization(slug=slug, name=name, kind="npo", prefecture=prefecture, summary=summary,
                                    contact_email=f"{slug}@example.jp", status="active", accepts_remote=True)
        organization.served_prefectures = list(served)
        organization.theme_rows = [OrganizationTheme(theme=theme, depth=depth, note=note)
                                   for theme, (depth, note) in themes.items()]
        organization.services = [OrganizationService(position=i, title=title, description="")
                                  for i, title in enumerate(services)]
        db.session.add(organization)
        db.session.flush()
        for n, (kind, title, body) in enumerate(articles):
            create_article(None, ArticleData(
                title=title, kind=kind, visibility="public", status="published", themes=list(themes),
                prefecture=prefecture, summary=body[:200], body=body, organization_id=organization.id,
            ), slug=f"{slug}-{n}")
        for theme, title, report in outcomes:
            referral = Referral(title=title, theme=theme, prefecture=prefecture, description=title,
                                status="completed", partner_organization_id=organization.id,
                                completed_at=now - timedelta(days=30))
            referral.outcome = ReferralOutcome(summary=report, people_supported=0, companies_supported=0, hours=0)
            db.session.add(referral)
            db.session.flush()
            index_outcome(referral)
        index_organization(organization)
    load_people()
    db.session.commit()


def _project(host: Organization, theme: str, prefecture: str, title: str, description: str, skills: list[str],
             hours: int, remote: bool, status: str) -> Project:
    project = Project(organization_id=host.id, kind="side-job", title=title, host_name=host.name,
                      host_type="company", theme=theme, prefecture=prefecture, description=description,
                      hours_per_month=hours, duration_months=6, remote_possible=remote, compensation="paid",
                      deadline=utcnow().date() + timedelta(days=30), status=status)
    project.skill_rows = [ProjectSkill(key=skill_key(label), label=label, position=position)
                          for position, label in enumerate(skills)]
    db.session.add(project)
    db.session.flush()
    return project


def load_people() -> None:
    """The set's professionals with their profiles and completed projects, and the projects to staff."""
    host = Organization(slug="eval-host", name="評価用の受け入れ団体", kind="npo", prefecture="13", summary="",
                        contact_email="eval-host@example.jp", status="active")
    db.session.add(host)
    db.session.flush()
    cohort = Cohort(organization_id=host.id, kind="side-job", fiscal_year=2025)
    db.session.add(cohort)
    now = utcnow()
    for key, name, prefecture, themes, skills, hours, remote, on_site, summary, completed in PEOPLE:
        member = Member(email=f"eval-{key}@example.jp", display_name=name, prefecture=prefecture,
                        affiliation="individual", password_hash="!eval")  # nosec B106 - no password matches
        db.session.add(member)
        db.session.flush()
        profile = ExpertiseProfile(member_id=member.id, summary=summary, hours_per_month=hours, remote=remote,
                                   on_site=on_site, visibility="alliance", accepting=True)
        profile.theme_rows = [ExpertiseTheme(theme=theme) for theme in themes]
        profile.skill_rows = [ExpertiseSkill(key=skill_key(label), label=label, position=position)
                              for position, label in enumerate(skills)]
        db.session.add(profile)
        db.session.flush()
        index_profile(profile)
        for title, description, report in completed:
            project = _project(host, themes[0], prefecture, title, description, [], 8, True, "closed")
            programme = Programme(project_id=project.id, member_id=member.id, cohort_id=cohort.id, status="completed",
                                  report=report, report_submitted_at=now, completed_at=now, hours_contributed=40)
            db.session.add(programme)
            db.session.flush()
            index_programme(programme)
    for _id, theme, prefecture, title, description, skills, hours, remote, _grades in PROJECTS:
        _project(host, theme, prefecture, title, description, skills, hours, remote, "open")


def dcg(gains: list[int]) -> float:
    return sum((2 ** gain - 1) / math.log2(position + 2) for position, gain in enumerate(gains))


@dataclass
class Scores:
    ndcg3: list[float] = field(default_factory=list)
    reciprocal_ranks: list[float] = field(default_factory=list)
    recall5: list[float] = field(default_factory=list)
    #: how often each organisation is in a top 3
    exposure: Counter = field(default_factory=Counter)

    @staticmethod
    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    def summary(self) -> dict:
        return {"nDCG@3": self.mean(self.ndcg3), "MRR": self.mean(self.reciprocal_ranks),
                "Recall@5": self.mean(self.recall5), "requests": len(self.ndcg3)}


    def add(self, ranked: list[str], grades: dict[str, int]) -> None:
        """One request's ranked keys against its grades."""
        gains = [grades.get(key, 0) for key in ranked]
        ideal = dcg(sorted(grades.values(), reverse=True)[:3])
        self.ndcg3.append(dcg(gains[:3]) / ideal if ideal else 0.0)
        first = next((position for position, gain in enumerate(gains, start=1) if gain > 0), None)
        self.reciprocal_ranks.append(1 / first if first else 0.0)
        relevant = {key for key, grade in grades.items() if grade > 0}
        self.recall5.append(len(relevant & set(ranked[:5])) / len(relevant))
        self.exposure.update(ranked[:3])


def evaluate(ranker: Ranker) -> Scores:
    """Score a ranker on every request of the set (the set must be loaded; inside an app context)."""
    scores = Scores()
    for _id, theme, prefecture, title, description, grades in REQUESTS:
        scores.add(ranker(theme, prefecture, title, description), grades)
    return scores


def evaluate_people(ranker: PeopleRanker) -> Scores:
    """Score a people ranker on every project of the set (loaded; inside a request context)."""
    scores = Scores()
    projects = {project.title: project for project in db.session.scalars(
        sa.select(Project).where(Project.status == "open"))}
    for _id, _theme, _prefecture, title, *_rest, grades in PROJECTS:
        scores.add(ranker(projects[title]), grades)
    return scores


def report(title: str, results: dict[str, Scores]) -> str:
    lines = [f"## {title}", "", "| ranking | nDCG@3 | MRR | Recall@5 | requests |", "| --- | --- | --- | --- | --- |"]
    for name, scores in results.items():
        summary = scores.summary()
        lines.append(f"| {name} | {summary['nDCG@3']:.3f} | {summary['MRR']:.3f} | {summary['Recall@5']:.3f} "
                     f"| {summary['requests']} |")
    for name, scores in results.items():
        top = ", ".join(f"{key} {count}" for key, count in scores.exposure.most_common(8))
        lines += ["", f"Exposure in the top 3 ({name}, {len(scores.ndcg3)} requests): {top}"]
    return "\n".join(lines)


def run(database_url: str) -> tuple[dict[str, Scores], dict[str, Scores]]:
    from flask_migrate import upgrade

    from app import MIGRATIONS_DIR, create_app

    with tempfile.TemporaryDirectory() as instance:
        application = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": instance, "SECRET_KEY": "eval",
                                  "RATELIMIT_STORAGE_URI": "memory://"})
        with application.app_context():
            upgrade(directory=MIGRATIONS_DIR)
            load_set()
        with application.test_request_context():
            results = {name: evaluate(ranker) for name, ranker in RANKERS.items()}
            people = {name: evaluate_people(ranker) for name, ranker in PEOPLE_RANKERS.items()}
        with application.app_context():
            db.engine.dispose()
    return results, people


def main() -> None:
    from bench.databases import postgres_answers, postgres_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    engines = []
    with tempfile.TemporaryDirectory() as folder:
        engines.append(("SQLite", run(f"sqlite:///{folder}/eval.sqlite3")))
    if postgres_answers():
        with postgres_database() as url:
            engines.append(("PostgreSQL", run(url)))
    for engine, (organizations, people) in engines:
        print(report(f"Organisations for referrals — {engine}", organizations))
        print()
        print(report(f"People for projects — {engine}", people))
        print()


if __name__ == "__main__":
    main()
