"""Evaluate referral matching on the judged set of bench/ranking_eval_set.py: nDCG@3, MRR, Recall@5, exposure.

Loads the set's organisations (themes, served prefectures, services, knowhow articles,
completed referrals with their outcome reports) into a fresh database and asks each
ranker for the candidates of every request. A ranker is a function
(theme, prefecture, title, description) -> slugs best first; "current" is the ranking the
referral page uses today (it reads theme, depth, nearness, track record and load, not the
request's words); "evidence" also reads the request's words against each candidate's profile,
knowhow and outcome reports. Grades: 2 fits the need, 1 related, otherwise 0.

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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alliance.evidence import index_organization  # noqa: E402
from alliance.models import Organization, OrganizationService, OrganizationTheme  # noqa: E402
from alliance.referrals.evidence import index_outcome  # noqa: E402
from alliance.referrals.models import Referral, ReferralOutcome  # noqa: E402
from alliance.referrals.ranking import rank_organizations  # noqa: E402
from bench.ranking_eval_set import ORGANIZATIONS, REQUESTS  # noqa: E402
from core.db import db, utcnow  # noqa: E402
from knowhow.services import ArticleData, create_article  # noqa: E402

Ranker = Callable[[str, str, str, str], list[str]]


def current_ranking(theme: str, prefecture: str, title: str, description: str) -> list[str]:
    """The ranking before #18 (the request's words are not read)."""
    return [ranked.candidate.organization.slug for ranked in rank_organizations(theme, prefecture)]


def evidence_ranking(theme: str, prefecture: str, title: str, description: str) -> list[str]:
    """The referral page's ranking with the request's words read against each candidate's evidence."""
    return [ranked.candidate.organization.slug
            for ranked in rank_organizations(theme, prefecture, need=f"{title}\n{description}")]


RANKERS: dict[str, Ranker] = {"current": current_ranking, "evidence": evidence_ranking}


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
    db.session.commit()


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


def evaluate(ranker: Ranker) -> Scores:
    """Score a ranker on every request of the set (the set must be loaded; inside an app context)."""
    scores = Scores()
    for _id, theme, prefecture, title, description, grades in REQUESTS:
        ranked = ranker(theme, prefecture, title, description)
        gains = [grades.get(slug, 0) for slug in ranked]
        ideal = dcg(sorted(grades.values(), reverse=True)[:3])
        scores.ndcg3.append(dcg(gains[:3]) / ideal if ideal else 0.0)
        first = next((position for position, gain in enumerate(gains, start=1) if gain > 0), None)
        scores.reciprocal_ranks.append(1 / first if first else 0.0)
        relevant = {slug for slug, grade in grades.items() if grade > 0}
        scores.recall5.append(len(relevant & set(ranked[:5])) / len(relevant))
        scores.exposure.update(ranked[:3])
    return scores


def report(engine: str, results: dict[str, Scores]) -> str:
    lines = [f"## {engine}", "", "| ranking | nDCG@3 | MRR | Recall@5 | requests |", "| --- | --- | --- | --- | --- |"]
    for name, scores in results.items():
        summary = scores.summary()
        lines.append(f"| {name} | {summary['nDCG@3']:.3f} | {summary['MRR']:.3f} | {summary['Recall@5']:.3f} "
                     f"| {summary['requests']} |")
    for name, scores in results.items():
        top = ", ".join(f"{slug} {count}" for slug, count in scores.exposure.most_common(8))
        lines += ["", f"Exposure in the top 3 ({name}, {len(REQUESTS)} requests): {top}"]
    return "\n".join(lines)


def run(database_url: str) -> dict[str, Scores]:
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
        with application.app_context():
            db.engine.dispose()
    return results


def main() -> None:
    from bench.databases import postgres_answers, postgres_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(report("SQLite", run(f"sqlite:///{folder}/eval.sqlite3")))
    if postgres_answers():
        with postgres_database() as url:
            print()
            print(report("PostgreSQL", run(url)))


if __name__ == "__main__":
    main()
