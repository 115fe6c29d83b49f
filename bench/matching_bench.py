"""Benchmark: matching with evidence — referral candidates and people for projects — at `seed-demo --scale N`.

At --scale 1000 the database holds the demo plus 1,000 synthetic organisations (their
profiles indexed), 100,000 generated knowhow articles in the search index, 20,000 past
referrals and 20,000 expertise profiles (indexed). The judged set's requests
(bench/ranking_eval_set.py) are ranked 200 times over their themes and varied
prefectures, and the open projects' people suggested 200 times, on SQLite and on
PostgreSQL when it answers; the script prints the median, 95th percentile and maximum,
and the statements per call.

    .venv/bin/python bench/matching_bench.py [--scale 1000] [--runs 200]

Target (issue #18): p95 ≤ 50 ms on both engines.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alliance.projects.models import Project  # noqa: E402
from alliance.projects.suggest import suggest_people  # noqa: E402
from alliance.referrals.ranking import rank_organizations  # noqa: E402
from app import create_app  # noqa: E402
from bench.databases import postgres_answers, postgres_database  # noqa: E402
from bench.ranking_eval_set import REQUESTS  # noqa: E402
from bench.run import prepare_database  # noqa: E402
from core import refdata  # noqa: E402
from core.db import db, read_only  # noqa: E402

TARGET_P95_MS = 50.0


def measure(database_url: str, runs: int, scale: int, workdir: Path, *, seeded: bool = False) -> dict:
    if not seeded:
        prepare_database(database_url, scale, workdir, "matching-bench")
    application = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "matching-bench",
                              "INSTANCE_PATH": str(workdir), "RATELIMIT_STORAGE_URI": "memory://"})
    rng = random.Random(18)  # noqa: S311 — repeatable choice of requests  # nosec B311
    codes = [p.code for p in refdata.PREFECTURES]
    results = {}
    with application.test_request_context():
        counted: list[str] = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: counted.append(args[2]))
        with read_only():
            rank_organizations("seniors", "15", need="町工場の技能伝承")  # warm caches and the pool

            def referral(run: int) -> list:
                _id, theme, prefecture, title, description, _grades = REQUESTS[run % len(REQUESTS)]
                if run >= len(REQUESTS):
                    prefecture = rng.choice(codes)
                return rank_organizations(theme, prefecture, need=f"{title}\n{description}")

            results["organisations for a referral"] = _timed(referral, runs, counted)
            projects = db.session.scalars(sa.select(Project).where(Project.status == "open")
                                          .order_by(Project.id)).all()
            for project in projects:
                list(project.skill_rows)  # the page has loaded the project and its skills
            suggest_people(projects[0])
            results["people for a project"] = _timed(lambda run: suggest_people(projects[run % len(projects)]),
                                                      runs, counted)
        db.engine.dispose()
    return results


def _timed(call, runs: int, counted: list[str]) -> dict:
    timings, statements, candidates = [], [], []
    for run in range(runs):
        counted.clear()
        started = time.perf_counter()
        ranked = call(run)
        timings.append((time.perf_counter() - started) * 1000)
        statements.append(len(counted))
        candidates.append(len(ranked))
        db.session.expunge_all()  # each page starts with an empty session, as a request does
    timings.sort()
    return {"median": statistics.median(timings), "p95": timings[int(len(timings) * 0.95) - 1],
            "max": timings[-1], "statements": sorted(set(statements)),
            "candidates": statistics.median(candidates)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--sqlite-url", help="an already seeded SQLite database (skips seeding)")
    parser.add_argument("--postgres-url", help="an already seeded PostgreSQL database (skips seeding)")
    args = parser.parse_args()
    results = {}
    if args.sqlite_url or args.postgres_url:
        for engine, url in (("SQLite", args.sqlite_url), ("PostgreSQL", args.postgres_url)):
            if url:
                with tempfile.TemporaryDirectory() as folder:
                    results[engine] = measure(url, args.runs, args.scale, Path(folder), seeded=True)
        _print(results, args)
        return
    with tempfile.TemporaryDirectory() as folder:
        results["SQLite"] = measure(f"sqlite:///{folder}/matching.sqlite3", args.runs, args.scale, Path(folder))
    if postgres_answers():
        with postgres_database() as url, tempfile.TemporaryDirectory() as folder:
            results["PostgreSQL"] = measure(url, args.runs, args.scale, Path(folder))
    _print(results, args)


def _print(results: dict, args) -> None:
    print(f"Matching with evidence, seed-demo --scale {args.scale}, {args.runs} runs each")
    print("| engine | list | median ms | p95 ms | max ms | statements per call | shown (median) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for engine, lists in results.items():
        for name, figures in lists.items():
            flag = "" if figures["p95"] <= TARGET_P95_MS else " (over the 50 ms target)"
            print(f"| {engine} | {name} | {figures['median']:.1f} | {figures['p95']:.1f}{flag} | {figures['max']:.1f} "
                  f"| {', '.join(map(str, figures['statements']))} | {figures['candidates']:.0f} |")


if __name__ == "__main__":
    main()
